// Shire's JavaScript: GOV.UK Frontend's enhancements, nothing more. Every page works
// without it. Loaded as a module, so browsers too old for GOV.UK Frontend skip it.
import { initAll } from './govuk-frontend.min.js'

initAll()
