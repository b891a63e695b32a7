/* Cerchia: @mention suggestions for textareas with data-mention-url.
 *
 * Typing "@pre" asks the community's mention endpoint (GET ?q=pre → [{handle, name,
 * avatar_url}]) and shows a listbox under the textarea. Arrow keys move through it
 * (announced with aria-activedescendant), Enter or Tab inserts "@handle ", Escape closes.
 * Without this file, members type handles by hand: nothing depends on it.
 */
(function () {
  "use strict";

  var TRIGGER = /(^|[^\w@\/.])@([A-Za-z0-9_]{0,30})$/;
  var DELAY_MS = 150;
  var counter = 0;
  var states = new WeakMap();

  function stateFor(textarea) {
    var state = states.get(textarea);
    if (state) {
      return state;
    }
    counter += 1;
    if (!textarea.id) {
      textarea.id = "mention-field-" + counter;
    }
    var list = document.createElement("ul");
    list.id = textarea.id + "-mentions";
    list.className = "menu__panel mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", textarea.dataset.mentionLabel || "Members");
    list.hidden = true;
    /* In the flow, right under the textarea: no inline style attribute (CSP). */
    list.style.position = "static";
    list.style.marginTop = "0.25rem";
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    textarea.insertAdjacentElement("afterend", status);
    textarea.insertAdjacentElement("afterend", list);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", list.id);
    state = {
      list: list,
      status: status,
      people: [],
      active: -1,
      query: null,
      timer: 0,
      sequence: 0,
      cache: {},
    };
    states.set(textarea, state);
    return state;
  }

  function tokenBefore(textarea) {
    if (textarea.selectionStart !== textarea.selectionEnd) {
      return null;
    }
    var match = TRIGGER.exec(textarea.value.slice(0, textarea.selectionStart));
    return match ? match[2] : null;
  }

  function close(textarea) {
    var state = states.get(textarea);
    if (!state) {
      return;
    }
    window.clearTimeout(state.timer);
    state.sequence += 1;
    state.list.hidden = true;
    state.list.textContent = "";
    state.people = [];
    state.active = -1;
    state.query = null;
    textarea.removeAttribute("aria-activedescendant");
  }

  function highlight(textarea, index) {
    var state = stateFor(textarea);
    var options = state.list.querySelectorAll("[role=option]");
    if (!options.length) {
      return;
    }
    index = (index + options.length) % options.length;
    options.forEach(function (option, position) {
      var active = position === index;
      option.setAttribute("aria-selected", active ? "true" : "false");
      option.classList.toggle("is-active", active);
      /* The stylesheet has no listbox state: mark the active option through the CSSOM. */
      option.style.background = active ? "var(--c-accent-soft)" : "";
      option.style.color = active ? "var(--c-accent-ink)" : "";
    });
    state.active = index;
    textarea.setAttribute("aria-activedescendant", options[index].id);
    options[index].scrollIntoView({ block: "nearest" });
  }

  function option(textarea, person, index) {
    var item = document.createElement("li");
    item.id = textarea.id + "-mention-" + index;
    item.className = "menu__item";
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    item.dataset.handle = person.handle;
    if (person.avatar_url) {
      var image = document.createElement("img");
      image.className = "avatar avatar--xs";
      image.src = person.avatar_url;
      image.alt = "";
      image.width = 24;
      image.height = 24;
      item.appendChild(image);
    }
    var name = document.createElement("span");
    name.className = "menu__name";
    name.textContent = person.name;
    var handle = document.createElement("span");
    handle.className = "menu__handle";
    handle.textContent = " @" + person.handle;
    item.appendChild(name);
    item.appendChild(handle);
    return item;
  }

  function show(textarea, people) {
    var state = stateFor(textarea);
    state.list.textContent = "";
    state.people = people;
    state.active = -1;
    if (!people.length) {
      state.list.hidden = true;
      textarea.removeAttribute("aria-activedescendant");
      return;
    }
    people.forEach(function (person, index) {
      state.list.appendChild(option(textarea, person, index));
    });
    state.list.hidden = false;
    var template =
      (people.length === 1 && textarea.dataset.mentionStatusOne) ||
      textarea.dataset.mentionStatus ||
      "{count}";
    state.status.textContent = template.replace("{count}", String(people.length));
    highlight(textarea, 0);
  }

  function fetchPeople(textarea, query) {
    var state = stateFor(textarea);
    if (Object.prototype.hasOwnProperty.call(state.cache, query)) {
      show(textarea, state.cache[query]);
      return;
    }
    state.sequence += 1;
    var sequence = state.sequence;
    var url = new URL(textarea.dataset.mentionUrl, window.location.href);
    url.searchParams.set("q", query);
    window
      .fetch(url.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
      .then(function (response) {
        return response.ok ? response.json() : [];
      })
      .then(function (people) {
        if (!Array.isArray(people)) {
          people = [];
        }
        state.cache[query] = people;
        /* Only the answer to the latest question, and only while the token is still typed. */
        if (sequence === state.sequence && tokenBefore(textarea) === query) {
          show(textarea, people);
        }
      })
      .catch(function () {
        close(textarea);
      });
  }

  function insert(textarea, handle) {
    var caret = textarea.selectionStart;
    var before = textarea.value.slice(0, caret);
    var match = TRIGGER.exec(before);
    if (!match) {
      close(textarea);
      return;
    }
    var start = caret - match[2].length;
    var after = textarea.value.slice(caret);
    var text = handle + (after.charAt(0) === " " ? "" : " ");
    textarea.value = before.slice(0, start) + text + after;
    var position = start + text.length;
    textarea.setSelectionRange(position, position);
    close(textarea);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
  }

  function isMentionField(target) {
    return target instanceof HTMLTextAreaElement && target.dataset.mentionUrl;
  }

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!isMentionField(textarea)) {
      return;
    }
    var query = tokenBefore(textarea);
    if (query === null) {
      close(textarea);
      return;
    }
    var state = stateFor(textarea);
    if (query === state.query) {
      return;
    }
    state.query = query;
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(function () {
      fetchPeople(textarea, query);
    }, DELAY_MS);
  });

  document.addEventListener("keydown", function (event) {
    var textarea = event.target;
    if (!isMentionField(textarea)) {
      return;
    }
    var state = states.get(textarea);
    if (!state || state.list.hidden || !state.people.length) {
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(textarea, state.active + (event.key === "ArrowDown" ? 1 : -1));
    } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey) {
      if (state.active < 0) {
        return;
      }
      event.preventDefault();
      insert(textarea, state.people[state.active].handle);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close(textarea);
    }
  });

  /* mousedown, not click: the textarea keeps focus and its caret. */
  document.addEventListener("mousedown", function (event) {
    var item = event.target.closest && event.target.closest(".mention-list [role=option]");
    if (!item) {
      return;
    }
    var list = item.closest(".mention-list");
    var textarea = document.querySelector('[aria-controls="' + list.id + '"]');
    if (textarea) {
      event.preventDefault();
      insert(textarea, item.dataset.handle);
    }
  });

  document.addEventListener("focusout", function (event) {
    if (isMentionField(event.target)) {
      close(event.target);
    }
  });
})();
