//! Social media posts through the real server (WP034 6.3-6.8): screening on save, routing by
//! content to the SIO recorded for an operation, Corporate Communications' approvals and
//! overrides, restart on edit, publishing through the outbox and the signed webhook, and the
//! major-incident pause, including a race between publishing and declaring.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use custodian_server::posts::{self, Outbox, Publisher, SendFuture};
use custodian_store::Actor;
use custodian_store::posts::PublishOutcome;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::on_both;
use crate::support::{Api, Backend, TestApp, spawn_seeded};

const APPEAL: &str = "As part of Operation Falcon, officers executed warrants at four addresses in Nuneaton this \
    morning and seized cannabis and cash. Anyone with information can call 101.";
const CLEAR: &str = "Courier fraud warning: if someone calls claiming to be a police officer and asks for your card \
    or PIN, hang up. We will never do that.";
const WARN: &str = "Lol, this driver tried to outrun a police helicopter on a moped.";
const BLOCK: &str = "OFFICIAL-SENSITIVE: briefing notes for the weekend patrol plan in Leamington.";

async fn put(api: &Api, path: &str, body: Value) -> (u16, Value) {
    let r = api.http.put(format!("{}{path}", api.base)).bearer_auth(&api.token).json(&body).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// The fixture's head of each team that runs an account here: its team manager.
fn manager_of(team: &str) -> &'static str {
    match team {
        "Corporate Communications" => "A1003",
        "Response Policing North" => "A1001",
        other => panic!("no team manager for {other}"),
    }
}

/// An account set up by Corporate Communications (A1009), with its team's head as team
/// manager (WP034 6.6); returns its id.
async fn account(app: &TestApp, handle: &str, team: &str, comms_approval: bool, corporate: bool) -> String {
    let cc = app.api(&app.token("A1009").await);
    let a = cc.create_account(json!({"platform": "x", "handle": handle, "owning_team": team, "team_manager": manager_of(team), "comms_approval": comms_approval, "corporate": corporate})).await;
    a["id"].as_str().unwrap().to_string()
}

/// A post by `author` on `account`, submitted; returns its id and state.
async fn submitted(api: &Api, account: &str, text: &str) -> (String, String) {
    let (s, p) = api.post("/posts", json!({"account_id": account, "text": text})).await;
    assert_eq!(s, 201, "{p}");
    let id = p["id"].as_str().unwrap().to_string();
    let (s, p) = api.post(&format!("/posts/{id}/submit"), json!({})).await;
    assert_eq!(s, 200, "{p}");
    (id, p["state"].as_str().unwrap().to_string())
}

/// A1016 made an SIO, then recorded by `by` (an SIO) as the SIO of the operation `label`;
/// returns the investigation as the API answered it.
async fn record_a_second_sio(app: &TestApp, by: &Api, label: &str) -> Value {
    let kwame = app.person("A1016").await;
    app.store()
        .grant_role(kwame.id, custodian_domain::people::Role::Sio, Actor::system().at(time::OffsetDateTime::now_utc()))
        .await
        .unwrap();
    let (s, r) = by
        .post("/posts/investigations", json!({"kind": "operation", "label": label, "sio_staff_number": "A1016"}))
        .await;
    assert_eq!(s, 201, "{r}");
    r
}

fn outbox(app: &TestApp) -> Outbox {
    Outbox { dir: app.dir.join("outbox"), secret: Some("outbox-secret".into()) }
}

