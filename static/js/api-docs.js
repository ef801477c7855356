// Swagger UI on the API's description (the page's data-url); no inline script (CSP).
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: root.dataset.url, domNode: root, deepLinking: true });
})();
