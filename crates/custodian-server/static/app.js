// Custodian's page script, loaded on every page as
//   <script type="module" src="/static/app.js"></script>
// The Content-Security-Policy (script-src 'self'; style-src 'self') forbids
// inline script, so everything a page needs at start-up happens here.
//
// htmx is a classic script loaded before this one with
//   <script src="/static/vendor/htmx.min.js" defer></script>
// and configured from base.html with
//   <meta name="htmx-config"
//         content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}'>
// because its defaults break under that policy or weaken it:
//   includeIndicatorStyles  htmx would inject an inline <style> for
//                           .htmx-indicator, which style-src 'self' blocks;
//                           custodian.css styles indicators instead.
//   allowEval               hx-on, hx-vars, js: values and event filters need
//                           eval, which script-src 'self' blocks.
//   allowScriptTags         <script> in swapped content is never run.

import * as govuk from "./vendor/govuk-frontend.min.js";
import * as moj from "./vendor/moj-frontend.min.js";

// Both libraries check for this class before they enhance anything; GOV.UK
// Frontend's CSS also keys some styles on it.
document.body.classList.add("govuk-frontend-supported");

govuk.initAll();
moj.initAll();

// Content that htmx swaps in gets the same enhancement. The components found
// are those inside the new element (not the element itself), as with initAll.
// The body was done above, so its own htmx:load at start-up is skipped.
document.addEventListener("htmx:load", (event) => {
  const element = event.detail && event.detail.elt;
  if (!(element instanceof Element) || element === document.body) return;
  govuk.initAll({ scope: element });
  moj.initAll({ scope: element });
});

// The server rejects a state-changing request without the page's CSRF
// token. Forms carry it in a hidden csrf_token field; htmx requests carry it
// in this header, read at send time so a refreshed token is used.
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const token = meta && meta.getAttribute("content");
  if (!token) return;
  // Never hand the token to another origin.
  const target = new URL(event.detail.path, document.baseURI);
  if (target.origin !== window.location.origin) return;
  event.detail.headers["X-CSRF-Token"] = token;
});