async fn appeal_goes_to_the_sio_recorded_then_corporate_communications_and_out(b: Backend) {
    let app = spawn_seeded(b).await;
    let acc = account(&app, "@WarksPoliceNorth", "Response Policing North", true, false).await;
    // A second SIO, recorded for Operation Falcon by the first.
    let niamh = app.api(&app.token("A1012").await);
    let r = record_a_second_sio(&app, &niamh, "Operation  Falcon").await;
    assert_eq!(r["key"], "falcon");
    let (s, r) = niamh
        .post("/posts/investigations", json!({"kind": "operation", "label": "Op Wren", "sio_staff_number": "A1017"}))
        .await;
    assert_eq!(s, 422, "only an SIO can be recorded: {r}");

    let laura = app.api(&app.token("A1017").await);
    let (s, p) = laura.post("/posts", json!({"account_id": acc, "text": APPEAL})).await;
    assert_eq!(s, 201, "{p}");
    let id = p["id"].as_str().unwrap().to_string();
    assert_eq!(p["verdict"], "needs_approval");
    assert_eq!(p["state"], "draft");
    let f = p["findings"].as_array().unwrap().iter().find(|f| f["category"] == "investigation.operation").unwrap();
    let (start, end) = (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize);
    assert_eq!(&APPEAL[start..end], "Operation Falcon");
    assert!(!p["pack_version"].as_str().unwrap().is_empty(), "findings are kept with the pack version");

    let (s, p) = laura.post(&format!("/posts/{id}/submit"), json!({})).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["state"], "pending_sio");
    assert_eq!(p["sio"], "Kwame Mensah");
    // Not the SIO recorded, not an SIO at all, and not Corporate Communications before the SIO.
    let (s, r) = niamh.post(&format!("/posts/{id}/approve"), json!({"as": "sio"})).await;
    assert_eq!(s, 422, "{r}");
    assert!(r["detail"].as_str().unwrap().contains("Kwame Mensah"), "{r}");
    let (s, _) = laura.post(&format!("/posts/{id}/approve"), json!({"as": "sio"})).await;
    assert_eq!(s, 403);
    let cc = app.api(&app.token("A1009").await);
    let (s, _) = cc.post(&format!("/posts/{id}/approve"), json!({"as": "comms"})).await;
    assert_eq!(s, 409);
    let kwame_api = app.api(&app.token("A1016").await);
    let (s, p) = kwame_api.post(&format!("/posts/{id}/approve"), json!({"as": "sio"})).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["state"], "pending_comms");

    // An edit after an approval restarts approval.
    let edited = format!("{APPEAL} Thank you.");
    let (s, p) = put(&laura, &format!("/posts/{id}"), json!({"account_id": acc, "text": edited})).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["state"], "draft");
    assert_eq!(p["version"], 2);
    assert_eq!(p["sio_approved_by"], Value::Null);
    let (_, p) = laura.post(&format!("/posts/{id}/submit"), json!({})).await;
    assert_eq!(p["state"], "pending_sio");
    let (_, p) = kwame_api.post(&format!("/posts/{id}/approve"), json!({"as": "sio"})).await;
    assert_eq!(p["state"], "pending_comms");
    let (s, p) = cc.post(&format!("/posts/{id}/approve"), json!({"as": "comms"})).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["state"], "scheduled");

    // Out through the outbox, signed.
    let ob = outbox(&app);
    assert_eq!(posts::publish_due(&app.state, &ob).await.unwrap(), (1, 0, 0));
    let file = ob.dir.join(format!("{id}.json"));
    let body = std::fs::read(&file).unwrap();
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(doc["text"], edited.as_str());
    assert_eq!(doc["version"], 2);
    let sig = std::fs::read_to_string(ob.dir.join(format!("{id}.json.sig"))).unwrap();
    assert_eq!(sig.trim(), format!("sha256={}", posts::signature(b"outbox-secret", &body)));
    let (_, p) = laura.get(&format!("/posts/{id}")).await;
    assert_eq!(p["state"], "published");
    assert_eq!(p["published_ref"], format!("outbox:{id}.json"));
    let steps: Vec<(String, String)> = p["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap().to_string(), s["clause"].as_str().unwrap().to_string()))
        .collect();
    let expect: Vec<(String, String)> = [
        ("create", "6.3"),
        ("submit", "6.3e"),
        ("approve_sio", "6.3e"),
        ("edit", "6.3"),
        ("submit", "6.3e"),
        ("approve_sio", "6.3e"),
        ("approve_comms", "6.4"),
        ("publish", "6.4"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(steps, expect);
    // Each step is an event in the audit log with the same clause.
    let auditor = app.api(&app.token("A1015").await);
    let (_, events) = auditor.get(&format!("/audit/events?subject=post:{id}&per_page=50")).await;
    let items = events["items"].as_array().unwrap();
    assert_eq!(items.len(), expect.len(), "{events}");
    assert!(items.iter().all(|e| e["clause"].as_str().is_some_and(|c| c.starts_with("6."))), "{events}");
    // Nothing more to publish, and a published post cannot change.
    assert_eq!(posts::publish_due(&app.state, &ob).await.unwrap(), (0, 0, 0));
    let (s, _) = put(&laura, &format!("/posts/{id}"), json!({"account_id": acc, "text": CLEAR})).await;
    assert_eq!(s, 409);
    app.stop().await;
}
on_both!(appeal_goes_to_the_sio_recorded_then_corporate_communications_and_out);

async fn blocks_are_fixed_warnings_overridden_and_nobody_approves_their_own(b: Backend) {
    let app = spawn_seeded(b).await;
    let open = account(&app, "@WarksRoads", "Response Policing North", false, false).await;
    let [laura, cc] = app.apis(["A1017", "A1009"]).await;

    let (s, p) = laura.post("/posts", json!({"account_id": open, "text": BLOCK})).await;
    assert_eq!(s, 201);
    assert_eq!(p["verdict"], "block");
    let id = p["id"].as_str().unwrap();
    let (s, r) = laura.post(&format!("/posts/{id}/submit"), json!({})).await;
    assert_eq!(s, 409, "{r}");
    let (s, r) = cc.post(&format!("/posts/{id}/override"), json!({"reason": "urgent"})).await;
    assert_eq!(s, 409, "never a block: {r}");

    let (_, p) = laura.post("/posts", json!({"account_id": open, "text": WARN})).await;
    assert_eq!(p["verdict"], "warn", "{p}");
    let id = p["id"].as_str().unwrap();
    assert_eq!(laura.post(&format!("/posts/{id}/submit"), json!({})).await.0, 409);
    assert_eq!(laura.post(&format!("/posts/{id}/override"), json!({"reason": "mine"})).await.0, 403);
    let (s, r) = cc.post(&format!("/posts/{id}/override"), json!({"reason": " "})).await;
    assert_eq!(s, 422, "{r}");
    let (s, p) =
        cc.post(&format!("/posts/{id}/override"), json!({"reason": "Light tone agreed for this campaign"})).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["warnings_overridden"], true);
    let (s, p) = laura.post(&format!("/posts/{id}/submit"), json!({})).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["state"], "scheduled", "no approval needed on this account");

    // Attachments need a rights declaration, with a holder where the force does not own them.
    let (s, r) = laura
        .post(
            "/posts",
            json!({"account_id": open, "text": CLEAR, "attachments": [{"name": "photo.jpg", "rights": "licensed"}]}),
        )
        .await;
    assert_eq!(s, 422, "{r}");
    assert_eq!(r["errors"][0]["field"], "attachments[0].holder", "{r}");
    let (s, r) = laura
        .post(
            "/posts",
            json!({"account_id": open, "text": CLEAR, "attachments": [{"name": "photo.jpg", "rights": "mine"}]}),
        )
        .await;
    assert_eq!(s, 422, "{r}");

    // Corporate Communications cannot approve their own post.
    let reviewed = account(&app, "@WarksPolice", "Corporate Communications", true, true).await;
    let (id, state) = submitted(&cc, &reviewed, CLEAR).await;
    assert_eq!(state, "pending_comms");
    let (s, r) = cc.post(&format!("/posts/{id}/approve"), json!({"as": "comms"})).await;
    assert_eq!(s, 422, "{r}");
    let other = app.api(&app.token("A1010").await);
    assert_eq!(other.post(&format!("/posts/{id}/approve"), json!({"as": "comms"})).await.0, 200);
    // Another team's officer does not see the post; the author's team does.
    let psd = app.api(&app.token("A1014").await);
    assert_eq!(psd.get(&format!("/posts/{id}")).await.0, 403);
    let (_, list) = psd.get("/posts").await;
    assert_eq!(list.as_array().unwrap().len(), 0);
    app.stop().await;
}
on_both!(blocks_are_fixed_warnings_overridden_and_nobody_approves_their_own);

