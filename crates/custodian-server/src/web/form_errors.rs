//! One form pattern for every page: a form that is refused is shown again on the page it was
//! filled in on, at that page's address, with the GOV.UK error summary (each problem a link to
//! its field), the message beside the field, the field's group marked, and what was typed kept.
//! A form that succeeds shows a success banner on the page it leads to.
//!
//! It works for every form without the handlers knowing: [`keep_forms_on_page`] wraps the page
//! routes. When a browser posts a form from one of Custodian's pages (a same-origin `Referer`)
//! and the handler refuses it ([`Refused`], set by the web error for invalid input and
//! conflicts), the answer is a redirect back to that page with a short-lived cookie holding
//! the problems and the submitted values, signed with the session's CSRF token so only this
//! session's own refusal is shown. The page's next GET renders as usual and the problems and
//! values are written into its form ([`show_on_page`]). Without a `Referer` (API clients, the
//! tests' HTTP client) the error page answers as before. Several servers may share the
//! database: the cookie travels with the browser, not with a server.
//!
//! Messages are fixed texts or the validation's own words, shown escaped; a success banner is
//! chosen by the form's route from fixed texts, never from anything in the address.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub use super::error::Refused;
use super::html::{Edits, Tag, escape, tags, text_between};
use super::{UiError, UiResult};
use crate::auth::CurrentUser;
use crate::error::{AppError, FieldProblem};
use crate::state::AppState;

const COOKIE: &str = "custodian_form";
/// Browsers keep at least 4,096 bytes a cookie; the flash stays under that with its name.
const MAX_COOKIE: usize = 3_900;

/// Mark a page a handler rendered itself for a refused form (with the problems beside the
/// form), so that a browser is sent back to the page the form was on instead.
pub fn refused(mut res: Response, problems: Vec<FieldProblem>) -> Response {
    res.extensions_mut().insert(Refused(problems));
    res
}

/// The answer to a form's step: a redirect to the address `done` gives when the step was taken;
/// when it was refused for what was typed (invalid input, or a conflict as one problem), the
/// form's page again as `again` renders it with the problems, marked [`refused`]; any other error
/// is the whole page's.
pub async fn redirect_or_again<F, Fut, E>(done: Result<String, AppError>, again: F) -> UiResult<Response>
where
    F: FnOnce(Vec<FieldProblem>) -> Fut,
    Fut: Future<Output = Result<Response, E>>,
    UiError: From<E>,
{
    match done {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(e) => {
            let errors = super::error::problems(e)?;
            Ok(refused(again(errors.clone()).await?, errors))
        }
    }
}

/// The refused form's page as its GET shows it (without the problems), put on the handler's
/// response by [`refused_on_own_page`].
#[derive(Debug, Clone)]
struct Bare(std::sync::Arc<String>);

/// [`refused`], for a form that posts to its own page's address and whose values may be too
/// large for the cookie: `bare` is the page as its GET would show it with what was typed, and
/// a browser is answered with it at once, the problems and values written in, instead of a
/// redirect (`res` still answers a client without a `Referer`).
pub async fn refused_on_own_page(res: Response, problems: Vec<FieldProblem>, bare: Response) -> Response {
    let bytes = axum::body::to_bytes(bare.into_body(), usize::MAX).await.unwrap_or_default();
    let mut res = refused(res, problems);
    res.extensions_mut().insert(Bare(std::sync::Arc::new(String::from_utf8_lossy(&bytes).into_owned())));
    res
}

/// What the page after a form post must show: the refused form's problems and values, or a
/// success message.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
struct Flash {
    /// The page (path and query) the flash is for.
    page: String,
    /// The refused form's action (path and query).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    action: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    errors: Vec<(Option<String>, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    values: Vec<(String, String)>,
    /// The key of a success message in [`SUCCESS`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    done: String,
}

