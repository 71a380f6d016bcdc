//! The policy's life and what it asks of a person, in a real browser (WP034 2.3, 7.3, 10, 11):
//! Corporate Communications draft version 4 and change clause 6.5, which lists the rules that cite
//! it; the three consultees approve on the approval page (10.2); adoption records the approval
//! body and starts the acknowledgement campaign, which an officer completes. The officer then
//! declares an online association; the Force Vetting Unit opens it with a reason and assesses it;
//! her line manager is refused it.

use fantoccini::Locator;

use crate::support::{Backend, TestApp, browser_sign_in, browser_sign_out, spawn_seeded};
use custodian_store::Actor;

const SEED: &str = include_str!("../../../../fixtures/policy/WP034.txt");

async fn fill(c: &fantoccini::Client, id: &str, text: &str) {
    let e = c.find(Locator::Id(id)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn click(c: &fantoccini::Client, id: &str) {
    c.find(Locator::Id(id)).await.unwrap().click().await.unwrap();
}

/// A server on SQLite with the fixture force and WP034 as the Executive Board adopted it; and
/// the time it was loaded.
async fn with_policy() -> (TestApp, time::OffsetDateTime) {
    let app = spawn_seeded(Backend::Sqlite).await;
    let now = time::OffsetDateTime::now_utc();
    let wp034 = custodian_domain::policy::text::parse_text(SEED).unwrap();
    app.store().policy_import(&wp034, Some("Executive Board"), Actor::system().at(now)).await.unwrap();
    (app, now)
}

/// Eleanor Pryce (Corporate Communications) signed in, on the policy's versions page.
async fn versions_as_corporate_communications(c: &fantoccini::Client, base: &str) {
    browser_sign_in(c, base, "eleanor.pryce@warwickshire.police.example").await;
    c.goto(&format!("{base}/policy/versions")).await.unwrap();
}

async fn source(c: &fantoccini::Client) -> String {
    c.source().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_a_version_is_drafted_consulted_on_adopted_and_acknowledged_and_a_declaration_assessed() {
    let Some(browser) = crate::browser::start().await else { return };
    let (app, _) = with_policy().await;
    let c = &browser.client;
    let base = &app.base;

    // Corporate Communications (Eleanor Pryce) draft version 4 and change 6.5.
    versions_as_corporate_communications(c, base).await;
    click(c, "draft").await;
    c.wait().for_element(Locator::Id("clause-form")).await.unwrap();
    let draft = app.store().policy_versions("WP034").await.unwrap().into_iter().find(|v| v.status == "draft").unwrap();
    let old65 = app.store().policy_clauses(draft.id).await.unwrap().into_iter().find(|k| k.clause_id == "6.5").unwrap();
    let new65 = old65.text.replace("Snapchat and any other", "Snapchat, Signal and any other");
    fill(c, "clause", "6.5").await;
    fill(c, "text", &new65).await;
    click(c, "save-clause").await;
    c.wait().for_element(Locator::Id("change-6.5")).await.unwrap();
    let page = source(c).await;
    let flagged = page.split("id=\"flagged\"").nth(1).unwrap_or("");
    assert!(flagged.contains("screening:"), "the rules citing 6.5 are listed for review");
    click(c, "consult").await;
    c.wait().for_element(Locator::Id("consultation")).await.unwrap();
    let request = app.store().policy_version(draft.id).await.unwrap().unwrap().approval_request_id.unwrap();
    browser_sign_out(c).await;

    // The consultees approve on the approval page.
    for (email, step) in [
        ("callum.reid@warwickshire.police.example", "corporate_comms"),
        ("tomasz.nowak@warwickshire.police.example", "digital_services"),
        ("niamh.doherty@warwickshire.police.example", "psd"),
    ] {
        browser_sign_in(c, base, email).await;
        c.goto(&format!("{base}/approvals/{request}")).await.unwrap();
        click(c, &format!("verdict-approve-{step}")).await;
        click(c, &format!("decide-{step}")).await;
        let approved = format!("SELECT COUNT(*) FROM approval_steps WHERE step_key = '{step}' AND status = 'approved'");
        let mut n = 0;
        for _ in 0..50 {
            n = app.count(&approved).await;
            if n == 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(n, 1, "{step} approved in the browser");
        c.wait().for_element(Locator::Id("request-status")).await.unwrap();
        browser_sign_out(c).await;
    }
    assert_eq!(app.store().policy_version(draft.id).await.unwrap().unwrap().status, "consulted");

    // Adoption, with its approval body; the campaign for 6.5 starts.
    browser_sign_in(c, base, "eleanor.pryce@warwickshire.police.example").await;
    c.goto(&format!("{base}/policy/versions/{}", draft.id)).await.unwrap();
    fill(c, "approval_body", "Executive Board").await;
    fill(c, "next_review_on", "2029-12-01").await;
    fill(c, "amendment", "Review – Signal named among the direct messaging services (6.5)").await;
    click(c, "adopt").await;
    c.wait().for_element(Locator::Id("approval-body")).await.unwrap();
    let approved = c.find(Locator::Id("approval-body")).await.unwrap().text().await.unwrap();
    assert_eq!(approved, "Executive Board");
    let status = c.find(Locator::Id("status")).await.unwrap().text().await.unwrap();
    assert!(status.contains("adopted"), "{status}");
    browser_sign_out(c).await;
    let campaign =
        app.store().policy_campaigns().await.unwrap().into_iter().next().expect("adoption starts a campaign");

    // Laura Fenwick reads and acknowledges the changed clause.
    browser_sign_in(c, base, "laura.fenwick@warwickshire.police.example").await;
    c.goto(&format!("{base}/policy/campaigns/{}", campaign.id)).await.unwrap();
    assert!(source(c).await.contains("Signal"), "the changed clause to read");
    click(c, "acknowledge").await;
    c.wait().for_element(Locator::Id("acknowledged")).await.unwrap();

    // She declares an association from the home page's "Your part in the policy".
    c.goto(&format!("{base}/")).await.unwrap();
    c.find(Locator::Css("#your-part + ul a[href='/declarations']")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("declare-form")).await.unwrap();
    fill(c, "platform", "LinkedIn").await;
    fill(c, "counterpart", "Private investigator Sam Quill").await;
    fill(c, "nature", "A connection from a course in 2019").await;
    click(c, "category-media_investigators").await;
    click(c, "submit-declaration").await;
    c.wait().for_element(Locator::Id("my-declarations")).await.unwrap();
    browser_sign_out(c).await;
    let declaration = app.store().declarations_of(app.person("A1017").await.id).await.unwrap()[0].id;

    // Her line manager is refused it.
    browser_sign_in(c, base, "kwame.mensah@warwickshire.police.example").await;
    c.goto(&format!("{base}/declarations/{declaration}")).await.unwrap();
    let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "Not permitted");
    assert!(!source(c).await.contains("Sam Quill"));
    browser_sign_out(c).await;

    // The Force Vetting Unit opens it with a reason and assesses it.
    browser_sign_in(c, base, "fiona.gallagher@warwickshire.police.example").await;
    c.goto(&format!("{base}/declarations/queue")).await.unwrap();
    c.find(Locator::Css(&format!("a[href^='/declarations/{declaration}']"))).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("reason-form")).await.unwrap();
    assert!(!source(c).await.contains("Sam Quill"), "nothing is shown before a reason");
    fill(c, "reason", "Assessing a new declaration").await;
    click(c, "open-declaration").await;
    c.wait().for_element(Locator::Id("assess-form")).await.unwrap();
    assert!(source(c).await.contains("Sam Quill"));
    click(c, "outcome-no_concern").await;
    click(c, "record-assessment").await;
    let mut row = app.store().declaration(declaration).await.unwrap().unwrap();
    for _ in 0..50 {
        if row.status == "assessed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        row = app.store().declaration(declaration).await.unwrap().unwrap();
    }
    c.wait().for_element(Locator::Css("h1")).await.unwrap();
    browser_sign_out(c).await;
    assert_eq!((row.status.as_str(), row.outcome.as_deref()), ("assessed", Some("no_concern")));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'declaration.view'").await, 1);
    browser.close().await;
    app.stop().await;
}

/// Corporate Communications start a campaign for one role from its page (WP034 2.3): sent empty,
/// the form comes back with the error summary; filled in, the campaign's page says who is asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_a_campaign_is_started_for_a_role() {
    let Some(browser) = crate::browser::start().await else { return };
    let (app, now) = with_policy().await;
    let c = &browser.client;
    let base = &app.base;
    versions_as_corporate_communications(c, base).await;
    click(c, "campaigns-link").await;
    c.wait().for_element(Locator::Id("campaign-form")).await.unwrap();
    fill(c, "clauses", "7.3").await;
    click(c, "start-campaign").await;
    c.wait().for_element(Locator::Css(".govuk-error-summary")).await.unwrap();
    assert!(c.current_url().await.unwrap().path() == "/policy/campaigns", "back on the form's page");
    let typed = c.find(Locator::Id("clauses")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some("7.3"), "what was typed is kept");
    let due = (now + time::Duration::days(21)).date();
    fill(c, "due_on-day", &due.day().to_string()).await;
    fill(c, "due_on-month", &u8::from(due.month()).to_string()).await;
    fill(c, "due_on-year", &due.year().to_string()).await;
    let vetting = custodian_domain::people::Role::ALL.iter().position(|r| r.as_str() == "vetting").unwrap() + 1;
    click(c, &format!("role-{vetting}")).await;
    click(c, "start-campaign").await;
    c.wait().for_element(Locator::Id("scope")).await.unwrap();
    let scope = c.find(Locator::Id("scope")).await.unwrap().text().await.unwrap();
    assert_eq!(scope, "Asked: Holders of the role Force Vetting Unit.");
    let campaign = app.store().policy_campaigns().await.unwrap().remove(0);
    assert_eq!(campaign.clauses, r#"["7.3"]"#);
    browser_sign_out(c).await;
    browser.close().await;
    app.stop().await;
}
