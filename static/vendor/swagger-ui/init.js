/* Starts Swagger UI on <div id="swagger-ui" data-spec-url="..."></div>.
 * Lives in a file because the Content-Security-Policy forbids inline scripts.
 * Load after swagger-ui-bundle.js. */
(function () {
  'use strict';

  function start() {
    var el = document.getElementById('swagger-ui');
    if (!el || typeof window.SwaggerUIBundle !== 'function') {
      return;
    }
    window.ui = window.SwaggerUIBundle({
      url: el.dataset.specUrl,
      dom_id: '#swagger-ui',
      deepLinking: true,
      validatorUrl: null  // no badge from validator.swagger.io: offline, and CSP
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