/// The success banner after each form, by route (`*` one segment): its heading.
const SUCCESS: &[(&str, &str)] = &[
    ("/account/email", "Your e-mail settings have been saved"),
    ("/account/password", "Your password has been changed"),
    ("/approvals/delegations", "Your deputy has been set up"),
    ("/approvals/delegations/*/revoke", "The delegation has been revoked"),
    ("/approvals/*/decide", "Your decision has been recorded"),
    ("/approvals/*/withdraw", "The request has been withdrawn"),
    ("/apps", "The app has been added to the catalogue"),
    ("/accounts/*/credentials", "The log-in details have been stored"),
    ("/apps/requests", "Your app request has been sent for approval"),
    ("/apps/requests/*/decide", "Your decision has been recorded"),
    ("/apps/requests/*/withdraw", "The request has been withdrawn"),
    ("/apps/grants/*/revoke", "The grant has been revoked"),
    ("/accounts", "Your request has been sent to Corporate Communications"),
    ("/accounts/*/decide", "Your decision has been recorded"),
    ("/accounts/*/users", "The person is now authorised to use the account"),
    ("/accounts/*/users/*/end", "The authorisation has ended"),
    ("/accounts/*/recertify", "The list of authorised users has been re-certified"),
    ("/accounts/*/profile", "The profile has been saved"),
    ("/accounts/*/posts", "The post has been recorded"),
    ("/accounts/*/close", "The account has been closed"),
    ("/accounts/*/tasks/*/done", "The task has been recorded as done"),
    ("/apps/*/grants", "The grant has been added"),
    ("/comments/*/actions", "The advice and action have been recorded"),
    ("/comments/wellbeing/*/close", "The support has been recorded and the case closed"),
    ("/comments/referrals/*/decide", "The outcome has been recorded"),
    ("/comments/replies/*/sent", "The reply has been marked sent"),
    ("/comments/rota", "The shift has been added to the rota"),
    ("/data-protection/holds", "The legal hold has been placed"),
    ("/data-protection/holds/*/release", "The legal hold has been released"),
    ("/declarations", "Your declaration has been recorded"),
    ("/declarations/campaigns", "The annual re-declaration has started"),
    ("/declarations/*/assess", "The assessment has been recorded"),
    ("/profile-check/*/delete", "The kept check has been deleted"),
    ("/devices", "The device has been added to the register"),
    ("/devices/*/allocate", "The device has been allocated"),
    ("/devices/*/transition", "The change has been recorded"),
    ("/findings/*/review", "Your review has been recorded"),
    ("/monitoring/rounds", "The monitoring round has been created"),
    ("/monitoring/rounds/*/exclusions", "The exclusion has been recorded"),
    ("/monitoring/rounds/*/draw", "The draw has been made"),
    ("/monitoring/cases/*/steps", "The step has been recorded"),
    ("/overseas", "Your overseas use request has been sent for approval"),
    ("/overseas/*/decide", "Your decision has been recorded"),
    ("/overseas/*/withdraw", "The request has been withdrawn"),
    ("/posts", "The draft has been saved"),
    ("/posts/*", "The draft has been saved"),
    ("/posts/*/submit", "The post has been submitted for approval"),
    ("/posts/*/override", "The warnings have been overridden"),
    ("/posts/*/approve", "The post has been approved"),
    ("/posts/*/return", "The post has been returned to its author"),
    ("/posts/setup/investigations", "The senior investigating officer has been recorded"),
    ("/posts/incident", "The major incident has been declared"),
    ("/posts/incident/end", "The major incident has been ended"),
    ("/policy/campaigns", "The campaign has started: everyone it asks has been enrolled"),
    ("/policy/campaigns/*/acknowledge", "Thank you: your acknowledgement has been recorded"),
    ("/policy/versions", "A new version has been drafted"),
    ("/policy/versions/*/clauses", "The clause has been saved"),
    ("/policy/versions/*/consult", "The version has been sent to consultation"),
    ("/policy/versions/*/adopt", "The version has been adopted"),
    ("/psd-reports", "Your report has been sent to Professional Standards"),
    ("/psd-reports/*/triage", "The triage has been recorded"),
    ("/psd-reports/*/close", "The report has been closed"),
    ("/screening/pack", "The screening pack has been saved"),
    ("/usage/streaming-exceptions", "The streaming exception has been recorded"),
];

/// The success message's key for a form's route, if it has one.
fn success_for(path: &str) -> Option<&'static str> {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    SUCCESS
        .iter()
        .find(|(pattern, _)| {
            let p: Vec<&str> = pattern.split('/').collect();
            p.len() == segs.len() && p.iter().zip(&segs).all(|(p, s)| *p == "*" || p == s)
        })
        .map(|(pattern, _)| *pattern)
}

fn success_text(key: &str) -> Option<&'static str> {
    SUCCESS.iter().find(|(k, _)| *k == key).map(|(_, m)| *m)
}