async fn an_incident_holds_departmental_posts_and_lets_corporate_ones_flow(b: Backend) {
    let app = spawn_seeded(b).await;
    let dept = account(&app, "@WarksRoads", "Response Policing North", false, false).await;
    let corp = account(&app, "@WarksPolice", "Corporate Communications", false, true).await;
    let [laura, cc] = app.apis(["A1017", "A1009"]).await;
    let (held, state) = submitted(&laura, &dept, CLEAR).await;
    assert_eq!(state, "scheduled");
    let later = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (s, p) = laura.post("/posts", json!({"account_id": dept, "text": CLEAR, "scheduled_for": later})).await;
    assert_eq!(s, 201, "{p}");
    let future = p["id"].as_str().unwrap().to_string();
    assert_eq!(laura.post(&format!("/posts/{future}/submit"), json!({})).await.1["state"], "scheduled");
    let (corp_post, _) = submitted(&cc, &corp, CLEAR).await;

    let body = json!({"name": "Flooding in Stratford", "reason": "Major incident declared by Gold", "guidance": "Post only shares of @WarksPolice."});
    assert_eq!(laura.post("/posts/incident", body.clone()).await.0, 403);
    let (s, i) = cc.post("/posts/incident", body.clone()).await;
    assert_eq!(s, 201, "{i}");
    assert_eq!(i["posts"], 2, "both departmental scheduled posts held: {i}");
    assert_eq!(cc.post("/posts/incident", body).await.0, 409, "one incident at a time");
    let (_, i) = laura.get("/posts/incident").await;
    assert_eq!(i["guidance"], "Post only shares of @WarksPolice.");
    for id in [&held, &future] {
        assert_eq!(laura.get(&format!("/posts/{id}")).await.1["state"], "held");
    }
    // Nothing departmental is scheduled or published; the corporate post goes.
    let (during, state) = submitted(&laura, &dept, CLEAR).await;
    assert_eq!(state, "held");
    let ob = outbox(&app);
    assert_eq!(posts::publish_due(&app.state, &ob).await.unwrap(), (1, 0, 0));
    assert_eq!(cc.get(&format!("/posts/{corp_post}")).await.1["state"], "published");
    assert!(!ob.dir.join(format!("{held}.json")).exists());

    // The banner on the pages departmental users work in.
    let session = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    let page = session.get_ok("/posts").await;
    assert!(page.contains("incident-banner") && page.contains("Post only shares of @WarksPolice."), "{page}");

    // Ending needs a reason; held posts then need Corporate Communications again.
    let (s, r) = cc.post("/posts/incident/end", json!({"reason": ""})).await;
    assert_eq!(s, 422, "{r}");
    let (s, i) = cc.post("/posts/incident/end", json!({"reason": "Stood down by Gold"})).await;
    assert_eq!(s, 200, "{i}");
    assert_eq!(i["posts"], 3);
    for id in [&held, &future, &during] {
        let (_, p) = laura.get(&format!("/posts/{id}")).await;
        assert_eq!(p["state"], "pending_comms", "{p}");
        assert_eq!(p["reapproval"], true);
    }
    assert_eq!(posts::publish_due(&app.state, &ob).await.unwrap(), (0, 0, 0));
    assert_eq!(cc.post(&format!("/posts/{held}/approve"), json!({"as": "comms"})).await.1["state"], "scheduled");
    assert_eq!(posts::publish_due(&app.state, &ob).await.unwrap(), (1, 0, 0));
    assert!(ob.dir.join(format!("{held}.json")).exists());
    app.stop().await;
}
on_both!(an_incident_holds_departmental_posts_and_lets_corporate_ones_flow);

