//! The web interface over HTTP, and one end-to-end journey in headless Chromium.

use crate::on_both;
use crate::support::{Backend, spawn_seeded};

async fn digital_services_allocate_from_the_device_page_and_the_holder_confirms(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.sign_in("daniel.okafor@warwickshire.police.example").await;
    let page = ds.get_ok("/devices?status=in_stock").await;
    assert!(page.contains("WP-LT-0006"));
    assert!(!page.contains("WP-LT-0001"), "the filter applies");
    // htmx asks for the table alone.
    let partial =
        crate::support::text_of(ds.http.get(format!("{}/devices?q=WP-LT", app.base)).header("HX-Request", "true"))
            .await;
    assert!(partial.contains("device-count") && !partial.contains("<html"), "{partial}");
    let d = app.device("WP-LT-0006").await;
    let (s, page) = ds.get(&format!("/devices/{}", d.id)).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("The use of each device is restricted to the individual to whom it is allocated"),
        "the clause's words are shown"
    );
    let (s, page) = ds.post(&format!("/devices/{}/allocate", d.id), &[("staff_number", "NOPE"), ("reason", "x")]).await;
    assert_eq!(s, 422);
    assert!(page.contains("govuk-error-summary") && page.contains("No person has staff number NOPE"));
    let (s, _) =
        ds.post(&format!("/devices/{}/allocate", d.id), &[("staff_number", "A1018"), ("reason", "Replacement")]).await;
    assert_eq!(s, 303);

    let holder = app.sign_in("jack.thornton@warwickshire.police.example").await;
    let (_, mine) = holder.get("/my-devices").await;
    assert!(mine.contains("WP-LT-0006") && mine.contains("Confirm receipt"));
    let (s, _) = holder.post(&format!("/my-devices/{}/confirm", d.id), &[]).await;
    assert_eq!(s, 303);
    let (_, mine) = holder.get("/my-devices?done=confirmed").await;
    assert!(mine.contains("Receipt confirmed"));
    assert!(app.device("WP-LT-0006").await.receipt_confirmed_at.is_some());
    let (_, history) = ds.get(&format!("/devices/{}", d.id)).await;
    assert!(history.contains("Receipt confirmed by Jack Thornton"));
    app.stop().await;
}
on_both!(digital_services_allocate_from_the_device_page_and_the_holder_confirms);

async fn personal_numbers_are_shown_only_with_a_logged_reason(b: Backend) {
    let app = spawn_seeded(b).await;
    let psd = app.sign_in("gareth.lloyd@warwickshire.police.example").await;
    let kwame = app.person("A1016").await;
    let (_, page) = psd.get(&format!("/people/{}", kwame.id)).await;
    assert!(!page.contains("+441214960116"));
    let (_, page) = psd.get(&format!("/people/{}?reason=Checking+a+call+diversion", kwame.id)).await;
    assert!(page.contains("+441214960116"));
    let log = app.store().audit_page(Some("person:A1016"), None, 1, 10).await.unwrap();
    let view = log.items.iter().find(|e| e.action == "person.view_personal_numbers").expect("the view is logged");
    assert_eq!(view.actor, "person:A1004");
    assert_eq!(view.justification.as_deref(), Some("Checking a call diversion"));
    app.stop().await;
}
on_both!(personal_numbers_are_shown_only_with_a_logged_reason);

async fn every_page_renders_for_an_administrator_and_an_auditor(b: Backend) {
    let app = spawn_seeded(b).await;
    for email in ["sophie.brennan@warwickshire.police.example", "oliver.bannister@warwickshire.police.example"] {
        let s = app.sign_in(email).await;
        for path in ["/", "/my-devices", "/findings", "/policy", "/audit", "/people", "/devices"] {
            let (status, body) = s.get(path).await;
            assert!(status == 200 || status == 403, "{email} {path}: {status}");
            if status == 200 {
                assert!(body.contains("<main") && body.contains("csrf-token"), "{path} uses the layout");
            }
        }
    }
    let auditor = app.sign_in("oliver.bannister@warwickshire.police.example").await;
    let (_, page) = auditor.post("/audit/verify", &[]).await;
    assert!(page.contains("The log is intact"), "{page}");
    let (_, home) = auditor.get("/").await;
    assert!(home.contains("<svg"), "the dashboard shows a chart");
    app.stop().await;
}
on_both!(every_page_renders_for_an_administrator_and_an_auditor);