fn sign(key: &str, payload: &str) -> String {
    // HMAC takes a key of any length; should it ever refuse one, nothing verifies.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()) else { return String::new() };
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn encode(flash: &Flash, key: &str) -> String {
    let json = serde_json::to_vec(flash).unwrap_or_default();
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    format!("{}.{payload}", sign(key, &payload))
}

fn decode(value: &str, key: &str) -> Option<Flash> {
    let (mac, payload) = value.split_once('.')?;
    let expected = sign(key, payload);
    if key.is_empty() || expected.is_empty() || !crate::auth::constant_time_eq(mac.as_bytes(), expected.as_bytes()) {
        return None;
    }
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&json).ok()
}

/// The flash as a cookie, made smaller (values dropped, then messages shortened) to fit.
fn cookie(mut flash: Flash, key: &str, secure: bool) -> Option<HeaderValue> {
    let mut value = encode(&flash, key);
    if value.len() > MAX_COOKIE {
        flash.values.clear();
        value = encode(&flash, key);
    }
    if value.len() > MAX_COOKIE {
        flash.errors.truncate(10);
        for e in &mut flash.errors {
            if e.1.len() > 200 {
                let cut = (0..=200).rev().find(|i| e.1.is_char_boundary(*i)).unwrap_or(0);
                e.1.truncate(cut);
                e.1.push('…');
            }
        }
        value = encode(&flash, key);
    }
    if value.len() > MAX_COOKIE {
        return None;
    }
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=120{secure}")).ok()
}

fn clear_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn request_cookie(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (n, v) = c.trim().split_once('=')?;
        (n == COOKIE).then(|| v.to_string())
    })
}

/// The path and query of a same-origin `Referer`, when the request has one.
fn referring_page(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let rest = referer.strip_prefix("http://").or_else(|| referer.strip_prefix("https://"))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if !authority.eq_ignore_ascii_case(host) {
        return None;
    }
    let path = path.split('#').next().unwrap_or("");
    (path.starts_with('/') && !path.starts_with("//")).then(|| path.to_string())
}

fn path_and_query(uri: &axum::http::Uri) -> String {
    uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| uri.path().to_string())
}