/// A publisher that takes its time, counting what it sent.
struct Slow {
    sent: Arc<AtomicUsize>,
    millis: u64,
}

impl Publisher for Slow {
    fn send<'a>(&'a self, _post: Uuid, _body: &'a [u8]) -> SendFuture<'a> {
        Box::pin(async move {
            tokio::time::sleep(std::time::Duration::from_millis(self.millis)).await;
            self.sent.fetch_add(1, Ordering::SeqCst);
            Ok("slow".to_string())
        })
    }
}

/// Declare a major incident ("Race"): how many scheduled posts it held.
async fn declare_race(store: &custodian_store::Store, actor: &Actor) -> usize {
    store
        .posts_declare_incident("Race", "testing the pause", "hold", actor.at(time::OffsetDateTime::now_utc()))
        .await
        .unwrap()
        .1
}

/// Publishing and declaring an incident at the same moment: whatever the interleaving, a post
/// is either sent and recorded published, or not sent and held. Never sent and held, never
/// published without being sent.
async fn no_post_slips_out_as_the_pause_begins(b: Backend) {
    let app = spawn_seeded(b).await;
    let dept = account(&app, "@WarksRoads", "Response Policing North", false, false).await;
    let laura = app.api(&app.token("A1017").await);
    let declarer = app.person("A1009").await;
    let actor = Actor::person(declarer.id, &declarer.staff_number);
    let (mut went, mut paused) = (0, 0);
    for round in 0..6u64 {
        let (id, state) = submitted(&laura, &dept, CLEAR).await;
        assert_eq!(state, "scheduled");
        let id: Uuid = id.parse().unwrap();
        let sent = Arc::new(AtomicUsize::new(0));
        let slow = Slow { sent: sent.clone(), millis: 60 };
        let store = app.store().clone();
        // Round 0 declares before publishing starts; the others while the send is under way.
        let early = if round == 0 { Some(declare_race(&store, &actor).await) } else { None };
        let publish = {
            let store = store.clone();
            tokio::spawn(async move {
                let now = time::OffsetDateTime::now_utc();
                store
                    .posts_publish(id, Actor::system().at(now), |p| async move {
                        let body = posts::document(&p, now);
                        slow.send(p.id, &body).await
                    })
                    .await
                    .unwrap()
            })
        };
        // Declare a little before, during or after the send.
        let held = match early {
            Some(held) => held,
            None => {
                tokio::time::sleep(std::time::Duration::from_millis(round * 15)).await;
                declare_race(&store, &actor).await
            }
        };
        let outcome = publish.await.unwrap();
        let p = store.posts_get(id).await.unwrap().unwrap();
        let was_sent = sent.load(Ordering::SeqCst) == 1;
        match outcome {
            PublishOutcome::Published(_) => {
                assert!(was_sent, "round {round}: published without being sent");
                assert_eq!(p.state, custodian_domain::posts::PostState::Published, "round {round}");
                assert_eq!(held, 0, "round {round}: held a post that went out");
                went += 1;
            }
            PublishOutcome::Skipped(_) => {
                assert!(!was_sent, "round {round}: sent after the pause began");
                assert_eq!(p.state, custodian_domain::posts::PostState::Held, "round {round}");
                assert_eq!(held, 1, "round {round}");
                paused += 1;
            }
            PublishOutcome::Failed(e) => panic!("round {round}: {e}"),
        }
        store.posts_end_incident("next round", actor.at(time::OffsetDateTime::now_utc())).await.unwrap();
    }
    assert!(went >= 1 && paused >= 1, "both orders were exercised: {went} published, {paused} held");
    app.stop().await;
}
on_both!(no_post_slips_out_as_the_pause_begins);

