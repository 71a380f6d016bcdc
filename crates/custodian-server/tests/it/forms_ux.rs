//! Every form errs on its own page, in plain words: a refused form comes back to the page it was
//! filled in on, at that page's address, with the error summary linking to fields that exist,
//! the message beside the field and the values typed kept; success shows a banner; and no page
//! shows internal identifiers (`person:`, UUIDs, epoch seconds, ISO times, raw keys).

use crate::on_both;
use crate::support::{Backend, Session, spawn, spawn_seeded};

async fn a_refused_form_comes_back_to_its_page_with_its_errors_and_values(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.sign_in("daniel.okafor@warwickshire.police.example").await;
    let d = app.device("WP-LT-0006").await;
    let page = format!("/devices/{}", d.id);
    let action = format!("/devices/{}/allocate", d.id);
    let (s, location) =
        ds.post_from(&page, &action, &[("staff_number", "NOPE"), ("reason", "Replacement <screen> & case")]).await;
    assert_eq!((s, location.as_str()), (303, page.as_str()), "back to the page the form is on");
    let (s, html) = ds.get(&page).await;
    assert_eq!(s, 422);
    assert!(html.contains("id=\"form-errors\"") && html.contains("No person has staff number NOPE"), "{html}");
    assert!(html.contains("<a href=\"#staff_number\">"), "the summary links to the field: {html}");
    assert!(html.contains("id=\"staff_number-error\""), "the message is beside the field");
    assert!(html.contains("govuk-form-group--error"));
    assert!(html.contains("value=\"NOPE\"") && html.contains("value=\"Replacement &lt;screen&gt; &amp; case\""));
    assert!(
        html.contains("Sign out") && html.contains("govuk-service-navigation__list"),
        "the whole page, not an error page"
    );
    assert!(!html.contains("staff_number:"), "no raw field name in the words");
    // Shown once: a reload is the page as it is.
    let html = ds.get_ok(&page).await;
    assert!(!html.contains("form-errors"));
    // Success: a banner with a fixed text on the page the form leads to.
    let (s, location) =
        ds.post_from(&page, &action, &[("staff_number", "A1018"), ("reason", "Replacement laptop")]).await;
    assert_eq!((s, location.as_str()), (303, page.as_str()));
    let html = ds.get_ok(&page).await;
    assert!(html.contains("govuk-notification-banner--success") && html.contains("The device has been allocated"));
    // A conflict (a blocked action) is shown on the page too, in its words, never a bare 409.
    let (s, location) = ds.post_from(&page, &action, &[("staff_number", "A1018"), ("reason", "Again")]).await;
    assert_eq!((s, location.as_str()), (303, page.as_str()));
    let (s, html) = ds.get(&page).await;
    assert_eq!(s, 422);
    // The words shown, not the markup: the page's ids are random UUIDs, which may hold "409".
    assert!(html.contains("id=\"form-errors\"") && !visible_text(&html).contains("409"), "{html}");
    // Without a Referer (an API client, a script) the error page answers as before.
    let (s, html) = ds.post(&action, &[("staff_number", "NOPE"), ("reason", "x")]).await;
    assert_eq!(s, 422);
    assert!(html.contains("govuk-error-summary"));
    app.stop().await;
}
on_both!(a_refused_form_comes_back_to_its_page_with_its_errors_and_values);

