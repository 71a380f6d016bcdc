//! Separation of duties on posts, need to know (drafts, the SIO table, monitoring selections)
//! and the sign-in: throttling that nobody can turn against another person, login CSRF,
//! leavers' credentials, scopes and the built-in list of common passwords (WP034 3.3, 5.3,
//! 5.4, 6.3, 6.4, 9.1).

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::on_both;
use crate::support::{Api, Backend, PASSWORD, TestApp, post_sign_in, sign_in_form, spawn_seeded};

const CLEAR: &str = "Courier fraud warning: if someone calls claiming to be a police officer and asks for your card \
    or PIN, hang up. We will never do that.";
const WARN: &str = "Lol, this driver tried to outrun a police helicopter on a moped.";
const NORTH: &str = "Response Policing North";

async fn put(api: &Api, path: &str, body: Value) -> (u16, Value) {
    let r = api.http.put(format!("{}{path}", api.base)).bearer_auth(&api.token).json(&body).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// An account of Response Policing North on which Corporate Communications approve every post.
async fn north_account(app: &TestApp) -> String {
    let cc = app.api(&app.token("A1009").await);
    let a = cc.create_account(json!({"platform": "x", "handle": "@NorthAccess", "team_manager": "A1001", "owning_team": NORTH, "comms_approval": true, "corporate": false})).await;
    a["id"].as_str().unwrap().to_string()
}

async fn draft(api: &Api, account: &str, text: &str) -> String {
    let (s, p) = api.post("/posts", json!({"account_id": account, "text": text})).await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_str().unwrap().to_string()
}

// ----- Item: Corporate Communications cannot approve their own words (WP034 6.3) ------------

async fn whoever_edited_a_post_cannot_approve_it_through_the_api(b: Backend) {
    let app = spawn_seeded(b).await;
    let acc = north_account(&app).await;
    let [jack, callum, eleanor] = app.apis(["A1018", "A1010", "A1009"]).await;
    let id = draft(&jack, &acc, CLEAR).await;

    // Corporate Communications rewrite the officer's draft, submit it and try to approve it.
    let mine = format!("{CLEAR} Share this with older relatives.");
    let (s, p) = put(&callum, &format!("/posts/{id}"), json!({"account_id": acc, "text": mine})).await;
    assert_eq!(s, 200, "{p}");
    let (s, p) = callum.post(&format!("/posts/{id}/submit"), json!({})).await;
    assert_eq!((s, p["state"].as_str()), (200, Some("pending_comms")), "{p}");
    let (s, p) = callum.post(&format!("/posts/{id}/approve"), json!({"as": "comms"})).await;
    assert_eq!(s, 422, "{p}");
    assert!(p.to_string().contains("separation of duties"), "{p}");
    // Nor through the generic approvals API.
    let aid = p["approval_id"].as_str().map(str::to_string);
    let (_, post) = callum.get(&format!("/posts/{id}")).await;
    let aid = aid.unwrap_or_else(|| post["approval_id"].as_str().unwrap().to_string());
    let (s, r) = callum
        .post(&format!("/approvals/{aid}/decide"), json!({"step": "corporate_comms", "verdict": "approve"}))
        .await;
    assert_eq!(s, 403, "{r}");
    assert!(r.to_string().contains("separation of duties"), "{r}");
    let (_, to_decide) = callum.get("/approvals/to-decide").await;
    assert!(!to_decide.to_string().contains(&aid), "not offered to the editor: {to_decide}");

    // Every version's editor is recorded and shown.
    let (_, post) = jack.get(&format!("/posts/{id}")).await;
    assert_eq!(post["state"], "pending_comms", "{post}");
    let editors: Vec<(i64, &str)> = post["editors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["version"].as_i64().unwrap(), e["staff_number"].as_str().unwrap()))
        .collect();
    assert_eq!(editors, vec![(1, "A1018"), (2, "A1010")], "{post}");

    // Another member of Corporate Communications approves it.
    let (s, p) = eleanor.post(&format!("/posts/{id}/approve"), json!({"as": "comms"})).await;
    assert_eq!((s, p["state"].as_str()), (200, Some("scheduled")), "{p}");
    assert!(p["comms_approved_by"].as_str().unwrap().contains("Eleanor"), "{p}");

    // Whoever overrode a version's warnings does not approve it either.
    let id = draft(&jack, &acc, WARN).await;
    let (s, p) = callum.post(&format!("/posts/{id}/override"), json!({"reason": "light-hearted, agreed"})).await;
    assert_eq!(s, 200, "{p}");
    let (s, p) = jack.post(&format!("/posts/{id}/submit"), json!({})).await;
    assert_eq!((s, p["state"].as_str()), (200, Some("pending_comms")), "{p}");
    let (s, p) = callum.post(&format!("/posts/{id}/approve"), json!({"as": "comms"})).await;
    assert_eq!(s, 422, "{p}");
    let (s, p) = eleanor.post(&format!("/posts/{id}/approve"), json!({"as": "comms"})).await;
    assert_eq!((s, p["state"].as_str()), (200, Some("scheduled")), "{p}");
    app.stop().await;
}
on_both!(whoever_edited_a_post_cannot_approve_it_through_the_api);

async fn whoever_edited_a_post_cannot_approve_it_through_the_web_form(b: Backend) {
    let app = spawn_seeded(b).await;
    let acc = north_account(&app).await;
    let jack = app.api(&app.token("A1018").await);
    let id = draft(&jack, &acc, CLEAR).await;
    let callum = app.sign_in("callum.reid@warwickshire.police.example").await;
    let text = format!("{CLEAR} Please share.");
    let (s, page) = callum.post(&format!("/posts/{id}"), &[("account_id", &acc), ("text", &text)]).await;
    assert!(s == 303 || s == 200, "{s}: {page}");
    assert_eq!(app.api(&app.token("A1018").await).get(&format!("/posts/{id}")).await.1["version"], 2);
    assert_eq!(callum.post(&format!("/posts/{id}/submit"), &[]).await.0, 303);
    let page = callum.get_ok(&format!("/posts/{id}")).await;
    assert!(page.contains("id=\"post-editors\"") && page.contains("Callum Reid") && page.contains("Jack Thornton"));
    assert!(!page.contains("id=\"approve-comms\""), "no approve button for the editor: {page}");
    let (s, page) = callum.post(&format!("/posts/{id}/approve"), &[("as", "comms")]).await;
    assert!(s >= 400, "{s}: {page}");
    assert!(page.contains("separation of duties"), "{page}");
    let (_, post) = jack.get(&format!("/posts/{id}")).await;
    assert_eq!(post["state"], "pending_comms", "{post}");
    let eleanor = app.sign_in("eleanor.pryce@warwickshire.police.example").await;
    assert_eq!(eleanor.post(&format!("/posts/{id}/approve"), &[("as", "comms")]).await.0, 303);
    let (_, post) = jack.get(&format!("/posts/{id}")).await;
    assert_eq!(post["state"], "scheduled", "{post}");
    app.stop().await;
}
on_both!(whoever_edited_a_post_cannot_approve_it_through_the_web_form);

// ----- Item: need to know --------------------------------------------------------------------

async fn an_unsubmitted_draft_is_seen_by_its_writers_and_corporate_communications_only(b: Backend) {
    let app = spawn_seeded(b).await;
    let acc = north_account(&app).await;
    let [jack, laura, niamh, callum] = app.apis(["A1018", "A1017", "A1012", "A1010"]).await;
    let id = draft(&jack, &acc, CLEAR).await;
    assert_eq!(jack.get(&format!("/posts/{id}")).await.0, 200);
    assert_eq!(laura.get(&format!("/posts/{id}")).await.0, 403, "the team does not see another's draft");
    assert_eq!(niamh.get(&format!("/posts/{id}")).await.0, 403, "nor does an SIO");
    assert_eq!(callum.get(&format!("/posts/{id}")).await.0, 200, "Corporate Communications do");
    for api in [&laura, &niamh] {
        let (_, list) = api.get("/posts").await;
        assert!(!list.to_string().contains(&id), "{list}");
    }
    let laura_page = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    assert_eq!(laura_page.get(&format!("/posts/{id}")).await.0, 403);
    // Submitted, it is the team's and the approvers' to see.
    assert_eq!(jack.post(&format!("/posts/{id}/submit"), json!({})).await.0, 200);
    assert_eq!(laura.get(&format!("/posts/{id}")).await.0, 200);
    assert_eq!(niamh.get(&format!("/posts/{id}")).await.0, 200);
    app.stop().await;
}
on_both!(an_unsubmitted_draft_is_seen_by_its_writers_and_corporate_communications_only);

async fn the_operation_to_sio_table_is_read_only_by_those_the_policy_names(b: Backend) {
    let app = spawn_seeded(b).await;
    let niamh = app.api(&app.token("A1012").await);
    let (s, _) = niamh
        .post(
            "/posts/investigations",
            json!({"kind": "operation", "label": "Operation Kestrel", "sio_staff_number": "A1012"}),
        )
        .await;
    assert_eq!(s, 201);
    // A1020 is a volunteer, A1018 an officer, A1013 a DMI.
    for sn in ["A1020", "A1018", "A1013"] {
        let (s, body) = app.api(&app.token(sn).await).get("/posts/investigations").await;
        assert_eq!(s, 403, "{sn}: {body}");
    }
    for sn in ["A1012", "A1010", "A1004", "A1005"] {
        let (s, body) = app.api(&app.token(sn).await).get("/posts/investigations").await;
        assert!(s == 200 && body.to_string().contains("Kestrel"), "{sn}: {s} {body}");
    }
    let ruth = app.sign_in("ruth.oyelaran@warwickshire.police.example").await;
    let page = ruth.get_ok("/posts/setup").await;
    assert!(!page.contains("Kestrel") && page.contains("investigations-restricted"), "{page}");
    app.stop().await;
}
on_both!(the_operation_to_sio_table_is_read_only_by_those_the_policy_names);

async fn a_dmi_sees_only_their_cases_and_every_view_of_the_bundle_is_logged(b: Backend) {
    let app = spawn_seeded(b).await;
    let psd = app.api(&app.token("A1012").await);
    let secret = "access round secret";
    let commitment = hex::encode(Sha256::digest(secret.as_bytes()));
    let (s, r) = psd
        .post(
            "/monitoring/rounds",
            json!({"name": "Access", "areas": [NORTH], "sample_size": 2, "commitment": commitment}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let round = r["id"].as_str().unwrap().to_string();
    let (s, _) = psd
        .post(
            &format!("/monitoring/rounds/{round}/exclusions"),
            json!({"staff_number": "A1020", "reason": "on long-term sick leave"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, r) =
        psd.post(&format!("/monitoring/rounds/{round}/draw"), json!({"beacon": "drand 123", "secret": secret})).await;
    assert_eq!(s, 200, "{r}");
    let (_, cases) = psd.get(&format!("/monitoring/cases?round={round}")).await;
    let cases = cases.as_array().unwrap().clone();
    assert_eq!(cases.len(), 2);
    let (mine, other) = (&cases[0], &cases[1]);
    let (s, c) = psd
        .post(
            &format!("/monitoring/cases/{}/steps", mine["id"].as_str().unwrap()),
            json!({"step": "assign_dmi", "staff_number": "A1013"}),
        )
        .await;
    assert_eq!(s, 200, "{c}");

    // The DMI: no bundle, no exclusions, only the assigned case on the round page.
    let dmi = app.api(&app.token("A1013").await);
    assert_eq!(dmi.get(&format!("/monitoring/rounds/{round}/bundle")).await.0, 403);
    let r = dmi.get_ok(&format!("/monitoring/rounds/{round}")).await;
    assert!(r.get("exclusions").is_none() && !r.to_string().contains("sick leave"), "{r}");
    let page = app.sign_in("rajesh.patel@warwickshire.police.example").await;
    let html = page.get_ok(&format!("/monitoring/rounds/{round}")).await;
    let name = |c: &Value| c["name"].as_str().or(c["person"].as_str()).unwrap_or_default().to_string();
    assert!(html.contains(&name(mine)), "the assigned case is listed: {html}");
    assert!(!html.contains(&name(other)), "nobody else selected is named: {html}");
    assert!(
        !html.contains("id=\"selection\"") && !html.contains("bundle-link") && !html.contains("sick leave"),
        "{html}"
    );

    // PSD and the auditor may have the bundle; each view is in the audit log.
    let auditor = app.api(&app.token("A1015").await);
    assert_eq!(psd.get(&format!("/monitoring/rounds/{round}/bundle")).await.0, 200);
    assert_eq!(auditor.get(&format!("/monitoring/rounds/{round}/bundle")).await.0, 200);
    let (_, events) = auditor.get(&format!("/audit/events?subject=monitoring_round:{round}&per_page=100")).await;
    let views: Vec<&Value> =
        events["items"].as_array().unwrap().iter().filter(|e| e["action"] == "monitoring.bundle.view").collect();
    assert_eq!(views.len(), 2, "{events}");
    assert!(views.iter().any(|e| e["actor"].as_str().unwrap_or_default().contains("token:")), "{events}");
    app.stop().await;
}
on_both!(a_dmi_sees_only_their_cases_and_every_view_of_the_bundle_is_logged);

// ----- Item: sessions and sign-in (WP034 9.1) -----------------------------------------------

/// A client whose connections come from another loopback address, as a second machine would.
fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(ip))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn failures_from_one_address_do_not_lock_the_owner_out(b: Backend) {
    let app = spawn_seeded(b).await;
    let victim = "jack.thornton@warwickshire.police.example";
    let attacker = client_from([127, 0, 0, 2]);
    let mut statuses = vec![];
    for _ in 0..10 {
        statuses.push(post_sign_in(&attacker, &app.base, victim, "guessing wrongly again").await.status().as_u16());
    }
    assert_eq!(&statuses[..5], &[401; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "the guesser is slowed: {statuses:?}");
    // Even the right password waits from that address...
    assert_eq!(post_sign_in(&attacker, &app.base, victim, PASSWORD).await.status(), 429);
    // ...but the owner, elsewhere, signs in.
    let owner = client_from([127, 0, 0, 1]);
    assert_eq!(post_sign_in(&owner, &app.base, victim, PASSWORD).await.status(), 303);
    // The throttling is in the audit log.
    let auditor = app.api(&app.token("A1015").await);
    let (_, events) = auditor.get(&format!("/audit/events?subject=sign_in:{victim}&per_page=50")).await;
    assert!(events.to_string().contains("session.sign_in.throttled"), "{events}");
    app.stop().await;
}
on_both!(failures_from_one_address_do_not_lock_the_owner_out);

async fn the_sign_in_form_needs_its_own_pre_session_token(b: Backend) {
    let app = spawn_seeded(b).await;
    let email = "jack.thornton@warwickshire.police.example";
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let url = format!("{}/sign-in", app.base);
    // A form posted from elsewhere carries no token, or one without its cookie: refused.
    let res = http.post(&url).form(&[("email", email), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().get("set-cookie").is_none_or(|c| !c.to_str().unwrap().starts_with("custodian_session=")));
    let (cookie, token) = sign_in_form(&http, &app.base).await;
    assert!(cookie.starts_with("custodian_signin="), "{cookie}");
    let res = http
        .post(&url)
        .form(&[("email", email), ("password", PASSWORD), ("signin_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "the token without its cookie");
    let (other, _) = sign_in_form(&http, &app.base).await;
    let res = http
        .post(&url)
        .header("cookie", other)
        .form(&[("email", email), ("password", PASSWORD), ("signin_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "another form's cookie");
    // The matching pair signs in.
    let res = http
        .post(&url)
        .header("cookie", cookie)
        .form(&[("email", email), ("password", PASSWORD), ("signin_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    app.stop().await;
}
on_both!(the_sign_in_form_needs_its_own_pre_session_token);

async fn wrong_current_passwords_on_a_password_change_are_throttled(b: Backend) {
    let app = spawn_seeded(b).await;
    let s = app.sign_in("jack.thornton@warwickshire.police.example").await;
    let new = "copper kettle umbrella stair";
    let mut statuses = vec![];
    for _ in 0..6 {
        let (st, _) = s
            .post(
                "/account/password",
                &[("current_password", "not my password at all"), ("new_password", new), ("confirm_password", new)],
            )
            .await;
        statuses.push(st);
    }
    assert_eq!(&statuses[..5], &[422; 5], "{statuses:?}");
    assert_eq!(statuses[5], 429, "{statuses:?}");
    let (st, _) = s
        .post("/account/password", &[("current_password", PASSWORD), ("new_password", new), ("confirm_password", new)])
        .await;
    assert_eq!(st, 429, "even the right password waits");
    let auditor = app.api(&app.token("A1015").await);
    let (_, events) = auditor.get("/audit/events?subject=person:A1018&per_page=50").await;
    assert!(events.to_string().contains("account.change_password.throttled"), "{events}");
    app.stop().await;
}
on_both!(wrong_current_passwords_on_a_password_change_are_throttled);

async fn a_leavers_tokens_and_sessions_end_when_they_leave_and_stay_ended(b: Backend) {
    let app = spawn_seeded(b).await;
    let token = app.token("A1018").await;
    let api = app.api(&token);
    assert_eq!(api.get("/me").await.0, 200);
    let session = app.sign_in("jack.thornton@warwickshire.police.example").await;
    assert_eq!(session.get("/my-devices").await.0, 200);
    let row = |status: &str| {
        format!(
            "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
             A1018,Jack Thornton,jack.thornton@warwickshire.police.example,officer,{NORTH},A1016,,{status},\n"
        )
    };
    let now = time::OffsetDateTime::now_utc();
    let system = custodian_store::Actor::system();
    custodian_server::imports::import_people(app.store(), &system, now, row("leaver").as_bytes(), false).await.unwrap();
    let tokens = app.store().tokens().await.unwrap();
    let jack = app.person("A1018").await;
    assert!(tokens.iter().filter(|t| t.person_id == jack.id).all(|t| t.revoked_at.is_some()), "{tokens:?}");
    // They come back: nothing issued before they left works again.
    custodian_server::imports::import_people(app.store(), &system, now, row("active").as_bytes(), false).await.unwrap();
    assert_eq!(api.get("/me").await.0, 401);
    assert_ne!(session.get("/my-devices").await.0, 200);
    let auditor = app.api(&app.token("A1015").await);
    let (_, events) = auditor.get("/audit/events?subject=person:A1018&per_page=50").await;
    assert!(events.to_string().contains("account.leaver_credentials"), "{events}");
    // No token is issued to a leaver (the CLI's `custodian user token` goes through this).
    let marcus = app.person("A1008").await;
    let err = custodian_server::auth::issue_token(
        &app.state,
        &marcus,
        "cli",
        &["read".into()],
        30,
        &custodian_store::Actor::cli(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("left the force"), "{err}");
    app.stop().await;
}
on_both!(a_leavers_tokens_and_sessions_end_when_they_leave_and_stay_ended);

async fn a_read_token_cannot_mark_notifications_read(b: Backend) {
    let app = spawn_seeded(b).await;
    let read = app.api(&app.token_scoped("A1018", &["read"]).await);
    assert_eq!(read.get("/notifications").await.0, 200);
    let (s, body) = read.post("/notifications/read-all", json!({})).await;
    assert_eq!(s, 403, "{body}");
    let id = uuid::Uuid::now_v7();
    assert_eq!(read.post(&format!("/notifications/{id}/read"), json!({})).await.0, 403);
    let write = app.api(&app.token("A1018").await);
    assert_eq!(write.post("/notifications/read-all", json!({})).await.0, 200);
    app.stop().await;
}
on_both!(a_read_token_cannot_mark_notifications_read);

async fn a_common_password_padded_to_length_is_refused_by_default(b: Backend) {
    let app = spawn_seeded(b).await;
    let s = app.sign_in("jack.thornton@warwickshire.police.example").await;
    for weak in ["Password123456789", "FOOTBALL!!2024!!", "qwertyuiop1234567"] {
        let (st, page) = s
            .post(
                "/account/password",
                &[("current_password", PASSWORD), ("new_password", weak), ("confirm_password", weak)],
            )
            .await;
        assert_eq!(st, 422, "{weak}");
        assert!(page.contains("commonly used"), "{weak}: {page}");
    }
    app.stop().await;
}
on_both!(a_common_password_padded_to_length_is_refused_by_default);