/// What the test receiver got: the signature header and the body.
type Received = (String, Vec<u8>);

/// The webhook adapter signs the exact body it sends: a receiver checks the header.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_signs_the_body_with_hmac_sha256() {
    // RFC 4231 test case 2.
    assert_eq!(
        posts::signature(b"Jefe", b"what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    let received: Arc<std::sync::Mutex<Vec<Received>>> = Arc::default();
    let r2 = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let r2 = r2.clone();
            async move {
                let sig = headers.get("x-custodian-signature").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                r2.lock().unwrap().push((sig, body.to_vec()));
                (axum::http::StatusCode::ACCEPTED, [("x-request-id", "tweet-42")])
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let hook = posts::Webhook::new(format!("http://127.0.0.1:{port}/hook"), "s3cret".into());
    let body = br#"{"text":"hello"}"#;
    let id = Uuid::now_v7();
    assert_eq!(hook.send(id, body).await.unwrap(), "webhook:202 tweet-42");
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1, body.to_vec());
    assert_eq!(got[0].0, format!("sha256={}", posts::signature(b"s3cret", body)));
    let bad = posts::Webhook::new(format!("http://127.0.0.1:{port}/nowhere"), "s3cret".into());
    assert!(bad.send(id, body).await.unwrap_err().contains("404"));
}

/// The editor's live screening returns the text marked in place, escaped.
async fn the_editor_marks_findings_in_place(b: Backend) {
    let app = spawn_seeded(b).await;
    let session = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    let text = format!("<b>{APPEAL}");
    let (s, html) = session.post("/posts/highlight", &[("text", &text)]).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("&lt;b&gt;As part of <mark class=\"app-finding app-finding--medium\" data-category=\"investigation.operation\""), "{html}");
    assert!(html.contains(">Operation Falcon</mark>"), "{html}");
    assert!(html.contains("hx-swap-oob") && html.contains("WP034 6.3e"), "{html}");
    assert_eq!(session.post_without_csrf("/posts/highlight", &[("text", "x")]).await, 403);
    let page = session.get_ok("/posts/new").await;
    assert!(page.contains("hx-post=\"/posts/highlight\"") && page.contains("delay:400ms"), "{page}");
    assert!(!page.contains("<script>"), "no inline script");
    app.stop().await;
}
on_both!(the_editor_marks_findings_in_place);