/// The text a person sees: the page without its tags, scripts, styles and `<code>` samples.
pub(crate) fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        out.push(' ');
        rest = &rest[i..];
        let lower = rest.get(..8).unwrap_or(rest).to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            "</script>"
        } else if lower.starts_with("<style") {
            "</style>"
        } else if lower.starts_with("<code") {
            "</code>"
        } else if lower.starts_with("<textare") {
            // What a person edits (the screening pack's TOML), not the page's words.
            "</textarea>"
        } else if lower.starts_with("<!--") {
            "-->"
        } else {
            ">"
        };
        match rest.find(skip_to) {
            Some(e) => rest = &rest[e + skip_to.len()..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
}

/// Whether `w` holds one of Custodian's own identifiers: a UUID of version 7, which it makes
/// for every record. (Other systems' references, such as an Intune device id, are version 4 and
/// are what Digital Services look a device up by in that system.)
fn is_uuid(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() >= 36
        && b.windows(36).any(|s| {
            s[14] == b'7'
                && s.iter()
                    .enumerate()
                    .all(|(i, c)| if [8, 13, 18, 23].contains(&i) { *c == b'-' } else { c.is_ascii_hexdigit() })
        })
}

/// The internal identifiers in a page's visible text, each with why it is one.
pub(crate) fn identifiers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(i) = text.find("person:") {
        found.push(format!("an actor: {}", &text[i..(i + 20).min(text.len())]));
    }
    for w in text.split_whitespace() {
        let w = w.trim_matches(|c: char| ",.;:()[]“”\"'".contains(c));
        if is_uuid(w) {
            found.push(format!("a UUID: {w}"));
        } else if w.len() == 10 && w.bytes().all(|c| c.is_ascii_digit()) && (w.starts_with('1') || w.starts_with('2')) {
            found.push(format!("epoch seconds: {w}"));
        } else if w.len() >= 16 && w.as_bytes()[4] == b'-' && w.as_bytes()[10] == b'T' && w.contains(':') {
            found.push(format!("an ISO time: {w}"));
        } else if !w.contains('@')
            && !w.contains('/')
            && w.contains('_')
            && w.bytes().all(|c| c.is_ascii_lowercase() || c == b'_' || c == b'.')
            && !w.starts_with('_')
        {
            found.push(format!("a raw key: {w}"));
        } else if custodian_screening::Category::ALL.iter().any(|c| c.as_str().contains('.') && c.as_str() == w) {
            found.push(format!("a category code: {w}"));
        }
    }
    found
}

#[test]
fn the_identifier_check_finds_what_it_looks_for_and_not_words() {
    let page = "<p>By person:A1002 at 1796191451 on 2026-12-03T14:05:00.123456789Z</p><td>line_manager</td>\
                <td>0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b</td><td>intune:3f1c2a9e-7b4d-4e21-9c6a-1d2e3f405a05</td><td>personal.address</td><script>var person_x;</script>";
    let found = identifiers(&visible_text(page));
    assert_eq!(found.len(), 6, "{found:?}");
    let fine = "<p>Priya Shah (A1002), 3 December 2026 at 2:05pm, Line manager, Home address, WP034 6.3, \
                jack.thornton@warwickshire.police.example, <code>custodian monitoring commitment</code></p>";
    assert!(identifiers(&visible_text(fine)).is_empty(), "{:?}", identifiers(&visible_text(fine)));
}

/// The pages at fixed addresses a crawl starts from: every GET page route without an id.
pub(crate) fn fixed_pages() -> Vec<String> {
    custodian_server::route_table()
        .into_iter()
        .filter(|r| {
            r.method == "GET" && !r.path.contains('{') && !r.path.starts_with("/api") && !r.path.contains("count")
        })
        .map(|r| r.path)
        .filter(|p| !["/sign-in", "/healthz", "/readyz", "/metrics", "/people/suggest"].contains(&p.as_str()))
        .collect()
}

/// The addresses a page links to that a crawl follows: Custodian's own pages, without their
/// fragment, and not static files, the API, exports or CSV downloads.
fn page_links(html: &str) -> impl Iterator<Item = String> + '_ {
    html.split("href=\"").skip(1).filter_map(|link| {
        let href = link.split('"').next().unwrap_or("").replace("&amp;", "&");
        let href = href.split('#').next().unwrap_or("").to_string();
        (href.starts_with('/')
            && !href.starts_with("/static")
            && !href.starts_with("/api")
            && !href.contains("export")
            && !href.contains(".csv"))
        .then_some(href)
    })
}

/// Every kind of page (its address with ids as `{}`) `s` reaches from [`fixed_pages`] by
/// following links, as the form crawl below finds them: each page's address, in the order found.
pub(crate) async fn every_kind_of_page(s: &Session) -> Vec<String> {
    let mut queue: std::collections::VecDeque<String> = fixed_pages().into();
    let mut seen: std::collections::HashSet<String> = queue.iter().map(|p| crate::axe::shape(p)).collect();
    let mut pages = Vec::new();
    while let Some(page) = queue.pop_front() {
        let (status, html) = s.get(&page).await;
        if status != 200 || !html.contains("<main") {
            continue;
        }
        for href in page_links(&html) {
            if seen.insert(crate::axe::shape(&href)) {
                queue.push_back(href);
            }
        }
        pages.push(page);
    }
    pages
}

