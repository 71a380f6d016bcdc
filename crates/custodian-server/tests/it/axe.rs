//! axe-core on the demo: every role's pages, on a phone (390x844) and a desktop (1280x900), with
//! no accessibility violation at any impact (issue 16's "Done when"). axe-core is vendored for
//! this test only (`tests/fixtures/axe-core/`, MPL-2.0) and injected through WebDriver, which
//! the pages' Content-Security-Policy does not govern.
//!
//! The crawl is bounded: per role, the home page and the pages it links to, each kind of page
//! (its address with ids as `{}`) once, at most [`PAGES_PER_ROLE`], then the same pages at the
//! other size. The demo's roles and the pages reached are printed.

use crate::support::{Backend, spawn};

const AXE: &str = include_str!("../fixtures/axe-core/axe.min.js");

/// Pages per role at each size: with the demo's roles this keeps the test inside its CI budget
/// (see the elapsed time it prints).
const PAGES_PER_ROLE: usize = 8;

/// axe's violations on the page the browser shows, as "rule (impact): help — targets".
async fn violations(c: &fantoccini::Client) -> Vec<String> {
    c.execute(&format!("{AXE}\n;return typeof axe;"), vec![]).await.expect("axe-core loads");
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document, {resultTypes: ['violations']})\
               .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' +\
                  v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))\
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe-core runs");
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap_or("").to_string()).collect()
}

fn shape(href: &str) -> String {
    let path = href.split(['?', '#']).next().unwrap_or("");
    path.split('/')
        .map(|seg| if uuid::Uuid::parse_str(seg).is_ok() || seg.parse::<u64>().is_ok() { "{}" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// The pages `who` reaches from the home page (each kind once, at most `limit`), scanned at the
/// window's size as they are found.
async fn crawl(c: &fantoccini::Client, base: &str, who: &str, limit: usize, problems: &mut Vec<String>) -> Vec<String> {
    let mut queue: std::collections::VecDeque<String> = ["/".to_string()].into();
    let mut seen: std::collections::HashSet<String> = ["/".to_string()].into();
    let mut visited = Vec::new();
    while let Some(path) = queue.pop_front() {
        if visited.len() >= limit {
            break;
        }
        c.goto(&format!("{base}{path}")).await.unwrap();
        let links = c
            .execute(
                "return [!!document.querySelector('main'), Array.from(document.querySelectorAll('header a[href^=\"/\"], nav a[href^=\"/\"], main a[href^=\"/\"]')).map(a => a.getAttribute('href'))];",
                vec![],
            )
            .await
            .unwrap();
        let links = links.as_array().unwrap();
        if !links[0].as_bool().unwrap() {
            continue;
        }
        for v in violations(c).await {
            problems.push(format!("{who} 390x844 {path}: {v}"));
        }
        visited.push(path);
        for href in links[1].as_array().unwrap() {
            let href = href.as_str().unwrap_or("").split('#').next().unwrap_or("").to_string();
            if !href.starts_with("/static")
                && !href.starts_with("/api/")
                && !href.contains("export")
                && !href.contains(".csv")
                && !href.contains("sign-out")
                && seen.insert(shape(&href))
            {
                queue.push_back(href);
            }
        }
    }
    visited
}

async fn sign_in(c: &fantoccini::Client, base: &str, email: &str, password: &str) {
    use fantoccini::Locator;
    c.goto(&format!("{base}/sign-in")).await.unwrap();
    c.find(Locator::Id("email")).await.unwrap().send_keys(email).await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(password).await.unwrap();
    c.find(Locator::Id("sign-in")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("h1.govuk-heading-xl")).await.unwrap();
}

/// Every demo role's pages at 390x844 and 1280x900: axe-core finds no violation at any impact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_no_violation_on_any_role_s_pages_on_a_phone_or_a_desktop() {
    let Some(browser) = crate::browser::start().await else { return };
    let c = &browser.client;
    let started = std::time::Instant::now();
    let app = spawn(Backend::Sqlite).await;
    let info = custodian_server::demo::seed(app.store(), app.state.passwords()).await.unwrap();
    let mut problems = Vec::new();
    let mut scans = 0;

    // Signed out: the sign-in page.
    for (w, h) in [(390, 844), (1280, 900)] {
        c.set_window_size(w, h).await.unwrap();
        c.goto(&format!("{}/sign-in", app.base)).await.unwrap();
        for v in violations(c).await {
            problems.push(format!("signed out {w}x{h} /sign-in: {v}"));
        }
        scans += 1;
    }
    for (who, email) in &info.accounts {
        c.set_window_size(390, 844).await.unwrap();
        sign_in(c, &app.base, email, &info.password).await;
        let pages = crawl(c, &app.base, who, PAGES_PER_ROLE, &mut problems).await;
        scans += pages.len();
        c.set_window_size(1280, 900).await.unwrap();
        for path in &pages {
            c.goto(&format!("{}{path}", app.base)).await.unwrap();
            for v in violations(c).await {
                problems.push(format!("{who} 1280x900 {path}: {v}"));
            }
            scans += 1;
        }
        eprintln!("axe: {who}: {}", pages.join(" "));
        crate::support::browser_sign_out(c).await;
    }
    app.stop().await;
    browser.close().await;
    eprintln!("axe: {scans} scans of {} roles in {:.0?}", info.accounts.len(), started.elapsed());
    assert!(scans >= 2 * 4 * info.accounts.len(), "the crawl reached only {scans} pages");
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{} accessibility violations:\n{}", problems.len(), problems.join("\n"));
}