/// The journey in a real browser: Digital Services sign in and allocate a device; the holder
/// sees it in "My devices" and confirms receipt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_a_device_is_allocated_and_its_holder_confirms_receipt() {
    let Some(browser) = crate::browser::start().await else { return };
    let app = spawn_seeded(Backend::Sqlite).await;
    let c = &browser.client;
    use fantoccini::Locator;
    let sign_in = |email: &'static str| crate::support::browser_sign_in(c, &app.base, email);
    sign_in("daniel.okafor@warwickshire.police.example").await;
    let d = app.device("WP-LT-0006").await;
    c.goto(&format!("{}/devices/{}", app.base, d.id)).await.unwrap();
    c.find(Locator::Id("staff_number")).await.unwrap().send_keys("A1018").await.unwrap();
    c.find(Locator::Id("reason")).await.unwrap().send_keys("Replacement laptop").await.unwrap();
    c.find(Locator::Id("allocate")).await.unwrap().click().await.unwrap();
    let holder = crate::browser::text_when(c, Locator::Id("device-holder"), |t| t.contains("Jack")).await;
    assert!(holder.contains("Jack Thornton"), "{holder}");
    // Sign out, then sign in as the holder.
    c.find(Locator::Css("form[action='/sign-out'] button")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("email")).await.unwrap();
    sign_in("jack.thornton@warwickshire.police.example").await;
    c.goto(&format!("{}/my-devices", app.base)).await.unwrap();
    c.find(Locator::Id("confirm-WP-LT-0006")).await.unwrap().click().await.unwrap();
    let banner =
        crate::browser::text_when(c, Locator::Css(".govuk-notification-banner__heading"), |t| t.contains("Receipt"))
            .await;
    assert!(banner.contains("Receipt confirmed"), "{banner}");
    assert!(app.device("WP-LT-0006").await.receipt_confirmed_at.is_some());
    browser.close().await;
    app.stop().await;
}

/// The top-level items of a page (href, label, current), read from the service navigation.
pub(crate) fn nav_items(html: &str) -> Vec<(String, String, bool)> {
    let list = html.split("id=\"navigation\">").nth(1).and_then(|l| l.split("</ul>").next()).unwrap_or("");
    links(list)
}

/// The sub navigation's pages (href, label, current), empty when the page has none.
fn subnav_items(html: &str) -> Vec<(String, String, bool)> {
    let list = html.split("moj-sub-navigation__list\">").nth(1).and_then(|l| l.split("</ul>").next()).unwrap_or("");
    links(list)
}

fn links(list: &str) -> Vec<(String, String, bool)> {
    list.split("<a ")
        .skip(1)
        .map(|a| {
            let href = a.split("href=\"").nth(1).and_then(|h| h.split('"').next()).unwrap_or("").to_string();
            let tag_end = a.find('>').unwrap_or(0);
            let current = a[..tag_end].contains("aria-current");
            let text = a[tag_end + 1..].split("</a>").next().unwrap_or("");
            let label = text
                .replace("<strong class=\"govuk-service-navigation__active-fallback\">", "")
                .replace("</strong>", "");
            (href, label.trim().to_string(), current)
        })
        .collect()
}

fn labels(items: &[(String, String, bool)]) -> Vec<&str> {
    items.iter().map(|(_, l, _)| l.as_str()).collect()
}

