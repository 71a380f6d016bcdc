//! axe-core on the demo: every role's pages, on a phone (390x844) and a desktop (1280x900), with
//! no accessibility violation at any impact (issue 16's "Done when"). axe-core is vendored for
//! this test only (`tests/fixtures/axe-core/`, MPL-2.0) and injected through WebDriver, which
//! the pages' Content-Security-Policy does not govern.
//!
//! The pages: per role, every kind of page it reaches (its address with ids as `{}`: the pages
//! the form and identifier crawls find over HTTP, from every page at a fixed address following
//! links) that no earlier role's scan covered, each role's home page, and one record of each
//! kind in [`DETAILS`] the role can reach from its list (an app, an approval, a post, a
//! monitoring round and case), on records the test adds to the demo; each at 390x844 and again
//! at 1280x900. The demo's roles, the pages scanned and the time taken are printed.

use crate::support::{Backend, spawn};

const AXE: &str = include_str!("../fixtures/axe-core/axe.min.js");

/// Record pages scanned for every role that reaches them: (list page, record address prefix).
const DETAILS: &[(&str, &str)] = &[
    ("/apps", "/apps/"),
    ("/apps/requests", "/apps/requests/"),
    ("/approvals", "/approvals/"),
    ("/posts", "/posts/"),
    ("/monitoring", "/monitoring/rounds/"),
    ("/monitoring", "/monitoring/cases/"),
];