/// Every page of the demo (with the axe test's records added) a person can reach by following
/// links from the pages at fixed addresses, as each demo account, shows no internal identifier:
/// every page, not one of each kind (an identifier may show on one record only).
async fn no_page_of_the_demo_shows_internal_identifiers(b: Backend) {
    let app = spawn(b).await;
    let info = custodian_server::demo::seed(app.store(), app.state.passwords()).await.unwrap();
    crate::axe::add_records(&app).await;
    let started = std::time::Instant::now();
    let fixed = fixed_pages();
    let mut problems = Vec::new();
    let mut visited_total = 0;
    for (who, email) in &info.accounts {
        let s = app.sign_in_with(email, &info.password).await;
        let mut queue: std::collections::VecDeque<String> = fixed.iter().cloned().collect();
        let mut seen: std::collections::HashSet<String> = queue.iter().cloned().collect();
        let mut visited = 0;
        while let Some(path) = queue.pop_front() {
            let (status, html) = s.get(&path).await;
            if status != 200 || !html.contains("<main") {
                continue;
            }
            visited += 1;
            let text = visible_text(&html);
            for found in identifiers(&text) {
                // Where it shows: the words around it.
                let word = found.rsplit(": ").next().unwrap_or("");
                let around = text.find(word).map_or(String::new(), |i| {
                    let from = (0..=i.saturating_sub(60)).rev().find(|k| text.is_char_boundary(*k)).unwrap_or(0);
                    let to = (i + word.len() + 60).min(text.len());
                    let to = (to..=text.len()).find(|k| text.is_char_boundary(*k)).unwrap_or(text.len());
                    text[from..to].split_whitespace().collect::<Vec<_>>().join(" ")
                });
                problems.push(format!("{who} {path}: {found} (in “{around}”)"));
            }
            for href in page_links(&html).filter(|h| !h.contains("page=")) {
                if seen.insert(href.clone()) {
                    queue.push_back(href);
                }
            }
        }
        visited_total += visited;
    }
    eprintln!("identifiers: {visited_total} pages as {} roles in {:.0?}", info.accounts.len(), started.elapsed());
    assert!(visited_total > 100, "the crawl reached {visited_total} pages");
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{} internal identifiers shown:\n{}", problems.len(), problems.join("\n"));
    app.stop().await;
}
on_both!(no_page_of_the_demo_shows_internal_identifiers);

/// In a browser at 390x844 and at 1280x900, each main form refused: the same address, an error
/// summary whose links reach fields on the page, the message beside the field, and what was
/// typed kept. (Every form of every role is refused over HTTP in
/// `every_form_of_every_role_refused_comes_back_to_its_page`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_phone_browser_each_main_form_is_refused_on_its_own_page() {
    use fantoccini::Locator;
    let Some(browser) = crate::browser::start().await else { return };
    let app = spawn_seeded(Backend::Sqlite).await;
    let c = &browser.client;
    c.set_window_size(390, 844).await.unwrap();
    let base = app.base.clone();

    /// Fill `fill` (element id, text), click `submit` (CSS), and check the refusal.
    async fn refused(c: &fantoccini::Client, base: &str, page: &str, fill: &[(&str, &str)], submit: &str) {
        c.goto(&format!("{base}{page}")).await.unwrap();
        for (id, text) in fill {
            let e = c.find(Locator::Id(id)).await.unwrap_or_else(|e| panic!("{page}: no #{id}: {e}"));
            e.clear().await.ok();
            e.send_keys(text).await.unwrap();
        }
        c.find(Locator::Css(submit))
            .await
            .unwrap_or_else(|e| panic!("{page}: no {submit}: {e}"))
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Id("form-errors"))
            .await
            .unwrap_or_else(|e| panic!("{page}: no error summary: {e}"));
        let url = c.current_url().await.unwrap();
        assert_eq!(&url.as_str()[base.len()..], page, "the same address");
        let links = c.find_all(Locator::Css("#form-errors a")).await.unwrap();
        assert!(!links.is_empty(), "{page}: the summary links to the problems");
        for l in links {
            let href = l.attr("href").await.unwrap().unwrap_or_default();
            let id = href.trim_start_matches('#');
            assert!(c.find(Locator::Id(id)).await.is_ok(), "{page}: the link {href} has its field on the page");
        }
        assert!(
            !c.find_all(Locator::Css(".govuk-error-message")).await.unwrap().is_empty(),
            "{page}: the message beside the field"
        );
        for (id, text) in fill {
            let v = c.find(Locator::Id(id)).await.unwrap().prop("value").await.unwrap().unwrap_or_default();
            assert_eq!(v, *text, "{page}: #{id} keeps what was typed");
        }
        assert!(c.find(Locator::Css("form[action='/sign-out'] button")).await.is_ok(), "{page}: Sign out is there");
    }

    // On a phone, then on a desktop.
    for (w, h) in [(390, 844), (1280, 900)] {
        c.set_window_size(w, h).await.unwrap();
        // Digital Services allocate a device to a staff number nobody has.
        crate::support::browser_sign_in(c, &base, "daniel.okafor@warwickshire.police.example").await;
        let d = app.device("WP-LT-0006").await;
        let page = format!("/devices/{}", d.id);
        refused(c, &base, &page, &[("staff_number", "NOPE"), ("reason", "Replacement laptop")], "#allocate").await;
        crate::support::browser_sign_out(c).await;

        // An officer asks for an app not in the catalogue without naming it.
        crate::support::browser_sign_in(c, &base, "jack.thornton@warwickshire.police.example").await;
        refused(
            c,
            &base,
            "/apps/requests/new",
            &[("business_need", "To read the shift rota on the move")],
            "#submit-request",
        )
        .await;
        crate::support::browser_sign_out(c).await;

        // Professional Standards create a monitoring round with a commitment that is not a hash.
        crate::support::browser_sign_in(c, &base, "niamh.doherty@warwickshire.police.example").await;
        refused(
            c,
            &base,
            "/monitoring",
            &[("name", "Round one"), ("sample_size", "two"), ("commitment", "not-a-sha-256")],
            "#submit-round",
        )
        .await;
        crate::support::browser_sign_out(c).await;

        // Corporate Communications declare a major incident without a reason or guidance.
        crate::support::browser_sign_in(c, &base, "priya.raman@warwickshire.police.example").await;
        refused(c, &base, "/posts", &[("incident-name", "Flooding in Rugby")], "#declare-incident button").await;
        crate::support::browser_sign_out(c).await;
    }
    browser.close().await;
    app.stop().await;
}