/// At most six top-level items, each a section; inside a section of more than one page the
/// person may use, a sub navigation. Digital Services: the register's imports under People;
/// Corporate Communications: the screening pack under Posts; an officer with no role sees only
/// what they can use, and every link they are shown answers them.
async fn the_navigation_is_at_most_six_sections_of_what_each_person_may_use(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.sign_in("tomasz.nowak@warwickshire.police.example").await;
    let html = ds.get_ok("/usage/imports").await;
    let nav = nav_items(&html);
    assert!(nav.len() <= 6, "{nav:?}");
    assert!(nav.contains(&("/people".into(), "People".into(), true)), "{nav:?}");
    let sub = subnav_items(&html);
    assert!(sub.contains(&("/imports".into(), "Imports".into(), false)), "{sub:?}");
    assert!(sub.contains(&("/usage/imports".into(), "Usage files".into(), true)), "{sub:?}");
    let (_, html) = ds.get("/devices").await;
    assert_eq!(
        labels(&subnav_items(&html)),
        ["Register", "My devices", "Apps", "Overseas"],
        "Digital Services keep the register"
    );
    let (_, html) = ds.get("/").await;
    assert!(subnav_items(&html).is_empty(), "no sub navigation on the home page");

    let cc = app.sign_in("priya.raman@warwickshire.police.example").await;
    let html = cc.get_ok("/screening/pack").await;
    assert!(nav_items(&html).contains(&("/posts".into(), "Posts".into(), true)), "{html}");
    let sub = subnav_items(&html);
    assert!(
        sub.contains(&("/posts".into(), "Posts".into(), false))
            && sub.contains(&("/screening/pack".into(), "Screening".into(), true)),
        "{sub:?}"
    );

    // An officer with no role: home, their devices (and the apps and overseas use they may ask
    // for), the findings about them; nothing they cannot use.
    let jack = app.sign_in("jack.thornton@warwickshire.police.example").await;
    let (_, html) = jack.get("/").await;
    let nav = nav_items(&html);
    assert_eq!(labels(&nav), ["Home", "Devices", "Findings"], "{nav:?}");
    assert_eq!(nav[1].0, "/my-devices", "the section opens on what they hold");
    let (_, html) = jack.get("/apps").await;
    assert_eq!(labels(&subnav_items(&html)), ["My devices", "Apps", "Overseas"]);
    let (_, html) = jack.get("/findings").await;
    assert!(subnav_items(&html).is_empty(), "Findings is one page for them: {html}");
    for (href, label, _) in nav.iter().chain(subnav_items(&jack.get("/my-devices").await.1).iter()) {
        let (s, _) = jack.get(href).await;
        assert_eq!(s, 200, "{label} ({href}) is shown, so they may use it");
    }
    // Once they ask for something that needs approving, Approvals is theirs, and their line
    // manager's (who has no role and nothing to decide before).
    let kwame = app.sign_in("kwame.mensah@warwickshire.police.example").await;
    assert!(!labels(&nav_items(&kwame.get("/").await.1)).contains(&"Approvals"));
    let day = |n: i64| (time::OffsetDateTime::now_utc().date() + time::Duration::days(n)).to_string();
    let body = serde_json::json!({"devices": ["WP-MB-0007"], "countries": ["FR"], "from": day(3), "to": day(5), "purpose": "Conference"});
    let (s, p) = app.api(&app.token("A1018").await).post("/overseas/requests", body).await;
    assert_eq!(s, 201, "{p}");
    for who in [&jack, &kwame] {
        let nav = nav_items(&who.get("/").await.1);
        assert!(labels(&nav).contains(&"Approvals") && nav.len() <= 6, "{nav:?}");
    }
    app.stop().await;
}
on_both!(the_navigation_is_at_most_six_sections_of_what_each_person_may_use);

