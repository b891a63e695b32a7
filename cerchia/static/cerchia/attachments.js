/* Cerchia: image uploads for forms with data-upload-url.
 *
 * The form holds a file input marked data-attachment-input (kept hidden until this file
 * runs, and without a name so it is never sent with the post). Choosing images uploads
 * each one (POST multipart "image" → {id, url, markdown}), inserts the Markdown into the
 * form's textarea at the caret and adds a hidden "attachment_ids" input, so the new post
 * takes the image with it. Errors ({error}) show as a toast.
 */
(function () {
  "use strict";

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (field && field.value) {
      return field.value;
    }
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      return headers["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function toast(message, level) {
    if (window.cerchia && window.cerchia.showToast) {
      window.cerchia.showToast({ message: message, level: level || "error" });
    }
  }

  function say(form, message) {
    var status = form.querySelector("[data-attachment-status]");
    if (status) {
      status.textContent = message || "";
    }
  }

  function targetTextarea(form) {
    return form.querySelector("textarea[data-attachment-target]") || form.querySelector("textarea");
  }

  function insertMarkdown(textarea, markdown) {
    if (!textarea) {
      return;
    }
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    if (document.activeElement !== textarea && start === 0 && end === 0) {
      start = end = textarea.value.length;
    }
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    var lead = before && !/\n$/.test(before) ? "\n" : "";
    var trail = after && !/^\n/.test(after) ? "\n" : "";
    var text = lead + markdown + trail;
    textarea.value = before + text + after;
    var position = before.length + text.length;
    textarea.setSelectionRange(position, position);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function remember(form, id) {
    var field = document.createElement("input");
    field.type = "hidden";
    field.name = "attachment_ids";
    field.value = String(id);
    form.appendChild(field);
  }

  function upload(form, input, file) {
    var data = new FormData();
    data.append("image", file, file.name);
    return window
      .fetch(form.dataset.uploadUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), Accept: "application/json" },
      })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            if (!response.ok || !body.markdown) {
              throw new Error(body.error || input.dataset.errorMessage || "Upload failed.");
            }
            return body;
          });
      })
      .then(function (body) {
        insertMarkdown(targetTextarea(form), body.markdown);
        remember(form, body.id);
        return body;
      });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.matches("[data-attachment-input]")) {
      return;
    }
    var form = input.closest("form[data-upload-url]");
    if (!form || !input.files || !input.files.length) {
      return;
    }
    var files = Array.prototype.slice.call(input.files);
    input.disabled = true;
    say(form, input.dataset.uploadingMessage || "");
    var chain = Promise.resolve();
    files.forEach(function (file) {
      chain = chain.then(function () {
        return upload(form, input, file).catch(function (error) {
          toast(error.message);
        });
      });
    });
    chain.then(function () {
      input.value = "";
      input.disabled = false;
      say(form, input.dataset.doneMessage || "");
    });
  });

  function reveal(root) {
    root.querySelectorAll("form[data-upload-url] [data-attachment-field]").forEach(function (field) {
      field.hidden = false;
    });
  }

  document.addEventListener("htmx:afterSwap", function () {
    reveal(document);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      reveal(document);
    });
  } else {
    reveal(document);
  }
})();