/// A draft with a finding that blocks publication: its page says why it cannot be submitted
/// instead of offering a button that is refused, and shows its findings and history in words.
async fn a_blocked_post_says_why_it_cannot_be_submitted(b: Backend) {
    use serde_json::json;
    let app = spawn_seeded(b).await;
    let cc = app.api(&app.token("A1009").await);
    let a = cc.create_account(json!({"platform": "x", "handle": "@WarksPoliceNorth", "team_manager": "A1001", "owning_team": "Response Policing North", "comms_approval": false, "corporate": false})).await;
    let laura = app.api(&app.token("A1017").await);
    let text = "OFFICIAL-SENSITIVE: briefing notes for the weekend patrol plan in Leamington.";
    let (s, p) = laura.post("/posts", json!({"account_id": a["id"], "text": text})).await;
    assert_eq!(s, 201, "{p}");
    let id = p["id"].as_str().unwrap().to_string();
    let session = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    let page = session.get_ok(&format!("/posts/{id}")).await;
    assert!(page.contains("id=\"submit-unavailable\"") && page.contains("block publication"), "{page}");
    assert!(!page.contains("id=\"submit-post\""), "no button that would be refused");
    let shown = identifiers(&visible_text(&page));
    assert!(shown.is_empty(), "{shown:?}");
    // A clean draft still offers the button.
    let (_, p) = laura.post("/posts", json!({"account_id": a["id"], "text": "Courier fraud warning: hang up."})).await;
    let (_, page) = session.get(&format!("/posts/{}", p["id"].as_str().unwrap())).await;
    assert!(page.contains("id=\"submit-post\"") && !page.contains("submit-unavailable"), "{page}");
    app.stop().await;
}
on_both!(a_blocked_post_says_why_it_cannot_be_submitted);

/// A POST form of a page as a test sends it refused: its action, what is sent (hidden fields
/// as they are, text boxes empty, each date's year `20x6`), and the values that must come back.
struct BlankForm {
    action: String,
    fields: Vec<(String, String)>,
    typed: Vec<(String, String)>,
    /// Each list's option as a browser sends it untouched: the one marked selected, or the first.
    chosen: Vec<(String, String)>,
}

