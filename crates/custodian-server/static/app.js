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

// A person chooser (templates/_macros.html: person_input) offers the people
// the user may see whose name or staff number matches what is typed, in the
// native list the input names in data-person-suggest (narrowed by
// data-person-among to the people a task may name). Without JavaScript the
// input still takes a typed name or staff number.
for (const input of document.querySelectorAll("input[data-person-suggest]")) {
  const list = document.getElementById(input.dataset.personSuggest);
  if (!list) continue;
  input.setAttribute("list", list.id);
  let asked = "";
  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2 || q === asked) return;
    timer = setTimeout(async () => {
      asked = q;
      try {
        const among = input.dataset.personAmong
          ? "&among=" + encodeURIComponent(input.dataset.personAmong)
          : "";
        const res = await fetch("/people/suggest?q=" + encodeURIComponent(q) + among, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!res.ok) return;
        const people = await res.json();
        list.replaceChildren(
          ...people.map((p) => {
            const o = document.createElement("option");
            o.value = p.label;
            return o;
          }),
        );
      } catch (_) {
        // No suggestions: the person types the staff number.
      }
    }, 200);
  });
}

// Copy buttons (web/display.rs: a shortened hash or key with its whole value)
// appear only where the Clipboard API works; the whole value stays readable in
// its details element without them.
if (navigator.clipboard && window.isSecureContext) {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const status = button.parentElement.querySelector("[data-copy-status]");
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        if (status) status.textContent = "Copied";
      } catch (_) {
        if (status) status.textContent = "Could not copy: select the value instead";
      }
    });
  }
}

// A monitoring round's commitment (templates/monitoring/monitoring.html):
// where Web Crypto works, the browser makes a random secret and its SHA-256,
// fills in the commitment and shows the secret once to be saved; the secret
// is never sent. Without it, the page explains the command-line route.
const maker = document.getElementById("commitment-maker");
if (maker && window.crypto && window.crypto.subtle && window.isSecureContext) {
  maker.hidden = false;
  const cli = document.getElementById("commitment-cli");
  if (cli) cli.hidden = true;
  const hex = (bytes) =>
    Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
  document.getElementById("make-commitment").addEventListener("click", async () => {
    const secret = hex(crypto.getRandomValues(new Uint8Array(32)));
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
    document.getElementById("commitment").value = hex(digest);
    document.getElementById("secret-value").textContent = secret;
    const link = document.getElementById("download-secret");
    link.href = URL.createObjectURL(new Blob([secret + "\n"], { type: "text/plain" }));
    document.getElementById("made-secret").hidden = false;
    // Made once: the button goes (a GOV.UK button's display outweighs the hidden attribute).
    document.getElementById("make-commitment").remove();
    const copy = document.getElementById("copy-secret");
    if (!(navigator.clipboard && window.isSecureContext)) copy.remove();
    copy.addEventListener("click", async () => {
      const status = document.getElementById("secret-status");
      try {
        await navigator.clipboard.writeText(secret);
        status.textContent = "Copied";
      } catch (_) {
        status.textContent = "Could not copy: select the secret instead";
      }
    });
  });
}
