// Starts GOV.UK Frontend's components (error summary focus, conditional radios, the header's
// menu on a phone). Loaded only when GOV.UK Frontend is installed; every page works without it.
import { initAll } from '/static/govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