/// The POST forms of a page that have a field a person fills in.
fn blank_forms(html: &str) -> Vec<BlankForm> {
    use custodian_server::web::html::{tags, unescape};
    let t = tags(html);
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let x = &t[i];
        if x.closing || x.name != "form" || !x.attr("method").is_some_and(|m| m.eq_ignore_ascii_case("post")) {
            i += 1;
            continue;
        }
        let action = unescape(x.attr("action").unwrap_or(""));
        let end = (i + 1..t.len()).find(|j| t[*j].closing && t[*j].name == "form").unwrap_or(t.len());
        // File uploads (imports, reports with evidence) are multipart: their pages answer them.
        if x.attr("enctype").is_some_and(|e| e.contains("multipart")) {
            i = end + 1;
            continue;
        }
        let (mut fields, mut typed, mut chosen, mut visible) = (Vec::new(), Vec::new(), Vec::new(), 0);
        for (k, y) in t[i + 1..end].iter().enumerate().filter(|(_, y)| !y.closing) {
            let Some(name) = y.attr("name").map(unescape) else { continue };
            match (y.name.as_str(), y.attr("type").unwrap_or("text")) {
                ("input", "hidden") => fields.push((name, unescape(y.attr("value").unwrap_or("")))),
                ("input", "submit" | "button" | "file") => {}
                ("input", "checkbox" | "radio") => visible += 1,
                ("select", _) => {
                    visible += 1;
                    let options: Vec<_> = t[i + 1 + k..end]
                        .iter()
                        .skip(1)
                        .take_while(|o| !(o.closing && o.name == "select"))
                        .filter(|o| !o.closing && o.name == "option")
                        .collect();
                    let pick = options.iter().find(|o| o.attr("selected").is_some()).or(options.first());
                    if let Some(v) = pick.and_then(|o| o.attr("value")) {
                        chosen.push((name, unescape(v)));
                    }
                }
                ("input", _) | ("textarea", _) => {
                    visible += 1;
                    let v = if name.ends_with("-year") { "20x6" } else { "" };
                    if !v.is_empty() {
                        typed.push((name.clone(), v.to_string()));
                    }
                    fields.push((name, v.to_string()));
                }
                _ => {}
            }
        }
        if visible > 0 && action.starts_with('/') && !action.starts_with("/sign-out") {
            out.push(BlankForm { action, fields, typed, chosen });
        }
        i = end;
    }
    out
}

/// Every form of every page each demo account reaches (following links from the pages at fixed
/// addresses and the records the axe test adds), sent as a browser sends it from its page with
/// its boxes empty (and a year that is not one): a refused form comes back to the same address
/// with the error summary, each of its links reaching a field on the page, a message beside a
/// field, and the values typed; never an error page at the form's address.
async fn every_form_of_every_role_refused_comes_back_to_its_page(b: Backend) {
    let app = spawn(b).await;
    let info = custodian_server::demo::seed(app.store(), app.state.passwords()).await.unwrap();
    crate::axe::add_records(&app).await;
    let fixed: Vec<String> = custodian_server::route_table()
        .into_iter()
        .filter(|r| {
            r.method == "GET" && !r.path.contains('{') && !r.path.starts_with("/api") && !r.path.contains("count")
        })
        .map(|r| r.path)
        .filter(|p| !["/sign-in", "/healthz", "/readyz", "/metrics", "/people/suggest"].contains(&p.as_str()))
        .collect();
    let (mut problems, mut refused, mut accepted, mut pages) = (Vec::new(), 0, 0, 0);
    let mut kinds = std::collections::HashSet::new();
    for (who, email) in &info.accounts {
        let s = app.sign_in_with(email, &info.password).await;
        let mut queue: std::collections::VecDeque<String> = fixed.iter().cloned().collect();
        let mut seen: std::collections::HashSet<String> = queue.iter().map(|p| crate::axe::shape(p)).collect();
        let mut tried = std::collections::HashSet::new();
        while let Some(page) = queue.pop_front() {
            let (status, html) = s.get(&page).await;
            if status != 200 || !html.contains("<main") {
                continue;
            }
            pages += 1;
            for href in page_links(&html) {
                if seen.insert(crate::axe::shape(&href)) {
                    queue.push_back(href);
                }
            }
            for form in blank_forms(&html) {
                // Each form once: its page, its action and its fields (two forms may share an
                // action, as the screening pack's lists and TOML forms do).
                let names: Vec<&str> = form.fields.iter().map(|(k, _)| k.as_str()).collect();
                if !tried.insert((crate::axe::shape(&page), crate::axe::shape(&form.action), names.join(","))) {
                    continue;
                }
                let sent: Vec<(&str, &str)> = form
                    .fields
                    .iter()
                    .chain(&form.chosen)
                    .filter(|(k, _)| k != "csrf_token")
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let r = s.post_from_page(&page, &form.action, &sent).await;
                let status = r.status().as_u16();
                let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                let answer = r.text().await.unwrap_or_default();
                let at = format!("{who}: {page} form {}", form.action);
                let html = if status == 303 && location == page {
                    let (status, html) = s.get(&page).await;
                    if status != 422 || !html.contains("govuk-error-summary") {
                        // Accepted, with a success banner on the same page.
                        accepted += 1;
                        continue;
                    }
                    html
                } else if status == 422 && form.action == page && answer.contains("id=\"form-errors\"") {
                    // Rendered in the answer itself, at the page's own address (a form whose
                    // values are too large for the refusal cookie, posted to its own page).
                    answer
                } else if (300..400).contains(&status) {
                    accepted += 1;
                    continue;
                } else {
                    problems.push(format!("{at}: answered {status} at the form's address, not on its page"));
                    continue;
                };
                refused += 1;
                kinds.insert(crate::axe::shape(&form.action));
                let at_ids = |id: &str| html.contains(&format!("id=\"{id}\""));
                let Some(list) = html.split("govuk-error-summary__list").nth(1) else {
                    problems.push(format!("{at}: no error summary list"));
                    continue;
                };
                let list = list.split("</ul>").next().unwrap_or("");
                let links: Vec<&str> =
                    list.split("href=\"#").skip(1).map(|p| p.split('"').next().unwrap_or("")).collect();
                if links.is_empty() {
                    problems.push(format!("{at}: the summary links to no field"));
                }
                for id in links {
                    if !at_ids(id) {
                        problems.push(format!("{at}: the summary links to #{id}, which is not on the page"));
                    }
                }
                if !html.contains("class=\"govuk-error-message\"") {
                    problems.push(format!("{at}: no message beside a field"));
                }
                for (name, v) in &form.typed {
                    if !html.contains(&format!("name=\"{name}\" type=\"text\" inputmode=\"numeric\" value=\"{v}\""))
                        && !html.contains(&format!("value=\"{v}\""))
                    {
                        problems.push(format!("{at}: {name} lost {v:?}"));
                    }
                }
            }
        }
    }
    eprintln!(
        "forms: {pages} pages as {} roles; {refused} refused forms checked ({} kinds of action), {accepted} accepted",
        info.accounts.len(),
        kinds.len()
    );
    assert!(kinds.len() >= 20, "only {} kinds of form were refused: {kinds:?}", kinds.len());
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{} forms erred off their page:\n{}", problems.len(), problems.join("\n"));
    app.stop().await;
}
on_both!(every_form_of_every_role_refused_comes_back_to_its_page);