/// Records for [`DETAILS`] on the demo force: an app request for a new app (its app, request
/// and approval), a post in draft on a departmental account, and a monitoring round drawn with
/// its cases.
pub(crate) async fn add_records(app: &crate::support::TestApp) {
    use serde_json::json;
    let jack = app.api(&app.token("A1018").await);
    let phone = app.device("WP-MB-0007").await;
    let (s, r) = jack
        .post(
            "/apps/requests",
            json!({"new_app": {"name": "Signal", "platform": "ios", "package_id": "org.whispersystems.signal",
                "publisher": "Signal", "category": "messaging", "store_url": "https://apps.apple.com/app/signal/id874139669"},
                "devices": [phone.id], "business_need": "Talking to partner agencies"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let cc = app.api(&app.token("A1009").await);
    let a = cc.create_account(json!({"platform": "x", "handle": "@WarksPoliceNorth", "owning_team": "Response Policing North", "team_manager": "A1001", "comms_approval": false, "corporate": false})).await;
    let laura = app.api(&app.token("A1017").await);
    let (s, p) = laura.post("/posts", json!({"account_id": a["id"], "text": "Courier fraud warning: hang up."})).await;
    assert_eq!(s, 201, "{p}");
    let psd = app.api(&app.token("A1012").await);
    let secret = "psd secret for the axe round";
    let commitment = crate::monitoring::commitment_to(secret);
    let round = crate::monitoring::open_round(&psd, serde_json::json!({"name": "Spring check", "areas": ["Response Policing North"], "sample_size": 1, "commitment": commitment})).await;
    crate::monitoring::draw_round(&psd, &round, secret).await;
}

/// Per role, the first record of each kind in [`DETAILS`] its list links to.
async fn details(c: &fantoccini::Client, base: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (list, prefix) in DETAILS {
        c.goto(&format!("{base}{list}")).await.unwrap();
        let hrefs = c
            .execute(
                "return Array.from(document.querySelectorAll('main a[href^=\"' + arguments[0] + '\"]')).map(a => a.getAttribute('href'));",
                vec![serde_json::json!(prefix)],
            )
            .await
            .unwrap();
        let first = hrefs.as_array().unwrap().iter().filter_map(|h| h.as_str()).find(|h| {
            let h = h.split(['?', '#']).next().unwrap_or("");
            shape(h) == format!("{prefix}{{}}")
        });
        if let Some(h) = first {
            let h = h.split('#').next().unwrap_or("").to_string();
            if !found.contains(&h) {
                found.push(h);
            }
        }
    }
    found
}

/// Whether the page is wider than the window (WCAG 1.4.10 Reflow), as a problem naming the
/// widest elements; checked on every page the crawl scans, at both sizes.
async fn too_wide(c: &fantoccini::Client) -> Option<String> {
    let v = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth, \
              Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1) \
                .slice(-3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')).join(' ')];",
            vec![],
        )
        .await
        .unwrap();
    let (scroll, inner) = (v[0].as_u64().unwrap_or(0), v[1].as_u64().unwrap_or(0));
    (scroll > inner).then(|| format!("{scroll}px wide in a {inner}px window (the widest: {})", v[2]))
}

/// axe's violations on the page the browser shows, as "rule (impact): help — targets".
pub(crate) async fn violations(c: &fantoccini::Client) -> Vec<String> {
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

pub(crate) fn shape(href: &str) -> String {
    let path = href.split(['?', '#']).next().unwrap_or("");
    path.split('/')
        .map(|seg| if uuid::Uuid::parse_str(seg).is_ok() || seg.parse::<u64>().is_ok() { "{}" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// The overseas form sent with a first day that has no month: the page with its error summary.
async fn refused_overseas(c: &fantoccini::Client, base: &str, problems: &mut Vec<String>) {
    use fantoccini::Locator;
    c.goto(&format!("{base}/overseas")).await.unwrap();
    c.find(Locator::Id("from-day")).await.unwrap().send_keys("3").await.unwrap();
    c.find(Locator::Id("countries")).await.unwrap().send_keys("France").await.unwrap();
    c.find(Locator::Id("submit-overseas")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("form-errors")).await.unwrap();
    for v in violations(c).await {
        problems.push(format!("Officer 390x844 /overseas refused: {v}"));
    }
}

async fn sign_in(c: &fantoccini::Client, base: &str, email: &str, password: &str) {
    use fantoccini::Locator;
    c.goto(&format!("{base}/sign-in")).await.unwrap();
    c.find(Locator::Id("email")).await.unwrap().send_keys(email).await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(password).await.unwrap();
    c.find(Locator::Id("sign-in")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("h1.govuk-heading-xl")).await.unwrap();
}

/// Every demo role's pages at 390x844 and 1280x900: axe-core finds no violation at any impact,
/// and no page is wider than the window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_no_violation_on_any_role_s_pages_on_a_phone_or_a_desktop() {
    let Some(browser) = crate::browser::start().await else { return };
    let c = &browser.client;
    let started = std::time::Instant::now();
    let app = spawn(Backend::Sqlite).await;
    let info = custodian_server::demo::seed(app.store(), app.state.passwords()).await.unwrap();
    add_records(&app).await;
    let mut problems = Vec::new();
    let mut scans = 0;
    let mut record_scans = 0;
    let mut record_kinds: std::collections::HashSet<String> = Default::default();
    let mut seen: std::collections::HashSet<String> = ["/".to_string()].into();
    let mut finding = std::time::Duration::ZERO;

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
        // Each role's home page is its own; other kinds of page once across the roles.
        let t = std::time::Instant::now();
        let every = crate::forms_ux::every_kind_of_page(&app.sign_in_with(email, &info.password).await).await;
        finding += t.elapsed();
        let mut pages = Vec::new();
        let unscanned: Vec<String> = every.into_iter().filter(|p| p == "/" || !seen.contains(&shape(p))).collect();
        for path in unscanned {
            c.goto(&format!("{}{path}", app.base)).await.unwrap();
            if !c.execute("return !!document.querySelector('main');", vec![]).await.unwrap().as_bool().unwrap_or(false)
            {
                continue;
            }
            seen.insert(shape(&path));
            for v in violations(c).await {
                problems.push(format!("{who} 390x844 {path}: {v}"));
            }
            if let Some(w) = too_wide(c).await {
                problems.push(format!("{who} 390x844 {path}: {w}"));
            }
            pages.push(path);
        }
        scans += pages.len();
        if who == "Officer holding a device" {
            // A refused form: the error summary and a date input marked in error.
            refused_overseas(c, &app.base, &mut problems).await;
            scans += 1;
            pages.push("/overseas".into());
        }
        // One record of each kind this role's lists link to, scanned at both sizes.
        let records = details(c, &app.base).await;
        for path in &records {
            c.goto(&format!("{}{path}", app.base)).await.unwrap();
            for v in violations(c).await {
                problems.push(format!("{who} 390x844 {path}: {v}"));
            }
            if let Some(w) = too_wide(c).await {
                problems.push(format!("{who} 390x844 {path}: {w}"));
            }
            record_kinds.insert(shape(path));
            record_scans += 1;
        }
        let new: Vec<String> = records.into_iter().filter(|r| !pages.contains(r)).collect();
        pages.extend(new);
        c.set_window_size(1280, 900).await.unwrap();
        for path in &pages {
            c.goto(&format!("{}{path}", app.base)).await.unwrap();
            for v in violations(c).await {
                problems.push(format!("{who} 1280x900 {path}: {v}"));
            }
            if let Some(w) = too_wide(c).await {
                problems.push(format!("{who} 1280x900 {path}: {w}"));
            }
            scans += 1;
        }
        eprintln!("axe: {who}: {}", pages.join(" "));
        crate::support::browser_sign_out(c).await;
    }
    app.stop().await;
    browser.close().await;
    eprintln!(
        "axe: {scans} scans of {} kinds of page as {} roles, and {record_scans} of records ({} kinds: {:?}) at 390x844 and again at 1280x900, in {:.0?} (of which {:.0?} finding the pages over HTTP)",
        seen.len(),
        info.accounts.len(),
        record_kinds.len(),
        record_kinds,
        started.elapsed(),
        finding
    );
    for kind in ["/apps/{}", "/approvals/{}", "/posts/{}", "/monitoring/cases/{}"] {
        assert!(record_kinds.contains(kind), "no role reached a record {kind}: {record_kinds:?}");
    }
    assert!(seen.len() >= 60, "the crawl reached only {} kinds of page", seen.len());
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{} accessibility violations:\n{}", problems.len(), problems.join("\n"));
}
