//! The screening pack's history (WP034 6.3, 6.5): Corporate Communications check a change
//! against the pack in force, put it into effect with a reason, and every version is kept;
//! broken packs, packs whose saved examples fail and reused versions are refused and change
//! nothing.

use custodian_screening::Verdict;
use custodian_store::Actor;
use custodian_store::screening::NewPackVersion;

use crate::on_both;
use crate::support::{Backend, spawn};

const CC: &str = "eleanor.pryce@warwickshire.police.example";
const MARKED: &str = "OFFICIAL-SENSITIVE: briefing notes attached for the team.";

fn builtin() -> &'static str {
    custodian_screening::Pack::builtin_text()
}

fn with(version: &str, from: &str, to: &str) -> String {
    let text = builtin().replacen("version = \"2026.12.6\"", &format!("version = \"{version}\""), 1);
    assert!(text.contains(from), "the built-in pack has {from:?}");
    text.replacen(from, to, 1)
}

async fn corporate_communications_change_the_pack_with_a_check_and_a_reason(b: Backend) {
    let app = spawn(b).await;
    app.seed().await;
    let cc = app.sign_in(CC).await;
    let (status, page) = cc.get("/screening/pack").await;
    assert_eq!(status, 200);
    assert!(page.contains("2026.12.6") && page.contains("id=\"no-history\""), "the built-in pack applies at first");
    assert_eq!(app.state.screener().current().engine.screen(MARKED).verdict, Verdict::Block);

    // Acting only at a confidence of 0.99 turns blocks into warnings: the check lists the
    // drafts whose verdict changes, and stores nothing.
    let v2 = with("2026.12.7", "act = 0.75", "act = 0.99");
    let (status, page) = cc.post("/screening/pack/check", &[("body", &v2)]).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("from 2026.12.6 to 2026.12.7") && page.contains("id=\"differences\""), "{page}");
    assert!(page.contains(MARKED), "the marked example is screened differently");
    assert!(!page.contains("id=\"regressions\""), "warnings still find every category");
    assert_eq!(app.state.screener().current().version(), "2026.12.6", "checking changes nothing");

    // Putting it into effect needs a reason.
    let (status, page) = cc.post("/screening/pack", &[("body", &v2), ("reason", "  ")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("href=\"#reason\""), "{page}");
    let (status, _) = cc.post("/screening/pack", &[("body", &v2), ("reason", "Trial: warn rather than block")]).await;
    assert_eq!(status, 303);
    let current = app.state.screener().current();
    assert_eq!((current.version(), current.seq), ("2026.12.7", Some(1)));
    assert_eq!(current.engine.screen(MARKED).verdict, Verdict::Warn, "the new pack screens at once");
    let (_, page) = cc.get("/screening/pack?activated=2026.12.7").await;
    assert!(
        page.contains("Screening pack 2026.12.7 is now in force") && page.contains("Trial: warn rather than block")
    );

    // Refused: a pack that is not TOML, one whose saved examples fail, the version in force.
    let (status, page) = cc.post("/screening/pack/check", &[("body", "version = ")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("not valid TOML"), "{page}");
    let deaf = with("2026.11.9", "report = 0.6", "report = 0.99");
    let (status, page) = cc.post("/screening/pack", &[("body", &deaf), ("reason", "x")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("saved example"), "{page}");
    let (status, page) = cc.post("/screening/pack", &[("body", &v2), ("reason", "again")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("version in force"), "{page}");

    // Back to acting at 0.75 as 2026.11.4; then 2026.12.7 may not be used again.
    let v3 = with("2026.11.4", "act = 0.75", "act = 0.75");
    assert_eq!(cc.post("/screening/pack", &[("body", &v3), ("reason", "Trial over")]).await.0, 303);
    assert_eq!(app.state.screener().current().engine.screen(MARKED).verdict, Verdict::Block);
    let (status, page) = cc.post("/screening/pack", &[("body", &v2), ("reason", "once more")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("has been used before"), "{page}");

    // The history through the API, for an auditor; the full text of each version is kept.
    let auditor = app.token("A1015").await;
    let api = app.api(&auditor);
    let (status, history) = api.get("/screening/pack/versions").await;
    assert_eq!(status, 200);
    let versions: Vec<&str> = history.as_array().unwrap().iter().map(|v| v["version"].as_str().unwrap()).collect();
    assert_eq!(versions, ["2026.11.4", "2026.12.7"]);
    let (_, one) = api.get("/screening/pack/versions/2026.12.7").await;
    assert_eq!(one["body"].as_str().unwrap(), v2);
    assert_eq!(one["reason"], "Trial: warn rather than block");
    let (status, _) = api.post("/screening/pack/check", serde_json::json!({"body": v3})).await;
    assert_eq!(status, 403, "auditors read the pack but do not change it");
    let (_, events) = api.get("/audit/events?subject=screening-pack:2026.12.7").await;
    let text = events.to_string();
    assert!(text.contains("screening.pack.activate") && text.contains("6.3"), "{text}");
    app.stop().await;
}
on_both!(corporate_communications_change_the_pack_with_a_check_and_a_reason);

async fn a_version_put_into_effect_elsewhere_is_picked_up(b: Backend) {
    let app = spawn(b).await;
    app.seed().await;
    // Another server on the same database (or the command line) stores a newer version.
    let body = with("2026.12.6", "act = 0.75", "act = 0.99");
    app.store()
        .screening_pack_activate(
            &NewPackVersion { version: "2026.12.6", body: &body, sha256: "x", rules: 1, examples: 1, reason: "cli" },
            &Actor::cli(),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    assert_eq!(app.state.screener().current().version(), "2026.12.6");
    custodian_server::screening::refresh(&app.state).await.unwrap();
    assert_eq!(app.state.screener().current().version(), "2026.12.6");
    assert_eq!(app.state.screener().current().engine.screen(MARKED).verdict, Verdict::Warn);
    app.stop().await;
}
on_both!(a_version_put_into_effect_elsewhere_is_picked_up);
