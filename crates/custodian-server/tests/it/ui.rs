//! The web interface over HTTP, and one end-to-end journey in headless Chromium.

use crate::on_both;
use crate::support::{Backend, spawn};

async fn digital_services_allocate_from_the_device_page_and_the_holder_confirms(b: Backend) {
    let app = spawn(b).await;
    app.seed().await;
    let ds = app.sign_in("daniel.okafor@warwickshire.police.example").await;
    let (s, page) = ds.get("/devices?status=in_stock").await;
    assert_eq!(s, 200);
    assert!(page.contains("WP-LT-0006"));
    assert!(!page.contains("WP-LT-0001"), "the filter applies");
    // htmx asks for the table alone.
    let partial = ds
        .http
        .get(format!("{}/devices?q=WP-LT", app.base))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
    let app = spawn(b).await;
    app.seed().await;
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
    let app = spawn(b).await;
    app.seed().await;
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
    let app = spawn(Backend::Sqlite).await;
    app.seed().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sections_of_two_pages_are_one_navigation_item_with_a_sub_navigation() {
    let app = spawn(Backend::Sqlite).await;
    app.seed().await;
    // Digital Services import both the register and usage files: one "Imports" item, and inside
    // it a sub navigation between the two pages.
    let ds = app.sign_in("tomasz.nowak@warwickshire.police.example").await;
    let (s, html) = ds.get("/usage/imports").await;
    assert_eq!(s, 200);
    assert!(html.contains(">Imports</a>") && !html.contains(">Usage imports</a>"), "{html}");
    let sub = html.split("moj-sub-navigation__list").nth(1).expect("a sub navigation");
    assert!(sub.contains("href=\"/imports\"") && sub.contains("People and devices"), "{sub}");
    assert!(sub.contains("href=\"/usage/imports\" aria-current=\"page\">Usage files"), "{sub}");
    let (_, html) = ds.get("/findings").await;
    assert!(!html.contains("moj-sub-navigation__list"), "no sub navigation outside a section");
    // Corporate Communications: posts and the screening pack.
    let cc = app.sign_in("priya.raman@warwickshire.police.example").await;
    let (s, html) = cc.get("/screening/pack").await;
    assert_eq!(s, 200);
    let sub = html.split("moj-sub-navigation__list").nth(1).expect("a sub navigation");
    assert!(
        sub.contains("href=\"/posts\"")
            && sub.contains("href=\"/screening/pack\" aria-current=\"page\">Screening pack"),
        "{sub}"
    );
    // An officer sees neither section.
    let jack = app.sign_in("jack.thornton@warwickshire.police.example").await;
    let (_, html) = jack.get("/").await;
    assert!(!html.contains(">Imports</a>") && !html.contains("moj-sub-navigation__list"), "{html}");
    app.stop().await;
}
