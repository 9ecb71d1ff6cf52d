// safeguard: start Swagger UI on /docs.
//
// A file rather than the inline script FastAPI's own page uses: the Content-Security-Policy
// allows no inline script. Swagger UI itself is served from /static/swagger-ui/ (copied from
// the swagger-ui-dist package by scripts/build-frontend), so nothing loads from a CDN.
//
// "Try it out" sends the signed-in user's session cookie; the session's CSRF token (from the
// page's <meta name="csrf-token">) goes with every request as the X-CSRF-Token header, which
// the API asks of a signed-in user on POST.
const csrfMeta = document.querySelector('meta[name="csrf-token"]')
const csrfToken = csrfMeta ? csrfMeta.getAttribute('content') : ''

window.SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // No call to validator.swagger.io: the document maps a service holding children's records.
  validatorUrl: null,
  requestInterceptor: (request) => {
    request.headers['X-CSRF-Token'] = csrfToken
    return request
  }
})