/// In a real browser: an officer drafts an appeal naming an operation and sees it routed to
/// the SIO; the SIO approves; Corporate Communications declare an incident and the scheduled
/// post is held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_an_appeal_goes_to_the_sio_and_an_incident_holds_it() {
    use fantoccini::Locator;
    let Some(browser) = crate::browser::start().await else { return };
    let app = spawn_seeded(Backend::Sqlite).await;
    account(&app, "@WarksNorth", "Response Policing North", false, false).await;
    let c = &browser.client;
    let sign_in = |email: &'static str| crate::support::browser_sign_in(c, &app.base, email);
    let sign_out = || crate::support::browser_sign_out(c);

    // The officer writes the appeal; the editor marks the operation as they type.
    sign_in("laura.fenwick@warwickshire.police.example").await;
    c.goto(&format!("{}/posts/new", app.base)).await.unwrap();
    c.find(Locator::Id("post-text")).await.unwrap().send_keys(APPEAL).await.unwrap();
    let mark = c
        .wait()
        .for_element(Locator::Css("#post-highlight mark[data-category='investigation.operation']"))
        .await
        .unwrap();
    assert_eq!(mark.text().await.unwrap(), "Operation Falcon", "the mark lies under the words it is about");
    let list = crate::browser::text_when(c, Locator::Id("post-finding-list"), |t| t.contains("Operation name")).await;
    assert!(list.contains("Operation name") && !list.contains("investigation.operation"), "{list}");
    c.find(Locator::Id("save-post")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("submit-post")).await.unwrap();
    c.find(Locator::Css("#submit-post button")).await.unwrap().click().await.unwrap();
    // The draft page has a state too: wait for the new page's, not the element.
    let state = crate::browser::text_when(c, Locator::Id("post-state"), |t| t != "Draft").await;
    assert_eq!(state, "Waiting for the SIO");
    let route = c.find(Locator::Id("post-route")).await.unwrap().text().await.unwrap();
    assert!(route.contains("Any Senior Investigating Officer"), "{route}");
    let url = c.current_url().await.unwrap().to_string();
    sign_out().await;

    // The SIO approves.
    sign_in("niamh.doherty@warwickshire.police.example").await;
    c.goto(&url).await.unwrap();
    c.wait().for_element(Locator::Css("#approve-sio button")).await.unwrap().click().await.unwrap();
    let state = crate::browser::text_when(c, Locator::Id("post-state"), |t| t != "Waiting for the SIO").await;
    assert_eq!(state, "Scheduled");
    sign_out().await;

    // Corporate Communications declare a major incident: the post is held.
    sign_in("eleanor.pryce@warwickshire.police.example").await;
    c.goto(&format!("{}/posts", app.base)).await.unwrap();
    c.find(Locator::Id("incident-name")).await.unwrap().send_keys("Flooding in Stratford").await.unwrap();
    c.find(Locator::Id("incident-reason")).await.unwrap().send_keys("Gold command").await.unwrap();
    c.find(Locator::Id("incident-guidance")).await.unwrap().send_keys("Share @WarksPolice only.").await.unwrap();
    c.find(Locator::Css("#declare-incident button")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("incident-banner")).await.unwrap();
    c.goto(&url).await.unwrap();
    let state = c.wait().for_element(Locator::Id("post-state")).await.unwrap().text().await.unwrap();
    assert_eq!(state, "Held: major incident");
    let banner = c.find(Locator::Id("incident-banner")).await.unwrap().text().await.unwrap();
    assert!(banner.contains("Share @WarksPolice only."), "{banner}");
    browser.close().await;
    app.stop().await;
}