/// The three forms that last erred off their page. A refused password change comes back to
/// "Your account" with its message beside the field and no password put back. A screening pack
/// refused as TOML, too large for the refusal cookie, is rendered in the answer itself at
/// `/screening/pack`, the address its form posts to, with every line typed and no cookie.
async fn a_refused_password_change_and_a_refused_pack_come_back_to_their_pages(b: Backend) {
    let app = spawn_seeded(b).await;
    let jack = app.sign_in("jack.thornton@warwickshire.police.example").await;
    let new = "copper kettle umbrella stair";
    let (s, location) = jack
        .post_from(
            "/account",
            "/account/password",
            &[("current_password", "wrong guess at it"), ("new_password", new), ("confirm_password", new)],
        )
        .await;
    assert_eq!((s, location.as_str()), (303, "/account"), "back to the page the form is on");
    let (s, html) = jack.get("/account").await;
    assert_eq!(s, 422);
    assert!(html.contains("<a href=\"#current_password\">Enter your current password correctly</a>"), "{html}");
    assert!(html.contains("id=\"current_password-error\"") && html.contains("govuk-form-group--error"), "{html}");
    assert!(!html.contains(new) && !html.contains("wrong guess"), "no password is put back: {html}");
    assert!(html.contains("Sign out"), "the whole page");

    let cc = app.sign_in("eleanor.pryce@warwickshire.police.example").await;
    let (s, page) = cc.get("/screening/pack").await;
    assert_eq!(s, 200);
    assert!(page.contains("<form method=\"post\" action=\"/screening/pack\" novalidate id=\"check-form\">"), "{page}");
    let typed = format!("{}\nthis line is not <TOML> & \"never\" was\n", custodian_screening::Pack::builtin_text());
    assert!(typed.len() > 4_096, "larger than a cookie: {} bytes", typed.len());
    let f = [("step", "check"), ("body", typed.as_str())];
    let r = cc.post_from_page("/screening/pack", "/screening/pack", &f).await;
    assert_eq!(r.status().as_u16(), 422, "answered here, not redirected");
    assert!(
        !r.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap_or("").starts_with("custodian_form=")),
        "no refusal cookie"
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"form-errors\"") && html.contains("<a href=\"#body\">"), "{html}");
    assert!(html.contains("id=\"body-error\""), "the message beside the box: {html}");
    let area = html.split("name=\"body\"").nth(1).expect("the TOML box");
    let area = &area[area.find('>').unwrap() + 1..area.find("</textarea>").unwrap()];
    assert_eq!(custodian_server::web::html::unescape(area), typed, "every line kept");
    assert!(
        html.contains("Sign out") && html.contains("<h1 class=\"govuk-heading-l\">Screening pack</h1>"),
        "the page"
    );
    // Without a Referer (a script) the check's own answer, as before.
    let (s, html) = cc.post("/screening/pack/check", &[("body", typed.as_str())]).await;
    assert_eq!(s, 422);
    assert!(html.contains("govuk-error-summary"), "{html}");
    app.stop().await;
}
on_both!(a_refused_password_change_and_a_refused_pack_come_back_to_their_pages);