/// Middleware on the pages: see the module's documentation.
pub async fn keep_forms_on_page(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let secure = state.settings().secure_cookies;
    let htmx = super::is_htmx(req.headers());
    if req.method() == Method::POST && !htmx {
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        let page = referring_page(req.headers());
        let action = path_and_query(req.uri());
        let (Some(page), true) = (page, form) else { return next.run(req).await };
        if action.starts_with("/sign-in") || action.starts_with("/sign-out") {
            return next.run(req).await;
        }
        let (parts, body) = req.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, crate::BODY_LIMIT).await else {
            return crate::error::AppError::TooLarge("The form is larger than the web service accepts.".into())
                .into_response();
        };
        let pairs = crate::forms::form_urlencoded_pairs(&bytes);
        let key = pairs.iter().find(|(k, _)| k == "csrf_token").map(|(_, v)| v.clone()).unwrap_or_default();
        let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
        if key.is_empty() {
            return res;
        }
        if let Some(Refused(problems)) = res.extensions().get::<Refused>().cloned() {
            let flash = Flash {
                page: page.clone(),
                action,
                errors: problems.into_iter().map(|p| (p.field, p.message)).collect(),
                // Secrets never ride in a cookie, even this session's own: a refused password or
                // secret field is typed again (the page never puts them back either).
                values: pairs.into_iter().filter(|(k, _)| keeps_value(k)).collect(),
                done: String::new(),
            };
            // What was typed is too large for the cookie (a whole screening pack) and the form
            // posts to its own page's address: the page is rendered in this answer, with the
            // problems and everything typed, at the address the browser already shows (as
            // GOV.UK services answer a refused form). No cookie is needed then.
            if encode(&flash, &key).len() > MAX_COOKIE
                && same_path(&flash.page, &flash.action)
                && let Some(Bare(page)) = res.extensions().get::<Bare>().cloned()
            {
                let (mut parts, _) = res.into_parts();
                parts.headers.remove(header::CONTENT_LENGTH);
                parts.status = StatusCode::UNPROCESSABLE_ENTITY;
                return Response::from_parts(parts, Body::from(show_on_page(&page, &flash)));
            }
            if let Some(c) = cookie(flash, &key, secure) {
                let mut r = axum::response::Redirect::to(&page).into_response();
                r.headers_mut().append(header::SET_COOKIE, c);
                return r;
            }
            return res;
        }
        if res.status().is_redirection() {
            let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("");
            let target = location.split('#').next().unwrap_or("").to_string();
            let says_already = target.contains("done=") || target.contains("corrected=");
            let path = action.split('?').next().unwrap_or("");
            if let (Some(done), true, false) = (success_for(path), target.starts_with('/'), says_already) {
                let flash = Flash { page: target, done: done.into(), ..Flash::default() };
                let mut res = res;
                if let Some(c) = cookie(flash, &key, secure) {
                    res.headers_mut().append(header::SET_COOKIE, c);
                }
                return res;
            }
        }
        return res;
    }
    if req.method() != Method::GET || htmx {
        return next.run(req).await;
    }
    let Some(value) = request_cookie(req.headers()) else {
        let (parts, body) = req.into_parts();
        let (headers, uri) = (parts.headers.clone(), parts.uri.clone());
        let res = next.run(Request::from_parts(parts, body)).await;
        return with_shell(&state, headers, uri, res).await;
    };
    let (mut parts, body) = req.into_parts();
    let user = CurrentUser::from_request_parts(&mut parts, &state).await.ok();
    let here = path_and_query(&parts.uri);
    let flash = user.and_then(|u| decode(&value, u.csrf())).filter(|f| f.page == here);
    let res = next.run(Request::from_parts(parts, body)).await;
    let Some(flash) = flash else {
        // Another page's flash waits for its page; one that is not this session's goes.
        let mut res = res;
        if decode_page(&value).is_none_or(|p| p == here) {
            res.headers_mut().append(header::SET_COOKIE, clear_cookie(secure));
        }
        return res;
    };
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if res.status() != StatusCode::OK || !html {
        let mut res = res;
        res.headers_mut().append(header::SET_COOKIE, clear_cookie(secure));
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let page = String::from_utf8_lossy(&bytes);
    let refused = !flash.errors.is_empty();
    let out = show_on_page(&page, &flash);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.append(header::SET_COOKIE, clear_cookie(secure));
    if refused {
        parts.status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Response::from_parts(parts, Body::from(out))
}

/// Whether two addresses (path and query) have the same path: the same route.
fn same_path(a: &str, b: &str) -> bool {
    a.split(['?', '#']).next() == b.split(['?', '#']).next()
}

/// An error page a signed-in person met, shown again inside their own page shell (navigation,
/// notifications, Sign out) rather than a bare one.
async fn with_shell(state: &AppState, headers: HeaderMap, uri: axum::http::Uri, res: Response) -> Response {
    let Some(shown) = res.extensions().get::<super::error::Shown>().cloned() else { return res };
    let mut req = Request::builder().uri(uri.clone()).body(()).unwrap_or_default();
    *req.headers_mut() = headers;
    let (mut parts, ()) = req.into_parts();
    match CurrentUser::from_request_parts(&mut parts, state).await {
        Ok(user) => shown.render(super::layout(state, Some(&user), "", uri.path())),
        Err(_) => res,
    }
}

/// Whether a refused form's field may be kept to show again: not the CSRF token, and nothing that
/// looks like a password or secret.
fn keeps_value(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    f != "csrf_token" && !["password", "secret", "passphrase", "token"].iter().any(|w| f.contains(w))
}

/// The page a flash cookie is for, read without checking it (to know whether to clear it).
fn decode_page(value: &str) -> Option<String> {
    let (_, payload) = value.split_once('.')?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice::<Flash>(&json).ok().map(|f| f.page)
}

pub use crate::error::humanise;

/// A problem's words as shown: a message that does not start as a sentence is put after the
/// field's label ("Reason: must not be empty" rather than "must not be empty").
fn sentence(label: &str, message: &str) -> String {
    let starts_upper = message.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    if starts_upper || label.is_empty() { message.to_string() } else { format!("{label}: {message}") }
}

/// One control of the refused form.
struct Control {
    tag: usize,
    name: String,
    kind: &'static str,
    /// For a select and a textarea: the index of its end tag.
    close: Option<usize>,
    /// The innermost `govuk-form-group` around it, and the innermost radios/checkboxes box.
    group: Option<usize>,
    choice_box: Option<usize>,
    /// The GOV.UK date input around a day, month, year or time box: one message for the group,
    /// above its boxes.
    date_box: Option<usize>,
}

/// The page with the flash shown: a success banner, or the error summary, the inline errors
/// and the submitted values in the refused form.
fn show_on_page(html: &str, flash: &Flash) -> String {
    let t = tags(html);
    let mut edits = Edits::default();
    let main = t.iter().position(|x| !x.closing && x.name == "main");
    let Some(main) = main else { return html.to_string() };
    if !flash.done.is_empty() {
        if let Some(text) = success_text(&flash.done) {
            edits.insert(t[main].end, success_banner(text));
        }
        return edits.apply(html);
    }
    // The refused form: the first with the action whose hidden fields agree with what was sent.
    let mut chosen: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < t.len() {
        if !t[i].closing && t[i].name == "form" && t[i].attr("action").is_some_and(|a| a == flash.action) {
            let end = (i + 1..t.len()).find(|j| t[*j].closing && t[*j].name == "form").unwrap_or(t.len() - 1);
            let agrees = t[i..end].iter().filter(|x| x.name == "input" && x.attr("type") == Some("hidden")).all(|x| {
                let name = x.attr("name").unwrap_or("");
                name == "csrf_token"
                    || name.is_empty()
                    || flash.values.iter().any(|(k, v)| k == name && Some(v.as_str()) == x.attr("value"))
            });
            if agrees {
                chosen = Some((i, end));
                break;
            }
            i = end;
        }
        i += 1;
    }
    // Labels by the id they are for.
    let mut labels = std::collections::HashMap::new();
    for (k, x) in t.iter().enumerate() {
        if !x.closing
            && x.name == "label"
            && let (Some(f), Some(close)) =
                (x.attr("for"), (k + 1..t.len()).find(|j| t[*j].closing && t[*j].name == "label"))
        {
            labels.insert(f.to_string(), text_between(html, x.end, t[close].start));
        }
    }
    let mut controls: Vec<Control> = Vec::new();
    if let Some((from, to)) = chosen {
        // (tag, form group, choice box, date input)
        let mut stack: Vec<(usize, bool, bool, bool)> = Vec::new();
        for k in from..to {
            let x = &t[k];
            if x.name == "div" {
                if x.closing {
                    stack.pop();
                } else {
                    let boxy = x.has_class("govuk-radios") || x.has_class("govuk-checkboxes");
                    stack.push((k, x.has_class("govuk-form-group"), boxy, x.has_class("govuk-date-input")));
                }
                continue;
            }
            if x.closing || !matches!(x.name.as_str(), "input" | "select" | "textarea") {
                continue;
            }
            let Some(name) = x.attr("name") else { continue };
            let kind = match (x.name.as_str(), x.attr("type").unwrap_or("text")) {
                ("select", _) => "select",
                ("textarea", _) => "textarea",
                (_, "hidden") | (_, "submit") | (_, "button") | (_, "file") => continue,
                // Marked and given its message, never given back what was typed.
                (_, "password") => "password",
                (_, "checkbox") => "checkbox",
                (_, "radio") => "radio",
                _ => "input",
            };
            let close = matches!(kind, "select" | "textarea")
                .then(|| (k + 1..to).find(|j| t[*j].closing && t[*j].name == x.name))
                .flatten();
            controls.push(Control {
                tag: k,
                name: name.to_string(),
                kind,
                close,
                group: stack.iter().rev().find(|s| s.1).map(|s| s.0),
                choice_box: stack.iter().rev().find(|s| s.2).map(|s| s.0),
                date_box: stack.iter().rev().find(|s| s.3).map(|s| s.0),
            });
        }
    }
    let mut changed: std::collections::BTreeMap<usize, Tag> = std::collections::BTreeMap::new();
    let tag_mut = |k: usize, changed: &mut std::collections::BTreeMap<usize, Tag>| -> Tag {
        changed.remove(&k).unwrap_or_else(|| t[k].clone())
    };
    // The values typed.
    for c in &controls {
        let sent: Vec<&str> = flash.values.iter().filter(|(k, _)| *k == c.name).map(|(_, v)| v.as_str()).collect();
        match c.kind {
            "input" => {
                if let Some(v) = sent.first() {
                    let mut x = tag_mut(c.tag, &mut changed);
                    x.set_attr("value", Some(v));
                    changed.insert(c.tag, x);
                }
            }
            "checkbox" | "radio" => {
                let mut x = tag_mut(c.tag, &mut changed);
                let value = x.attr("value").unwrap_or("on").to_string();
                if sent.contains(&value.as_str()) {
                    x.set_attr("checked", None);
                } else {
                    x.remove_attr("checked");
                }
                changed.insert(c.tag, x);
            }
            "select" => {
                if let (Some(v), Some(close)) = (sent.first(), c.close) {
                    for k in c.tag + 1..close {
                        if t[k].name == "option" && !t[k].closing {
                            let text_end =
                                (k + 1..close).find(|j| t[*j].name == "option").map_or(t[close].start, |j| t[j].start);
                            let value = t[k]
                                .attr("value")
                                .map(str::to_string)
                                .unwrap_or_else(|| text_between(html, t[k].end, text_end));
                            let mut x = tag_mut(k, &mut changed);
                            if value == *v {
                                x.set_attr("selected", None);
                            } else {
                                x.remove_attr("selected");
                            }
                            changed.insert(k, x);
                        }
                    }
                }
            }
            "textarea" => {
                if let (Some(v), Some(close)) = (sent.first(), c.close) {
                    // A leading line break after <textarea> is dropped by browsers: keep one.
                    let v = if v.starts_with('\n') { format!("\n{v}") } else { v.to_string() };
                    edits.replace(t[c.tag].end, t[close].start, escape(&v));
                }
            }
            _ => {}
        }
    }
    // The problems: beside their fields, and in the summary with a link to each field.
    let mut summary: Vec<(String, String)> = Vec::new();
    let mut marked_groups = std::collections::BTreeSet::new();
    let mut placed = std::collections::BTreeSet::new();
    let fallback_target = |changed: &mut std::collections::BTreeMap<usize, Tag>| -> String {
        // A problem of the whole form links to its first field, else to the form.
        if let Some(c) = controls.first() {
            let mut x = changed.remove(&c.tag).unwrap_or_else(|| t[c.tag].clone());
            let id = x.attr("id").map(str::to_string).unwrap_or_else(|| format!("field-{}", c.name));
            x.set_attr("id", Some(&id));
            changed.insert(c.tag, x);
            return id;
        }
        if let Some((from, _)) = chosen {
            let mut x = changed.remove(&from).unwrap_or_else(|| t[from].clone());
            let id = x.attr("id").map(str::to_string).unwrap_or_else(|| "refused-form".to_string());
            x.set_attr("id", Some(&id));
            changed.insert(from, x);
            return id;
        }
        "main-content".to_string()
    };
    for (field, message) in &flash.errors {
        let control = field.as_deref().and_then(|f| {
            controls.iter().find(|c| c.name == f).or_else(|| controls.iter().find(|c| t[c.tag].attr("id") == Some(f)))
        });
        let Some(c) = control else {
            let label = field.as_deref().map(humanise).unwrap_or_default();
            let target = fallback_target(&mut changed);
            summary.push((target, sentence(&label, message)));
            continue;
        };
        let mut x = changed.remove(&c.tag).unwrap_or_else(|| t[c.tag].clone());
        let id = x.attr("id").map(str::to_string).unwrap_or_else(|| format!("field-{}", c.name));
        x.set_attr("id", Some(&id));
        let label = labels.get(&id).cloned().unwrap_or_else(|| humanise(&c.name));
        let text = sentence(&label, message);
        summary.push((id.clone(), text.clone()));
        let error_id = format!("{}-error", id);
        if placed.insert(c.name.clone()) {
            let class = match c.kind {
                "select" => Some("govuk-select--error"),
                "textarea" => Some("govuk-textarea--error"),
                "input" | "password" => Some("govuk-input--error"),
                _ => None,
            };
            if let Some(class) = class {
                x.add_class(class);
            }
            let described = match x.attr("aria-describedby") {
                Some(d) if !d.is_empty() => format!("{d} {error_id}"),
                _ => error_id.clone(),
            };
            x.set_attr("aria-describedby", Some(&described));
            let at = match (c.kind, c.choice_box, c.date_box) {
                ("checkbox" | "radio", Some(b), _) => t[b].start,
                (_, _, Some(b)) => t[b].start,
                _ => t[c.tag].start,
            };
            edits.insert(
                at,
                format!(
                    "<p class=\"govuk-error-message\" id=\"{}\"><span class=\"govuk-visually-hidden\">Error:</span> {}</p>",
                    escape(&error_id),
                    escape(&text)
                ),
            );
            if let Some(g) = c.group {
                marked_groups.insert(g);
            }
        }
        changed.insert(c.tag, x);
    }
    // A refused form inside a closed `<details>` (report a lost device) is shown open.
    if let Some((from, _)) = chosen {
        let mut open: Vec<usize> = Vec::new();
        for (k, x) in t[..from].iter().enumerate() {
            if x.name == "details" {
                if x.closing {
                    open.pop();
                } else {
                    open.push(k);
                }
            }
        }
        for d in open {
            let mut x = changed.remove(&d).unwrap_or_else(|| t[d].clone());
            x.set_attr("open", None);
            changed.insert(d, x);
        }
    }
    for g in marked_groups {
        let mut x = changed.remove(&g).unwrap_or_else(|| t[g].clone());
        x.add_class("govuk-form-group--error");
        changed.insert(g, x);
    }
    for (k, x) in changed {
        edits.replace(t[k].start, t[k].end, x.render());
    }
    edits.insert(t[main].end, error_summary(&summary));
    if let Some(title) = t.iter().position(|x| !x.closing && x.name == "title") {
        edits.insert(t[title].end, "Error: ".into());
    }
    edits.apply(html)
}

fn error_summary(problems: &[(String, String)]) -> String {
    let mut items = String::new();
    for (target, text) in problems {
        items.push_str(&format!("<li><a href=\"#{}\">{}</a></li>", escape(target), escape(text)));
    }
    format!(
        "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\" id=\"form-errors\"><div role=\"alert\">\
         <h2 class=\"govuk-error-summary__title\">There is a problem</h2><div class=\"govuk-error-summary__body\">\
         <ul class=\"govuk-list govuk-error-summary__list\">{items}</ul></div></div></div>"
    )
}

fn success_banner(text: &str) -> String {
    format!(
        "<div class=\"govuk-notification-banner govuk-notification-banner--success\" role=\"alert\" \
         aria-labelledby=\"form-done-title\" data-module=\"govuk-notification-banner\" id=\"form-done\">\
         <div class=\"govuk-notification-banner__header\"><h2 class=\"govuk-notification-banner__title\" id=\"form-done-title\">Success</h2></div>\
         <div class=\"govuk-notification-banner__content\"><p class=\"govuk-notification-banner__heading\">{}</p></div></div>",
        escape(text)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_never_kept_to_show_again() {
        for kept in ["staff_number", "reason", "commitment", "hash"] {
            assert!(super::keeps_value(kept), "{kept}");
        }
        for dropped in ["csrf_token", "password", "new_password", "current_password", "secret", "api_token"] {
            assert!(!super::keeps_value(dropped), "{dropped}");
        }
    }

    use super::*;

    const PAGE: &str = r#"<html><head><title>Device - Custodian</title></head><body><main class="govuk-main-wrapper" id="main-content">
<h1>Device</h1><details><summary>More</summary></details>
<details class="x"><summary>Change</summary><form method="post" action="/devices/1/transition"><input type="hidden" name="csrf_token" value="t">
<div class="govuk-form-group"><label class="govuk-label" for="to-status">New status</label>
<select class="govuk-select" id="to-status" name="status"><option value="lost">Lost</option><option value="returned" selected>Returned</option></select></div>
<div class="govuk-form-group"><label class="govuk-label" for="transition-reason">Reason</label><input class="govuk-input" id="transition-reason" name="reason"></div>
<textarea name="note"></textarea>
<button>Record</button></form></details></main></body></html>"#;

    fn refused(errors: Vec<(Option<&str>, &str)>) -> Flash {
        Flash {
            page: "/devices/1".into(),
            action: "/devices/1/transition".into(),
            errors: errors.into_iter().map(|(f, m)| (f.map(str::to_string), m.to_string())).collect(),
            values: vec![
                ("status".into(), "lost".into()),
                ("reason".into(), "fell <in> \"river\"".into()),
                ("note".into(), "a & b".into()),
            ],
            ..Flash::default()
        }
    }

    #[test]
    fn a_refused_form_shows_its_problems_beside_fields_that_exist_and_keeps_the_values() {
        let out =
            show_on_page(PAGE, &refused(vec![(Some("reason"), "must not be empty"), (None, "The device is lost")]));
        assert!(out.contains("<title>Error: Device"), "{out}");
        assert!(out.contains(r##"<li><a href="#transition-reason">Reason: must not be empty</a></li>"##), "{out}");
        assert!(out.contains(r#"<p class="govuk-error-message" id="transition-reason-error">"#), "{out}");
        assert!(out.contains(r#"class="govuk-form-group govuk-form-group--error"><label class="govuk-label" for="transition-reason">"#), "{out}");
        assert!(out.contains(r#"value="fell &lt;in&gt; &quot;river&quot;""#), "{out}");
        assert!(out.contains(r#"class="govuk-input govuk-input--error" id="transition-reason""#), "{out}");
        assert!(out.contains(r#"aria-describedby="transition-reason-error""#), "{out}");
        assert!(
            out.contains(r#"<option value="lost" selected>"#) && out.contains(r#"<option value="returned">"#),
            "{out}"
        );
        assert!(out.contains("<textarea name=\"note\">a &amp; b</textarea>"), "{out}");
        assert!(
            out.contains("<details><summary>") && out.contains("<details class=\"x\" open><summary>Change"),
            "{out}"
        );
        // The problem of the whole form links to its first field, which exists.
        assert!(out.contains(r##"<a href="#to-status">The device is lost</a>"##), "{out}");
        // Only one status group is marked: the one with the error.
        assert_eq!(out.matches("govuk-form-group--error").count(), 1);
        for link in out.split("href=\"#").skip(1) {
            let id = &link[..link.find('"').unwrap()];
            assert!(out.contains(&format!("id=\"{id}\"")), "the link to #{id} has a target");
        }
    }

    #[test]
    fn a_flash_is_signed_by_its_session_and_success_texts_are_fixed() {
        let f = refused(vec![(Some("reason"), "x")]);
        let v = encode(&f, "session-a");
        assert_eq!(decode(&v, "session-a"), Some(f.clone()));
        assert_eq!(decode(&v, "session-b"), None, "another session cannot show it");
        assert_eq!(decode(&v.replacen('.', ".x", 1), "session-a"), None);
        assert_eq!(success_for("/findings/0190/review"), Some("/findings/*/review"));
        assert_eq!(success_for("/apps"), Some("/apps"));
        assert_eq!(success_for("/audit/verify"), None);
        let done = Flash { page: "/apps".into(), done: "/apps".into(), ..Flash::default() };
        let out = show_on_page(PAGE, &done);
        assert!(
            out.contains("The app has been added to the catalogue")
                && out.contains("govuk-notification-banner--success")
        );
        let forged = Flash { page: "/apps".into(), done: "<script>".into(), ..Flash::default() };
        assert!(!show_on_page(PAGE, &forged).contains("notification-banner"));
    }

    #[test]
    fn a_password_box_in_error_gets_its_message_and_never_a_value() {
        const FORM: &str = r#"<html><body><main id="main-content"><form method="post" action="/account/password">
<input type="hidden" name="csrf_token" value="t">
<div class="govuk-form-group"><label class="govuk-label" for="current_password">Current password</label><input class="govuk-input" id="current_password" name="current_password" type="password"></div>
<button>Change</button></form></main></body></html>"#;
        let flash = Flash {
            page: "/account".into(),
            action: "/account/password".into(),
            errors: vec![(Some("current_password".into()), "Enter your current password correctly".into())],
            values: vec![("current_password".into(), "typed".into())],
            ..Flash::default()
        };
        let out = show_on_page(FORM, &flash);
        assert!(out.contains(r##"<a href="#current_password">Enter your current password correctly</a>"##), "{out}");
        assert!(out.contains(r#"<p class="govuk-error-message" id="current_password-error">"#), "{out}");
        assert!(
            out.contains("govuk-form-group govuk-form-group--error") && out.contains("govuk-input--error"),
            "{out}"
        );
        assert!(!out.contains("typed"), "a password is never written back: {out}");
    }

    #[test]
    fn field_names_become_words() {
        assert_eq!(humanise("staff_number"), "Staff number");
        assert_eq!(sentence("Reason", "Enter a reason"), "Enter a reason");
        assert_eq!(sentence("Reason", "must not be empty"), "Reason: must not be empty");
    }
}
