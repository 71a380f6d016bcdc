//! Pages fit a phone (WCAG 1.4.10 Reflow): below 641px every data table stacks its rows as cards
//! with each value under its column's heading, and long values wrap, so no page is wider than
//! the screen. A path nothing routes gets GOV.UK's "Page not found" inside the page shell, and
//! the favicon is served from /static.

use crate::on_both;
use crate::support::{Backend, spawn, spawn_seeded};

/// A path nothing routes: 404 with the branded page, signed out (sign-in link) and signed in
/// (the person's navigation and Sign out); under /api/ a problem document; the favicon served.
async fn an_unknown_path_is_a_branded_page_not_found_and_the_favicon_is_served(b: Backend) {
    let app = spawn_seeded(b).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let r = http.get(format!("{}/no/such/page", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(r.headers().contains_key("content-security-policy"), "the page keeps the security headers");
    let html = r.text().await.unwrap();
    assert!(html.contains("<title>Page not found - Custodian</title>"), "{html}");
    assert!(html.contains("<h1 class=\"govuk-heading-l\" id=\"page-not-found\">Page not found</h1>"), "{html}");
    assert!(html.contains("moj-header") && html.contains("govuk-footer"), "inside the page shell: {html}");
    assert!(html.contains("href=\"/sign-in\""), "signed out: offers signing in: {html}");
    assert!(!html.contains("action=\"/sign-out\""), "signed out: no Sign out: {html}");
    assert!(html.contains("href=\"/static/favicon.svg\""), "the favicon is linked: {html}");

    let s = app.sign_in("daniel.okafor@warwickshire.police.example").await;
    let (status, html) = s.get("/devices/not-a-page/at-all").await;
    assert_eq!(status, 404, "{html}");
    assert!(html.contains("id=\"page-not-found\">Page not found</h1>"), "{html}");
    assert!(html.contains("action=\"/sign-out\""), "signed in: Sign out is there: {html}");
    assert!(html.contains("govuk-service-navigation__link"), "signed in: the navigation is there: {html}");
    assert!(html.contains("go to the home page</a>"), "{html}");

    // The API answers a problem document, not a page.
    let r = http.get(format!("{}/api/v1/no-such-thing", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["status"], 404, "{p}");

    // A route that exists is still routed (the fallback only answers what nothing else does).
    let r = http.get(format!("{}/sign-in", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);

    for (path, kind, magic) in
        [("/static/favicon.svg", "image/svg+xml", &b"<svg"[..]), ("/static/favicon.png", "image/png", &b"\x89PNG"[..])]
    {
        let r = http.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], kind, "{path}");
        let body = r.bytes().await.unwrap();
        assert!(body.starts_with(magic), "{path}");
    }
    let r = http.get(format!("{}/static/app.css", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let css = r.text().await.unwrap();
    assert!(css.contains(".app-table--stack") && css.contains(".app-card") && css.contains(".app-stat"), "{css}");
    app.stop().await;
}
on_both!(an_unknown_path_is_a_branded_page_not_found_and_the_favicon_is_served);

/// Every data table in the templates stacks on a phone, and each of its cells names its column.
#[test]
fn every_data_table_in_the_templates_stacks_and_labels_its_cells() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut stack = vec![root];
    let mut problems = Vec::new();
    let mut tables = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for table in text.split("<table").skip(1) {
                tables += 1;
                let table = table.split("</table>").next().unwrap_or("");
                let name = path.display();
                if !table.trim_start().starts_with("class=\"govuk-table app-table--stack") {
                    problems.push(format!("{name}: a table without app-table--stack"));
                }
                let body = table.split("<tbody").nth(1).unwrap_or("");
                for cell in body.split("<td").skip(1) {
                    let tag = cell.split('>').next().unwrap_or("");
                    if !tag.contains("data-label=") && !tag.contains("colspan") {
                        // Only a column with no heading (a button) may go unlabelled.
                        if !table.contains("class=\"govuk-table__header\"></th>") {
                            problems.push(format!("{name}: a cell without data-label: <td{tag}>"));
                        }
                    }
                }
            }
        }
    }
    assert!(tables >= 30, "found {tables} tables");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What a crawl at phone size found.
#[derive(Default)]
struct Crawl {
    visited: usize,
    stacked: usize,
    problems: Vec<String>,
}

/// The shape of a page's address: its path with every id (a UUID or a number) as `{}`, so that
/// a crawl visits each kind of page once rather than every device in the register.
fn shape(href: &str) -> String {
    let path = href.split(['?', '#']).next().unwrap_or("");
    path.split('/')
        .map(|seg| if uuid::Uuid::parse_str(seg).is_ok() || seg.parse::<u64>().is_ok() { "{}" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// Sign in as `account` (who, e-mail, password) in the phone-sized browser, visit `start` and the pages they link to (each
/// kind of page once, at most `limit`), and record any page wider than the window.
async fn crawl(
    c: &fantoccini::Client,
    base: &str,
    (who, email, password): (&str, &str, &str),
    start: &[String],
    limit: usize,
    out: &mut Crawl,
) {
    use fantoccini::Locator;
    c.goto(&format!("{base}/sign-in")).await.unwrap();
    c.find(Locator::Id("email")).await.unwrap().send_keys(email).await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(password).await.unwrap();
    c.find(Locator::Id("sign-in")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("h1.govuk-heading-xl")).await.unwrap();
    let mut queue: std::collections::VecDeque<String> = start.iter().cloned().collect();
    let mut seen: std::collections::HashSet<String> = start.iter().map(|p| shape(p)).collect();
    let mut visited = 0;
    while let Some(path) = queue.pop_front() {
        if visited >= limit {
            break;
        }
        c.goto(&format!("{base}{path}")).await.unwrap();
        let v = c
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth, \
                  !!document.querySelector('main'), \
                  document.querySelectorAll('main table.app-table--stack').length, \
                  Array.from(document.querySelectorAll('main a[href^=\"/\"]')).map(a => a.getAttribute('href')), \
                  Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1) \
                    .slice(-3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + Array.from(e.classList).join('.') \
                    + ' ' + Math.round(e.getBoundingClientRect().width) + 'px')];",
                vec![],
            )
            .await
            .unwrap();
        let v = v.as_array().unwrap();
        let (scroll, inner) = (v[0].as_u64().unwrap(), v[1].as_u64().unwrap());
        if !v[2].as_bool().unwrap() {
            continue;
        }
        visited += 1;
        assert!(inner <= 400, "a phone-sized window: innerWidth {inner}");
        if scroll > inner {
            out.problems.push(format!("{who} {path}: {scroll}px wide in a {inner}px window (the widest: {})", v[5]));
        }
        if v[3].as_u64().unwrap() > 0 {
            out.stacked += 1;
        }
        for href in v[4].as_array().unwrap() {
            let href = href.as_str().unwrap_or("").split('#').next().unwrap_or("").to_string();
            if !href.starts_with("/static")
                && !href.contains("export")
                && !href.contains(".csv")
                && !href.contains("sign-out")
                && seen.insert(shape(&href))
            {
                queue.push_back(href);
            }
        }
    }
    out.visited += visited;
    crate::support::browser_sign_out(c).await;
}

/// The page the browser shows: whether it is a page of the service (it has a `<main>`), its
/// width, the window's, whether it has a stacked table, and the widest elements.
async fn width(c: &fantoccini::Client) -> (bool, u64, u64, bool, String) {
    let v = c
        .execute(
            "return [!!document.querySelector('main'), document.documentElement.scrollWidth, window.innerWidth, \
              document.querySelectorAll('main table.app-table--stack').length > 0, \
              Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1) \
                .slice(-3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + Array.from(e.classList).join('.') \
                + ' ' + Math.round(e.getBoundingClientRect().width) + 'px').join(', ')];",
            vec![],
        )
        .await
        .unwrap();
    (
        v[0].as_bool().unwrap_or(false),
        v[1].as_u64().unwrap_or(0),
        v[2].as_u64().unwrap_or(0),
        v[3].as_bool().unwrap_or(false),
        v[4].as_str().unwrap_or("").to_string(),
    )
}

/// Every demo role, every kind of page it reaches (the pages the form and identifier crawls
/// visit: from every page at a fixed address, following links, each kind of page once, on the
/// demo with the axe test's records added), at 390x844 and at 1280x900: no page is wider than
/// the window (`document.documentElement.scrollWidth <= innerWidth`). Then, with a monitoring
/// round drawn on the test force, its round page, case record and custody report on a phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_phone_browser_no_page_is_wider_than_the_screen() {
    let Some(browser) = crate::browser::start().await else { return };
    let c = &browser.client;
    let mut found = Crawl::default();
    let started = std::time::Instant::now();
    let mut crawling = std::time::Duration::ZERO;

    let app = spawn(Backend::Sqlite).await;
    let info = custodian_server::demo::seed(app.store(), app.state.passwords()).await.unwrap();
    crate::axe::add_records(&app).await;
    let mut desktop = 0;
    for (who, email) in &info.accounts {
        // The pages, found over HTTP as this person.
        let t = std::time::Instant::now();
        let pages = crate::forms_ux::every_kind_of_page(&app.sign_in_with(email, &info.password).await).await;
        crawling += t.elapsed();
        crate::support::browser_sign_in_with(c, &app.base, email, &info.password).await;
        for (w, h) in [(390, 844), (1280, 900)] {
            c.set_window_size(w, h).await.unwrap();
            for path in &pages {
                c.goto(&format!("{}{path}", app.base)).await.unwrap();
                let (page, scroll, inner, stacked, widest) = width(c).await;
                if !page {
                    continue;
                }
                if w == 390 {
                    assert!(inner <= 400, "a phone-sized window: innerWidth {inner}");
                    found.visited += 1;
                    found.stacked += usize::from(stacked);
                } else {
                    desktop += 1;
                }
                if scroll > inner {
                    found.problems.push(format!(
                        "{who} {w}x{h} {path}: {scroll}px wide in a {inner}px window (the widest: {widest})"
                    ));
                }
            }
        }
        crate::support::browser_sign_out(c).await;
    }
    app.stop().await;
    eprintln!(
        "reflow: {} pages at 390x844 and {desktop} at 1280x900 as {} roles in {:.0?} (of which {:.0?} finding them over HTTP)",
        found.visited,
        info.accounts.len(),
        started.elapsed(),
        crawling
    );
    assert_eq!(found.visited, desktop, "the same pages at both sizes");
    c.set_window_size(390, 844).await.unwrap();

    // A drawn round with an exclusion, and a case with a step, on the test force.
    let app = spawn_seeded(Backend::Sqlite).await;
    let psd = app.api(&app.token("A1012").await);
    let secret = "psd secret for the round";
    let commitment = crate::monitoring::commitment_to(secret);
    let round = crate::monitoring::open_round(&psd, serde_json::json!({"name": "Spring check", "areas": ["Response Policing North"], "sample_size": 2, "commitment": commitment})).await;
    let (s, r) = psd
        .post(
            &format!("/monitoring/rounds/{round}/exclusions"),
            serde_json::json!({"staff_number": "A1019", "reason": "Long-term absence from the force on a secondment"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    crate::monitoring::draw_round(&psd, &round, secret).await;
    let (s, cases) = psd.get(&format!("/monitoring/cases?round={round}")).await;
    assert_eq!(s, 200, "{cases}");
    let case = cases[0]["id"].as_str().unwrap().to_string();
    let start = vec![
        "/monitoring".to_string(),
        format!("/monitoring/rounds/{round}"),
        format!("/monitoring/cases/{case}"),
        format!("/api/v1/monitoring/cases/{case}/report"),
        "/audit".to_string(),
    ];
    let before = found.visited;
    crawl(
        c,
        &app.base,
        ("PSD (monitoring)", "niamh.doherty@warwickshire.police.example", crate::support::PASSWORD),
        &start,
        15,
        &mut found,
    )
    .await;
    assert!(found.visited - before >= 4, "the monitoring pages were reached");
    app.stop().await;
    browser.close().await;

    assert!(found.visited >= 300, "the crawl reached {} pages", found.visited);
    assert!(found.stacked >= 15, "only {} pages had a stacked table", found.stacked);
    assert!(
        found.problems.is_empty(),
        "{} pages wider than the screen:\n{}",
        found.problems.len(),
        found.problems.join("\n")
    );
}

/// Where a page's heading starts, how many rows the navigation takes, and whether its menu
/// button shows, in the browser's window as it is.
async fn measure(c: &fantoccini::Client) -> serde_json::Value {
    c.execute(
        "const h1 = document.querySelector('main h1');\
         const items = Array.from(document.querySelectorAll('#navigation > li'));\
         const toggle = document.querySelector('.govuk-service-navigation__toggle');\
         return {h1: h1 ? Math.round(h1.getBoundingClientRect().top + window.scrollY) : -1,\
                 items: items.length,\
                 rows: new Set(items.map(i => Math.round(i.getBoundingClientRect().top))).size,\
                 toggle: !!toggle && !toggle.hidden && toggle.getBoundingClientRect().height > 0,\
                 listShown: items.length > 0 && items[0].getBoundingClientRect().height > 0,\
                 hrefs: items.map(i => i.querySelector('a').getAttribute('href'))};",
        vec![],
    )
    .await
    .unwrap()
}

/// Every demo role, on a 390x844 phone: the home page's heading and the heading of every
/// section the person's navigation offers start within 200 px of the top (the navigation is a
/// "Menu" button there, and opens to show every item); at 1280 px the navigation is one row of
/// at most six items.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_every_role_sees_the_heading_near_the_top_and_the_navigation_in_one_row() {
    let Some(browser) = crate::browser::start().await else { return };
    let c = &browser.client;
    let app = spawn(Backend::Sqlite).await;
    let info = custodian_server::demo::seed(app.store(), app.state.passwords()).await.unwrap();
    let mut problems = Vec::new();
    let mut measured = 0;
    let mut deepest = (0, String::new());
    for (role, email) in &info.accounts {
        use fantoccini::Locator;
        c.set_window_size(390, 844).await.unwrap();
        crate::support::browser_sign_in_with(c, &app.base, email, &info.password).await;
        let home = measure(c).await;
        let hrefs: Vec<String> =
            home["hrefs"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().to_string()).collect();
        if hrefs.len() > 6 || hrefs.is_empty() {
            problems.push(format!("{role}: {} top-level items", hrefs.len()));
        }
        if !home["toggle"].as_bool().unwrap() || home["listShown"].as_bool().unwrap() {
            problems.push(format!("{role}: on a phone the navigation is not folded into its Menu button: {home}"));
        }
        // The Menu button opens the list, every item in it.
        c.find(Locator::Css(".govuk-service-navigation__toggle")).await.unwrap().click().await.unwrap();
        let open = measure(c).await;
        if !open["listShown"].as_bool().unwrap() {
            problems.push(format!("{role}: the Menu button does not open the navigation: {open}"));
        }
        for href in &hrefs {
            c.goto(&format!("{}{href}", app.base)).await.unwrap();
            let m = measure(c).await;
            let top = m["h1"].as_i64().unwrap();
            measured += 1;
            if top > deepest.0 {
                deepest = (top, format!("{role} {href}"));
            }
            if !(0..=200).contains(&top) {
                problems.push(format!("{role} {href}: the heading starts at {top} px on a 390x844 phone"));
            }
        }
        c.set_window_size(1280, 900).await.unwrap();
        c.goto(&format!("{}/", app.base)).await.unwrap();
        let wide = measure(c).await;
        if wide["rows"].as_i64() != Some(1) || wide["toggle"].as_bool().unwrap() {
            problems.push(format!("{role}: at 1280 px the navigation is not one row: {wide}"));
        }
        crate::support::browser_sign_out(c).await;
    }
    // In a major incident the banner's guidance is folded away except on the posts pages: the
    // officer's home page heading stays near the top.
    let comms = info.accounts.iter().find(|(r, _)| r == "Corporate Communications").unwrap();
    let comms = app.store().person_by_email(&comms.1).await.unwrap().unwrap();
    let body = serde_json::json!({"name": "Flooding in Stratford", "reason": "Gold command", "guidance": "Share the force's own posts only."});
    let (s, p) = app.api(&app.token(&comms.staff_number).await).post("/posts/incident", body).await;
    assert_eq!(s, 201, "{p}");
    let officer = &info.accounts.iter().find(|(r, _)| r == "Officer holding a device").unwrap().1;
    c.set_window_size(390, 844).await.unwrap();
    crate::support::browser_sign_in_with(c, &app.base, officer, &info.password).await;
    let incident = measure(c).await["h1"].as_i64().unwrap();
    eprintln!("in a major incident, the officer's home page heading starts at {incident} px");
    if !(0..=300).contains(&incident) {
        problems.push(format!("in a major incident the home page heading starts at {incident} px"));
    }
    let banner = c.find(fantoccini::Locator::Id("incident-banner")).await.unwrap().text().await.unwrap();
    assert!(banner.contains("Flooding in Stratford") && banner.contains("What to do"), "{banner}");
    browser.close().await;
    app.stop().await;
    eprintln!("headings measured on {measured} pages; the lowest at {} px ({})", deepest.0, deepest.1);
    assert!(info.accounts.len() >= 10 && measured >= 30, "{} roles, {measured} pages", info.accounts.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
