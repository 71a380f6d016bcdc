//! The screening pack's history (WP034 6.3, 6.5): Corporate Communications check a change
//! against the pack in force, put it into effect with a reason, and every version is kept;
//! broken packs, packs whose saved examples fail and reused versions are refused and change
//! nothing.

use custodian_screening::Verdict;
use custodian_store::Actor;
use custodian_store::screening::NewPackVersion;

use crate::on_both;
use crate::support::{Backend, spawn_seeded};

const CC: &str = "eleanor.pryce@warwickshire.police.example";
const MARKED: &str = "OFFICIAL-SENSITIVE: briefing notes attached for the team.";

fn builtin() -> &'static str {
    custodian_screening::Pack::builtin_text()
}

fn with(version: &str, from: &str, to: &str) -> String {
    let text = builtin().replacen("version = \"2026.12.12\"", &format!("version = \"{version}\""), 1);
    assert!(text.contains(from), "the built-in pack has {from:?}");
    text.replacen(from, to, 1)
}

async fn corporate_communications_change_the_pack_with_a_check_and_a_reason(b: Backend) {
    let app = spawn_seeded(b).await;
    let cc = app.sign_in(CC).await;
    let page = cc.get_ok("/screening/pack").await;
    assert!(page.contains("2026.12.12") && page.contains("id=\"no-history\""), "the built-in pack applies at first");
    assert_eq!(app.state.screener().current().engine.screen(MARKED).verdict, Verdict::Block);

    // Acting only at a confidence of 0.99 turns blocks into warnings: the check lists the
    // drafts whose verdict changes, and stores nothing.
    let v2 = with("2026.12.13", "act = 0.75", "act = 0.99");
    let (status, page) = cc.post("/screening/pack/check", &[("body", &v2)]).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("from 2026.12.12 to 2026.12.13") && page.contains("id=\"differences\""), "{page}");
    assert!(page.contains(MARKED), "the marked example is screened differently");
    assert!(!page.contains("id=\"regressions\""), "warnings still find every category");
    assert_eq!(app.state.screener().current().version(), "2026.12.12", "checking changes nothing");

    // Putting it into effect needs a reason.
    let (status, page) = cc.post("/screening/pack", &[("body", &v2), ("reason", "  ")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("href=\"#reason\""), "{page}");
    let (status, _) = cc.post("/screening/pack", &[("body", &v2), ("reason", "Trial: warn rather than block")]).await;
    assert_eq!(status, 303);
    let current = app.state.screener().current();
    assert_eq!((current.version(), current.seq), ("2026.12.13", Some(1)));
    assert_eq!(current.engine.screen(MARKED).verdict, Verdict::Warn, "the new pack screens at once");
    let (_, page) = cc.get("/screening/pack?activated=2026.12.13").await;
    assert!(
        page.contains("Screening pack 2026.12.13 is now in force") && page.contains("Trial: warn rather than block")
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

    // Back to acting at 0.75 as 2026.11.4; then 2026.12.13 may not be used again.
    let v3 = with("2026.11.4", "act = 0.75", "act = 0.75");
    assert_eq!(cc.post("/screening/pack", &[("body", &v3), ("reason", "Trial over")]).await.0, 303);
    assert_eq!(app.state.screener().current().engine.screen(MARKED).verdict, Verdict::Block);
    let (status, page) = cc.post("/screening/pack", &[("body", &v2), ("reason", "once more")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("has been used before"), "{page}");

    // The history through the API, for an auditor; the full text of each version is kept.
    let auditor = app.token("A1015").await;
    let api = app.api(&auditor);
    let history = api.get_ok("/screening/pack/versions").await;
    let versions: Vec<&str> = history.as_array().unwrap().iter().map(|v| v["version"].as_str().unwrap()).collect();
    assert_eq!(versions, ["2026.11.4", "2026.12.13"]);
    let (_, one) = api.get("/screening/pack/versions/2026.12.13").await;
    assert_eq!(one["body"].as_str().unwrap(), v2);
    assert_eq!(one["reason"], "Trial: warn rather than block");
    let (status, _) = api.post("/screening/pack/check", serde_json::json!({"body": v3})).await;
    assert_eq!(status, 403, "auditors read the pack but do not change it");
    let (_, events) = api.get("/audit/events?subject=screening-pack:2026.12.13").await;
    let text = events.to_string();
    assert!(text.contains("screening.pack.activate") && text.contains("6.3"), "{text}");
    app.stop().await;
}
on_both!(corporate_communications_change_the_pack_with_a_check_and_a_reason);

/// Store a version as another server or the command line would, straight into the database.
async fn store_elsewhere(store: &custodian_store::Store, version: &str, body: &str, reason: &str) {
    store
        .screening_pack_activate(
            &NewPackVersion { version, body, sha256: "x", rules: 1, examples: 1, reason },
            Actor::cli().at(time::OffsetDateTime::now_utc()),
        )
        .await
        .unwrap();
}

async fn a_version_put_into_effect_elsewhere_is_picked_up(b: Backend) {
    let app = spawn_seeded(b).await;
    // Another server on the same database (or the command line) stores a newer version.
    let body = with("2026.12.12", "act = 0.75", "act = 0.99");
    store_elsewhere(app.store(), "2026.12.12", &body, "cli").await;
    assert_eq!(app.state.screener().current().version(), "2026.12.12");
    custodian_server::screening::refresh(&app.state).await.unwrap();
    assert_eq!(app.state.screener().current().version(), "2026.12.12");
    assert_eq!(app.state.screener().current().engine.screen(MARKED).verdict, Verdict::Warn);
    app.stop().await;
}
on_both!(a_version_put_into_effect_elsewhere_is_picked_up);

/// A pack Corporate Communications stored before a retrain names the previous model file's
/// version and SHA-256. After the new model ships it still loads, at start (the command line's
/// `in_force`, the server's `refresh`), screened with the shipped model; the pack page says so,
/// and a new version must name the shipped model before it can be put into effect.
async fn a_stored_pack_pinned_to_an_older_model_still_loads_and_the_page_says_so(b: Backend) {
    let app = spawn_seeded(b).await;
    let shipped = custodian_screening::sha256_hex(custodian_screening::Pack::builtin_model_text());
    let pin = format!("version = \"2026.12.12\"\nsha256 = \"{shipped}\"");
    let old = "ab".repeat(32);
    let stale = |version: &str| with(version, &pin, &format!("version = \"2026.12.1\"\nsha256 = \"{old}\""));
    let body = stale("2026.12.13");
    store_elsewhere(app.store(), "2026.12.13", &body, "before").await;
    let active = custodian_server::screening::in_force(app.store()).await.expect("the stored pack still compiles");
    assert_eq!(active.version(), "2026.12.13");
    assert!(active.engine.warnings().iter().any(|w| w.contains(&old)), "{:?}", active.engine.warnings());
    custodian_server::screening::refresh(&app.state).await.unwrap();
    let current = app.state.screener().current();
    assert_eq!(current.version(), "2026.12.13", "the stored pack is in force, not the built-in one");
    assert_eq!(current.engine.model_version().map(|(v, _)| v), Some("2026.12.12"), "scored with the shipped model");
    assert_eq!(current.engine.screen(MARKED).verdict, Verdict::Block);

    let cc = app.sign_in(CC).await;
    let page = cc.get_ok("/screening/pack").await;
    assert!(page.contains("id=\"pack-warnings\""), "{page}");
    for s in ["no longer ships", "2026.12.1", old.as_str(), shipped.as_str()] {
        assert!(page.contains(s), "the warning names {s}: {page}");
    }

    // A new version must name the shipped model: checking or saving one that does not is refused
    // with the lines to write, and changes nothing.
    let (status, page) = cc.post("/screening/pack/check", &[("body", &stale("2026.12.14"))]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Name the shipped model") && page.contains(&shipped), "{page}");
    let (status, _) = cc.post("/screening/pack", &[("body", &stale("2026.12.14")), ("reason", "lists")]).await;
    assert_eq!(status, 422);
    assert_eq!(app.state.screener().current().version(), "2026.12.13");
    let fixed = with("2026.12.14", "act = 0.75", "act = 0.75");
    let (status, page) = cc.post("/screening/pack", &[("body", &fixed), ("reason", "Name the new model")]).await;
    assert_eq!(status, 303, "{page}");
    assert!(app.state.screener().current().engine.warnings().is_empty());
    let (_, page) = cc.get("/screening/pack").await;
    assert!(!page.contains("id=\"pack-warnings\""), "{page}");
    app.stop().await;
}
on_both!(a_stored_pack_pinned_to_an_older_model_still_loads_and_the_page_says_so);