/// Finds the form a [`BlankForm`] describes on the page in the browser, fills its boxes as the
/// HTTP crawl sends them (empty, each year `20x6`), marks the old document and submits the form
/// with its first submit button, as a person pressing it would.
const FILL_AND_SUBMIT: &str = r#"
const [action, names, typed] = arguments;
const forms = [...document.querySelectorAll('form')].filter(f =>
  (f.getAttribute('method') || '').toLowerCase() === 'post' && f.getAttribute('action') === action);
const form = forms.find(f => {
  const own = [...f.elements].filter(e => e.name && !['submit', 'button', 'file', 'checkbox', 'radio'].includes(e.type)
    && e.tagName !== 'SELECT' && e.tagName !== 'BUTTON').map(e => e.name);
  return names.every(n => own.includes(n));
});
if (!form) return 'gone';
for (const e of form.elements) {
  if (!e.name || e.type === 'hidden' || e.tagName === 'SELECT' || e.tagName === 'BUTTON') continue;
  if (['submit', 'button', 'file', 'checkbox', 'radio'].includes(e.type)) continue;
  e.value = typed[e.name] ?? '';
}
window.__custodianBefore = true;
const button = form.querySelector('button:not([type=button]):not([type=reset]), input[type=submit]');
form.requestSubmit(button || undefined);
return 'sent';
"#;

/// What a refused form's page shows in the browser: whether it is the page with the error
/// summary, the summary's links without a field, whether a message sits beside a field, the
/// typed values as the page holds them, and whether the page is wider than the window.
const READ_REFUSAL: &str = r#"
const [typed] = arguments;
const summary = document.getElementById('form-errors');
const links = summary ? [...summary.querySelectorAll('a')].map(a => a.getAttribute('href') || '') : [];
const kept = {};
for (const name of Object.keys(typed)) {
  const e = document.querySelector(`[name="${name}"]`);
  kept[name] = e ? e.value : null;
}
return {
  path: location.pathname + location.search,
  refused: !!summary,
  error_page: !summary && !!document.querySelector('.govuk-error-summary'),
  links: links.length,
  dangling: links.filter(h => !h.startsWith('#') || !document.getElementById(h.slice(1))),
  inline: document.querySelectorAll('.govuk-error-message').length,
  kept,
  signed_in: !!document.querySelector("form[action='/sign-out'] button"),
  too_wide: document.documentElement.scrollWidth > window.innerWidth,
  width: document.documentElement.scrollWidth,
};
"#;

