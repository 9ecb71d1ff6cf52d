// safeguard: start GOV.UK Frontend and MOJ Frontend components.
//
// Loaded as an ES module (<script type="module">), so it only runs in browsers
// that GOV.UK Frontend supports; pages work without it.
import { initAll as initGovukFrontend } from './govuk-frontend.min.js'
import { initAll as initMojFrontend } from './moj-frontend.min.js'

// Re-scanning a region that holds components which are already running makes
// them throw InitError ("already initialised"): that is expected, so ignore it
// and report anything else.
function onError (error) {
  if (error && error.name === 'InitError') {
    return
  }
  console.error(error)
}

export function initComponents (scope) {
  initGovukFrontend({ scope, onError })
  initMojFrontend({ scope, onError })
}

initComponents(document)

// htmx fires `htmx:load` on each element it adds to the page (and once on
// <body> at start-up, which initComponents(document) has already covered).
// initAll({ scope }) only looks at the scope's descendants, so scan from the
// new element's parent: a swapped-in element that is itself a component
// (outerHTML swap of e.g. <div data-module="govuk-tabs">) is found too, and
// its already-initialised siblings are skipped (InitError above).
document.addEventListener('htmx:load', (event) => {
  const elt = event.detail && event.detail.elt
  if (!(elt instanceof Element) || elt === document.body) {
    return
  }
  initComponents(elt.parentElement || elt)
})

// The print layout's "Print this page" button: shown only where this script runs, since
// without it the button could do nothing (the browser's own Print still works).
for (const button of document.querySelectorAll('[data-module="app-print"]')) {
  button.hidden = false
  button.addEventListener('click', () => window.print())
}
