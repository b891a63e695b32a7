"""Discussion pages: topics and posts (``topics``), the home feed, bookmarks, mentions and
attachments (``feed``)."""