/// In a real browser, as each demo account, at 390x844 and again at 1280x900: every form with a
/// field to fill on every page the account reaches (the pages and forms the HTTP crawl above
/// finds) is filled in as that crawl fills it and submitted with its button. A refused form must
/// come back at the page's own address with the error summary, every summary link reaching a
/// field on the page, a message beside a field, the values typed kept, Sign out there, the
/// page no wider than the window, and (for the first refusal of each kind of form at each size)
/// no axe-core violation at any impact. A form the browser submits and the server accepts is counted;
/// one whose page changed after an earlier acceptance is skipped and counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_every_form_of_every_role_is_refused_on_its_own_page_at_both_sizes() {
    let Some(browser) = crate::browser::start().await else { return };
    let app = spawn(Backend::Sqlite).await;
    let info = custodian_server::demo::seed(app.store(), app.state.passwords()).await.unwrap();
    crate::axe::add_records(&app).await;
    let c = &browser.client;
    let base = app.base.clone();
    let started = std::time::Instant::now();
    let (mut problems, mut refused, mut accepted, mut gone) = (Vec::new(), 0, 0, 0);
    let (mut kinds, mut axed) = (std::collections::HashSet::new(), std::collections::HashSet::new());
    for (who, email) in &info.accounts {
        // The forms this account meets on every kind of page it reaches (found over HTTP).
        let s = app.sign_in_with(email, &info.password).await;
        let mut tried = std::collections::HashSet::new();
        let mut forms = Vec::new();
        for page in every_kind_of_page(&s).await {
            let (_, html) = s.get(&page).await;
            for form in blank_forms(&html) {
                let names: Vec<&str> = form.fields.iter().map(|(k, _)| k.as_str()).collect();
                if tried.insert((crate::axe::shape(&page), crate::axe::shape(&form.action), names.join(","))) {
                    forms.push((page.clone(), form));
                }
            }
        }
        crate::support::browser_sign_in_with(c, &base, email, &info.password).await;
        for (w, h) in [(390, 844), (1280, 900)] {
            c.set_window_size(w, h).await.unwrap();
            for (page, form) in &forms {
                let at = format!("{who} {w}x{h}: {page} form {}", form.action);
                c.goto(&format!("{base}{page}")).await.unwrap();
                // The boxes a person types in, by name (hidden fields are the page's own).
                let names: Vec<&str> = form
                    .fields
                    .iter()
                    .filter(|(k, v)| k != "csrf_token" && (v.is_empty() || form.typed.iter().any(|(t, _)| t == k)))
                    .map(|(k, _)| k.as_str())
                    .collect();
                let typed: serde_json::Map<String, serde_json::Value> =
                    form.typed.iter().map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str()))).collect();
                let sent = c
                    .execute(
                        FILL_AND_SUBMIT,
                        vec![form.action.clone().into(), serde_json::json!(names), typed.clone().into()],
                    )
                    .await
                    .unwrap_or_else(|e| panic!("{at}: {e}"));
                if sent == "gone" {
                    gone += 1;
                    continue;
                }
                // Wait for the answer's page: the marked document is gone once it has loaded.
                let mut loaded = false;
                for _ in 0..200 {
                    let v = c
                        .execute("return !window.__custodianBefore && document.readyState === 'complete';", vec![])
                        .await;
                    if v.is_ok_and(|v| v == true) {
                        loaded = true;
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(25)).await;
                }
                if !loaded {
                    problems.push(format!("{at}: the browser did not send it (or no answer came within 5 s)"));
                    continue;
                }
                let r =
                    c.execute(READ_REFUSAL, vec![typed.clone().into()]).await.unwrap_or_else(|e| panic!("{at}: {e}"));
                let path = r["path"].as_str().unwrap_or("");
                if r["too_wide"] == true {
                    problems.push(format!("{at}: the answer's page at {path} is {} px wide", r["width"]));
                }
                if r["refused"] != true {
                    if r["error_page"] == true || path == form.action && path != page {
                        problems.push(format!("{at}: refused off its page, at {path}"));
                    } else {
                        accepted += 1;
                    }
                    continue;
                }
                refused += 1;
                // axe on the first refusal of each kind of form at each size (the pages
                // themselves are scanned by the axe test): the error state is a page too.
                let kind = crate::axe::shape(&form.action);
                kinds.insert(kind.clone());
                if axed.insert((w, kind)) {
                    for v in crate::axe::violations(c).await {
                        problems.push(format!("{at}: axe: {v}"));
                    }
                }
                if path != page {
                    problems.push(format!("{at}: refused at {path}, not at the page's own address"));
                }
                if r["links"] == 0 {
                    problems.push(format!("{at}: the summary links to no field"));
                }
                for d in r["dangling"].as_array().into_iter().flatten() {
                    problems.push(format!("{at}: the summary links to {d}, which is not on the page"));
                }
                if r["inline"] == 0 {
                    problems.push(format!("{at}: no message beside a field"));
                }
                for (name, v) in &form.typed {
                    if r["kept"][name] != v.as_str() {
                        problems.push(format!("{at}: {name} lost {v:?} (now {})", r["kept"][name]));
                    }
                }
                if r["signed_in"] != true {
                    problems.push(format!("{at}: not the whole page (no Sign out)"));
                }
            }
        }
        crate::support::browser_sign_out(c).await;
    }
    eprintln!(
        "browser forms: {} roles at 2 sizes; {refused} refusals checked ({} kinds of action), {accepted} accepted, \
         {gone} no longer on their page, in {:.0?}",
        info.accounts.len(),
        kinds.len(),
        started.elapsed()
    );
    assert!(kinds.len() >= 20, "only {} kinds of form were refused: {kinds:?}", kinds.len());
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    browser.close().await;
    app.stop().await;
}