/// Post approvals run on the shared approval chain: the request shows in the deciders'
/// "to decide" list and in the author's notifications; a decision made through the generic
/// approvals API moves the post just as the post's own endpoint does; a return is a rejection
/// on the chain; an edit after an approval restarts the same request, which cannot be decided
/// while the post is a draft again.
async fn post_approvals_run_on_the_shared_chain(b: Backend) {
    let app = spawn_seeded(b).await;
    let acc = account(&app, "@WarksPoliceNorth", "Response Policing North", true, false).await;
    let [laura, niamh, cc] = app.apis(["A1017", "A1012", "A1009"]).await;
    let (id, state) = submitted(&laura, &acc, APPEAL).await;
    assert_eq!(state, "pending_sio");
    let (_, p) = laura.get(&format!("/posts/{id}")).await;
    let aid = p["approval_id"].as_str().expect("the post names its approval request").to_string();

    // The request: the SIO (any SIO, none recorded) then Corporate Communications, in order.
    let (s, r) = laura.get(&format!("/approvals/{aid}")).await;
    assert_eq!(s, 200, "{r}");
    let req = if r.get("request").is_some() { &r["request"] } else { &r };
    assert_eq!(req["kind"], "social_post", "{r}");
    assert_eq!(req["link"], format!("/posts/{id}"), "{r}");
    let keys: Vec<&str> = req["steps"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["sio", "corporate_comms"], "{r}");
    // In the SIO's list to decide, not yet in Corporate Communications'.
    let (_, list) = niamh.get("/approvals/to-decide").await;
    assert!(list.as_array().unwrap().iter().any(|t| t["request"]["id"] == aid.as_str()), "{list}");
    let (_, list) = cc.get("/approvals/to-decide").await;
    assert!(!list.as_array().unwrap().iter().any(|t| t["request"]["id"] == aid.as_str()), "{list}");
    // The author cannot decide their own post's request through the generic API either.
    let (s, _) = laura.post(&format!("/approvals/{aid}/decide"), json!({"step": "sio", "verdict": "approve"})).await;
    assert_eq!(s, 403);

    // The SIO approves through the generic approvals API: the post moves on.
    let (s, d) = niamh.post(&format!("/approvals/{aid}/decide"), json!({"step": "sio", "verdict": "approve"})).await;
    assert_eq!(s, 200, "{d}");
    let (_, p) = laura.get(&format!("/posts/{id}")).await;
    assert_eq!(p["state"], "pending_comms", "{p}");
    assert!(p["sio_approved_by"].as_str().unwrap().contains("Niamh Doherty"), "{p}");
    let steps: Vec<&str> = p["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["create", "submit", "approve_sio"]);
    // The author was told; Corporate Communications now have it to decide.
    let (_, n) = laura.get("/notifications").await;
    assert!(n["items"].as_array().unwrap().iter().any(|x| x["link"] == format!("/posts/{id}")), "{n}");
    let (_, list) = cc.get("/approvals/to-decide").await;
    assert!(list.as_array().unwrap().iter().any(|t| t["request"]["id"] == aid.as_str()), "{list}");

    // Corporate Communications return it: a rejection on the chain, the post back to draft.
    let (s, p) = cc.post(&format!("/posts/{id}/return"), json!({"reason": "Say which area of Nuneaton"})).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["state"], "draft");
    let (_, r) = laura.get(&format!("/approvals/{aid}")).await;
    let req = if r.get("request").is_some() { &r["request"] } else { &r };
    assert_eq!(req["status"], "rejected", "{r}");

    // Submitted again: a new request, since the first was rejected.
    let (_, p) = laura.post(&format!("/posts/{id}/submit"), json!({})).await;
    assert_eq!(p["state"], "pending_sio");
    let aid2 = p["approval_id"].as_str().unwrap().to_string();
    assert_ne!(aid2, aid);
    let (s, p) = niamh.post(&format!("/posts/{id}/approve"), json!({"as": "sio"})).await;
    assert_eq!(s, 200, "{p}");
    // The same SIO cannot also decide the next step (if they held both roles); and an edit now
    // restarts this request: every step back to its start, the post a draft.
    let (s, p) =
        put(&laura, &format!("/posts/{id}"), json!({"account_id": acc, "text": format!("{APPEAL} Thanks.")})).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["state"], "draft");
    assert_eq!(p["approval_id"], aid2.as_str());
    let (_, r) = laura.get(&format!("/approvals/{aid2}")).await;
    let req = if r.get("request").is_some() { &r["request"] } else { &r };
    assert_eq!(req["revision"], 1, "{r}");
    assert!(req["steps"].as_array().unwrap().iter().all(|s| s["status"] != "approved"), "{r}");
    // While it is a draft, nobody can decide it through the approvals API: refused, nothing moves.
    let (s, d) = niamh.post(&format!("/approvals/{aid2}/decide"), json!({"step": "sio", "verdict": "approve"})).await;
    assert_eq!(s, 409, "{d}");
    assert_eq!(laura.get(&format!("/posts/{id}")).await.1["state"], "draft");
    // Submitted again, the restarted request is used, not a third.
    let (_, p) = laura.post(&format!("/posts/{id}/submit"), json!({})).await;
    assert_eq!(p["state"], "pending_sio");
    assert_eq!(p["approval_id"], aid2.as_str());
    app.stop().await;
}
on_both!(post_approvals_run_on_the_shared_chain);

