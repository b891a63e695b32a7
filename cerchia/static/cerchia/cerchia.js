/* Cerchia: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  var AUTO_DISMISS_MS = 6000;

  function enableClose(root) {
    root.querySelectorAll("[data-toast-close]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function dismiss(toast) {
    if (toast && toast.parentNode) {
      toast.parentNode.removeChild(toast);
    }
  }

  /* Show a toast: {message, level} with level info | success | warning | error. */
  function showToast(detail) {
    var message = typeof detail === "string" ? detail : detail && (detail.message || detail.value);
    if (!message) {
      return;
    }
    var level = (detail && detail.level) || "info";
    var templates = document.getElementById("toast-templates");
    var region = document.getElementById("toasts");
    if (!templates || !region) {
      return;
    }
    var source =
      templates.content.querySelector('[data-level="' + level + '"]') ||
      templates.content.querySelector('[data-level="info"]');
    var toast = source.cloneNode(true);
    toast.querySelector(".toast__text").textContent = message;
    enableClose(toast);
    region.appendChild(toast);
    if (level !== "error") {
      window.setTimeout(function () {
        dismiss(toast);
      }, AUTO_DISMISS_MS);
    }
  }

  window.cerchia = { showToast: showToast };

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-toast-close]");
    if (close) {
      dismiss(close.closest("[data-toast]"));
      return;
    }
    /* Close open menus when clicking elsewhere. */
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.open = false;
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      menu.open = false;
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(document.activeElement)) {
        summary.focus();
      }
    });
  });

  /* HX-Trigger: {"toast": {"message": "…", "level": "success"}} */
  document.addEventListener("toast", function (event) {
    showToast(event.detail);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var region = document.getElementById("toasts");
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    var key = status === 429 ? "rateLimited" : status === 403 || status === 404 ? "notAllowed" : "error";
    var message = region && region.dataset[key + "Message"];
    showToast({ message: message || region.dataset.errorMessage, level: "error" });
  });

  document.addEventListener("htmx:sendError", function () {
    var region = document.getElementById("toasts");
    showToast({ message: region && region.dataset.offlineMessage, level: "error" });
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    enableClose(event.target);
  });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    enableClose(event.target);
  });

  function ready() {
    enableClose(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
