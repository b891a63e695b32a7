/* Cerchia live updates: new replies appear in an open topic, unread markers and the
 * notification badge refresh, without reloading. Pages work without this file.
 *
 * Events carry ids and counts only; what changed is fetched from the ordinary,
 * permission-checked pages and inserted as server-rendered, sanitised HTML.
 *
 * Markup it reads:
 *   body[data-ws-url]                      where the websocket is (a path means this origin)
 *   #posts[data-live-topic][data-after][data-posts-url]
 *                                          a topic's post list: subscribe, append the new
 *                                          li[id="post-<number>"][data-number] it returns
 *   [data-unread-community="<id>"]         subscribe to the community; on activity, refresh
 *                                          from data-unread-url if given, else unhide
 *   [data-unread-topic="<id>"]             unhidden when that topic has new activity
 *   #notification-badge[data-badge-url]    refreshed on the user's notification.* events
 *   #live-status[data-new-reply-message]   the polite live region announcing new replies
 */
(function () {
  "use strict";

  var MIN_DELAY_MS = 1000;
  var MAX_DELAY_MS = 30000;
  var BADGE_DEBOUNCE_MS = 500;

  var socket = null;
  var connectedBefore = false;
  var retryDelay = MIN_DELAY_MS;
  var subscriptions = [];
  var fetchingPosts = false;
  var fetchAgain = false;
  var badgeTimer = null;

  function websocketUrl() {
    var configured = document.body.getAttribute("data-ws-url");
    if (!configured) {
      return null;
    }
    if (configured.charAt(0) === "/") {
      var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
      return scheme + "//" + window.location.host + configured;
    }
    return configured;
  }

  function postList() {
    return document.getElementById("posts");
  }

  function positiveInt(value) {
    var number = parseInt(value, 10);
    return number > 0 ? number : null;
  }

  /* What this page wants to hear about, as subscribe messages. */
  function collectSubscriptions() {
    var wanted = [];
    var seen = {};
    var posts = postList();
    var topicId = posts && positiveInt(posts.getAttribute("data-live-topic"));
    if (topicId) {
      wanted.push({ topic: topicId });
    }
    document.querySelectorAll("[data-unread-community]").forEach(function (marker) {
      var id = positiveInt(marker.getAttribute("data-unread-community"));
      if (id && !seen[id]) {
        seen[id] = true;
        wanted.push({ community: id });
      }
    });
    return wanted;
  }

  /* Server HTML as nodes, with anything executable dropped (it is sanitised already). */
  function parseHtml(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    template.content.querySelectorAll("script, iframe, object, embed").forEach(function (node) {
      node.remove();
    });
    template.content.querySelectorAll("*").forEach(function (element) {
      Array.prototype.slice.call(element.attributes).forEach(function (attribute) {
        if (attribute.name.toLowerCase().indexOf("on") === 0) {
          element.removeAttribute(attribute.name);
        }
      });
    });
    return template.content;
  }

  function fetchHtml(url) {
    return window
      .fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "text/html", "HX-Request": "true" },
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      });
  }

  function announce(message) {
    var region = document.getElementById("live-status");
    if (!region || !message) {
      return;
    }
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = message;
    }, 50);
  }

  function postNumber(element) {
    return positiveInt(element.getAttribute("data-number")) || 0;
  }

  /* Fetch the posts after data-after and append those the list does not show yet. */
  function fetchNewPosts(knownNumber) {
    var posts = postList();
    var url = posts && posts.getAttribute("data-posts-url");
    if (!url) {
      return;
    }
    if (fetchingPosts) {
      fetchAgain = true;
      return;
    }
    fetchingPosts = true;
    var after = positiveInt(posts.getAttribute("data-after")) || 0;
    var separator = url.indexOf("?") === -1 ? "?" : "&";
    fetchHtml(url + separator + "after=" + encodeURIComponent(after))
      .then(function (html) {
        var fragment = parseHtml(html);
        var added = [];
        var highest = after;
        Array.prototype.slice.call(fragment.children).forEach(function (item) {
          /* The writer's own page has its reply already (htmx swapped it in). */
          highest = Math.max(highest, postNumber(item));
          if (!(item.id && document.getElementById(item.id))) {
            added.push(item);
          }
        });
        added.forEach(function (item) {
          posts.appendChild(item);
          if (window.htmx) {
            window.htmx.process(item);
          }
        });
        if (highest <= after && added.length) {
          /* No data-number: never skip ahead of what arrived (ids dedupe re-fetches). */
          highest = Math.max(after + added.length, knownNumber || 0);
        }
        if (highest > after) {
          posts.setAttribute("data-after", String(highest));
        }
        if (added.length) {
          var region = document.getElementById("live-status");
          announce(region && region.getAttribute("data-new-reply-message"));
        }
      })
      .catch(function () {
        /* The next event, or a reload, brings the posts. */
      })
      .then(function () {
        fetchingPosts = false;
        if (fetchAgain) {
          fetchAgain = false;
          fetchNewPosts(null);
        }
      });
  }

  /* A reply this page posted can arrive twice: from its own htmx swap and from the live
   * fetch its event triggered, in either order. Keep the first copy of each post. */
  function removeDuplicatePosts() {
    var posts = postList();
    if (!posts) {
      return;
    }
    var seen = {};
    Array.prototype.slice.call(posts.children).forEach(function (item) {
      if (!item.id) {
        return;
      }
      if (seen[item.id]) {
        item.remove();
      } else {
        seen[item.id] = true;
      }
    });
  }

  function refreshBadge() {
    var badge = document.getElementById("notification-badge");
    var url = badge && badge.getAttribute("data-badge-url");
    if (!url) {
      return;
    }
    window.clearTimeout(badgeTimer);
    badgeTimer = window.setTimeout(function () {
      fetchHtml(url)
        .then(function (html) {
          badge.replaceChildren(parseHtml(html));
        })
        .catch(function () {});
    }, BADGE_DEBOUNCE_MS);
  }

  function refreshUnread(communityId, topicId) {
    document
      .querySelectorAll('[data-unread-community="' + communityId + '"]')
      .forEach(function (marker) {
        var url = marker.getAttribute("data-unread-url");
        if (url) {
          fetchHtml(url)
            .then(function (html) {
              marker.replaceChildren(parseHtml(html));
              marker.hidden = false;
            })
            .catch(function () {});
        } else {
          marker.hidden = false;
        }
      });
    if (topicId) {
      document.querySelectorAll('[data-unread-topic="' + topicId + '"]').forEach(function (marker) {
        marker.hidden = false;
      });
    }
  }

  function onEvent(event) {
    if (!event || typeof event.type !== "string") {
      return;
    }
    var posts = postList();
    var topicId = posts && positiveInt(posts.getAttribute("data-live-topic"));
    if (event.type === "post.created" && event.topic_id === topicId) {
      var after = positiveInt(posts.getAttribute("data-after")) || 0;
      if (event.number > after) {
        fetchNewPosts(event.number);
      }
    } else if (event.type === "topic.activity" || event.type === "topic.created") {
      if (event.topic_id !== topicId) {
        refreshUnread(event.community_id, event.topic_id);
      }
    } else if (event.type.indexOf("notification.") === 0) {
      refreshBadge();
    }
  }

  function connect(url) {
    try {
      socket = new window.WebSocket(url);
    } catch (error) {
      return;
    }
    socket.addEventListener("open", function () {
      retryDelay = MIN_DELAY_MS;
      subscriptions.forEach(function (subscription) {
        socket.send(JSON.stringify({ subscribe: subscription }));
      });
      /* Catch up with what happened while disconnected. */
      if (connectedBefore && postList()) {
        fetchNewPosts(null);
      }
      connectedBefore = true;
    });
    socket.addEventListener("message", function (message) {
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      onEvent(event);
    });
    socket.addEventListener("close", function () {
      socket = null;
      var delay = retryDelay + Math.floor(Math.random() * retryDelay * 0.3);
      retryDelay = Math.min(retryDelay * 2, MAX_DELAY_MS);
      window.setTimeout(function () {
        connect(url);
      }, delay);
    });
  }

  function start() {
    var url = websocketUrl();
    if (!url || !("WebSocket" in window)) {
      return;
    }
    subscriptions = collectSubscriptions();
    var hasBadge = !!document.getElementById("notification-badge");
    if (!subscriptions.length && !hasBadge) {
      return;
    }
    connect(url);
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var posts = postList();
    /* data-after stays: posts of others before this one may still be on their way. */
    if (posts && event.target === posts) {
      removeDuplicatePosts();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
