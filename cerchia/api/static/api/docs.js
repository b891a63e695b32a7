// Starts Swagger UI on the API docs page. A static file, so the page's CSP
// (script-src 'self') needs no inline script; settings come from data attributes.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var csrfToken = root.getAttribute("data-csrf-token");
  var safe = { GET: true, HEAD: true, OPTIONS: true };
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
    withCredentials: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // The session works in "Try it out": send Django's CSRF token on unsafe requests.
    requestInterceptor: function (request) {
      var method = (request.method || "GET").toUpperCase();
      var hasToken = request.headers && (request.headers.Authorization || request.headers.authorization);
      if (!safe[method] && !hasToken && csrfToken) {
        request.headers["X-CSRFToken"] = csrfToken;
      }
      return request;
    },
  });
})();