/// WP034's words on a page are one folded "WP034 x.y" element after the task: never open
/// inset text before it, never once per approval step; the policy page has a contents list
/// linking to every section.
async fn the_clauses_are_one_folded_element_after_the_task_and_the_policy_has_contents(b: Backend) {
    let app = spawn_seeded(b).await;
    let jack = app.api(&app.token("A1018").await);
    let day = |n: i64| (time::OffsetDateTime::now_utc().date() + time::Duration::days(n)).to_string();
    let body = serde_json::json!({"devices": ["WP-MB-0007"], "countries": ["FR"], "from": day(3), "to": day(5), "purpose": "Conference"});
    let (s, r) = jack.post("/overseas/requests", body).await;
    assert_eq!(s, 201, "{r}");
    let (window, approval) = (r["id"].as_str().unwrap(), r["approval_id"].as_str().unwrap());
    let d = app.device("WP-LT-0006").await;
    let ds = app.sign_in("tomasz.nowak@warwickshire.police.example").await;
    let pages = [
        "/apps".to_string(),
        "/my-devices".into(),
        format!("/devices/{}", d.id),
        "/devices/new".into(),
        "/findings".into(),
        "/overseas".into(),
        format!("/overseas/{window}"),
        format!("/approvals/{approval}"),
        "/usage/imports".into(),
        "/usage/streaming-exceptions".into(),
        "/account".into(),
    ];
    for path in &pages {
        let (s, html) = ds.get(path).await;
        assert_eq!(s, 200, "{path}");
        let main = html.split("<main").nth(1).unwrap();
        assert_eq!(main.matches("class=\"govuk-details app-clause\"").count(), 1, "{path}: one folded element");
        assert!(!main.contains("govuk-inset-text app-clause"), "{path}");
        let clause = main.find("class=\"govuk-details app-clause\"").unwrap();
        let summary = &main[clause..].split("</summary>").next().unwrap();
        assert!(summary.contains("WP034 "), "{path}: {summary}");
        for task in ["<form", "<table", "govuk-summary-list"] {
            if let Some(at) = main.find(task) {
                assert!(at < clause, "{path}: the task ({task}) comes before the clause");
            }
        }
        // Every clause shown once, even where several steps act under it.
        for id in main.split("data-clause=\"").skip(1).map(|c| c.split('"').next().unwrap()) {
            assert_eq!(main.matches(&format!("data-clause=\"{id}\"")).count(), 1, "{path}: {id}");
        }
    }
    let (_, html) = ds.get(&format!("/overseas/{window}")).await;
    assert!(html.contains("data-clause=\"4.2\"") && html.contains("Under WP034 4.2"), "the step names its clause");

    let html = ds.get_ok("/policy").await;
    let contents = html.split("id=\"contents\"").nth(1).unwrap().split("</nav>").next().unwrap();
    let sections: Vec<&str> =
        html.split("<h2 class=\"govuk-heading-m\" id=\"").skip(1).map(|h| h.split('"').next().unwrap()).collect();
    assert!(sections.len() >= 6, "{sections:?}");
    for id in &sections {
        assert!(contents.contains(&format!("href=\"#{id}\"")), "the contents link to {id}");
    }
    assert_eq!(html.matches("href=\"#contents\"").count(), sections.len(), "back to the contents from each section");
    app.stop().await;
}
on_both!(the_clauses_are_one_folded_element_after_the_task_and_the_policy_has_contents);

/// The allocation form takes a person by name or staff number: the page offers the active
/// people as "Name (A1018)" in a native list (no JavaScript needed), and a full name typed
/// finds the one person who has it.
async fn a_device_is_allocated_to_a_person_chosen_by_name(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.sign_in("daniel.okafor@warwickshire.police.example").await;
    let d = app.device("WP-LT-0006").await;
    let page = format!("/devices/{}", d.id);
    let (_, html) = ds.get(&page).await;
    assert!(
        html.contains("list=\"people-choices\"") && html.contains("<option value=\"Jack Thornton (A1018)\">"),
        "{html}"
    );
    let allocate = format!("/devices/{}/allocate", d.id);
    let (s, html) = ds.post(&allocate, &[("staff_number", "Nobody Called This"), ("reason", "x")]).await;
    assert_eq!(s, 422);
    assert!(html.contains("No one is called Nobody Called This"), "{html}");
    let (s, _) = ds.post(&allocate, &[("staff_number", "Jack Thornton (A1018)"), ("reason", "Replacement")]).await;
    assert_eq!(s, 303);
    assert_eq!(app.device("WP-LT-0006").await.holder_staff_number.as_deref(), Some("A1018"));
    // A full name typed, in any case, finds the one active person who has it.
    let phone = app.device("WP-MB-0012").await;
    let (s, html) = ds
        .post(&format!("/devices/{}/allocate", phone.id), &[("staff_number", "kwame mensah"), ("reason", "New phone")])
        .await;
    assert_eq!(s, 303, "{html}");
    assert_eq!(app.device("WP-MB-0012").await.holder_staff_number.as_deref(), Some("A1016"));
    app.stop().await;
}
on_both!(a_device_is_allocated_to_a_person_chosen_by_name);