/// The major-incident banner, with its guidance, is on every page a signed-in user opens
/// (WP034 6.8), not only the posts pages; it goes when the incident ends.
async fn the_incident_banner_shows_on_every_page(b: Backend) {
    let app = spawn_seeded(b).await;
    let session = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    let pages = ["/", "/my-devices", "/findings", "/approvals", "/policy", "/posts"];
    for path in pages {
        let (s, page) = session.get(path).await;
        assert_eq!(s, 200, "{path}");
        assert!(!page.contains("incident-banner"), "{path}: no incident yet");
    }
    let cc = app.api(&app.token("A1009").await);
    let body =
        json!({"name": "Flooding in Stratford", "reason": "Gold command", "guidance": "Share @WarksPolice only."});
    assert_eq!(cc.post("/posts/incident", body).await.0, 201);
    for path in pages {
        let (s, page) = session.get(path).await;
        assert_eq!(s, 200, "{path}");
        assert!(page.contains("id=\"incident-banner\""), "{path}: {page}");
        assert!(page.contains("Share @WarksPolice only.") && page.contains("Flooding in Stratford"), "{path}");
        assert_eq!(page.matches("id=\"incident-banner\"").count(), 1, "{path}: one banner");
    }
    assert_eq!(cc.post("/posts/incident/end", json!({"reason": "Stood down"})).await.0, 200);
    let (_, page) = session.get("/").await;
    assert!(!page.contains("incident-banner"), "gone once the incident ends");
    app.stop().await;
}
on_both!(the_incident_banner_shows_on_every_page);

/// The recorded SIO's deputy, named on the approval chain for an absence, approves in their
/// place; the decision records both (WP034 6.3e on the shared chain).
async fn the_recorded_sios_deputy_approves_in_their_absence(b: Backend) {
    let app = spawn_seeded(b).await;
    let acc = account(&app, "@WarksPoliceNorth", "Response Policing North", false, false).await;
    let niamh = app.api(&app.token("A1012").await);
    record_a_second_sio(&app, &niamh, "Operation Falcon").await;
    let kwame = app.person("A1016").await;
    let laura = app.api(&app.token("A1017").await);
    let (id, state) = submitted(&laura, &acc, APPEAL).await;
    assert_eq!(state, "pending_sio");
    let (s, r) = niamh.post(&format!("/posts/{id}/approve"), json!({"as": "sio"})).await;
    assert_eq!(s, 422, "not the recorded SIO, nor their deputy yet: {r}");
    let kwame_api = app.api(&app.token("A1016").await);
    let now = time::OffsetDateTime::now_utc();
    let fmt = |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap();
    let (s, r) = kwame_api
        .post(
            "/approvals/delegations",
            json!({"deputy": "A1012", "starts_at": fmt(now - time::Duration::hours(1)), "ends_at": fmt(now + time::Duration::days(3)), "reason": "Annual leave"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (s, p) = niamh.post(&format!("/posts/{id}/approve"), json!({"as": "sio"})).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["state"], "scheduled", "no Corporate Communications step on this account");
    let aid = p["approval_id"].as_str().unwrap();
    let (_, r) = laura.get(&format!("/approvals/{aid}")).await;
    let req = if r.get("request").is_some() { &r["request"] } else { &r };
    let step = &req["steps"][0];
    assert_eq!(step["status"], "approved", "{r}");
    assert_eq!(step["on_behalf_of"], kwame.id.to_string(), "{r}");
    let (_, p) = laura.get(&format!("/posts/{id}")).await;
    let approve = p["steps"].as_array().unwrap().iter().find(|s| s["step"] == "approve_sio").unwrap();
    assert_eq!(approve["detail"]["on_behalf_of"], kwame.id.to_string(), "{p}");
    app.stop().await;
}
on_both!(the_recorded_sios_deputy_approves_in_their_absence);
