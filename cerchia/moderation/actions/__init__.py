"""Every write to moderation, one named action each (check, one transaction, an event)."""
