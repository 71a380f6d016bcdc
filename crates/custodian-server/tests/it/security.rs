//! Sign-in, sessions, CSRF, throttling, tokens, headers and error shapes.

use serde_json::json;

use crate::on_both;
use crate::support::{Backend, PASSWORD, post_sign_in, spawn, spawn_seeded, spawn_with};

async fn every_response_carries_the_security_headers(b: Backend) {
    let app = spawn(b).await;
    let res = reqwest::get(format!("{}/sign-in", app.base)).await.unwrap();
    let h = res.headers();
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline")
    );
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
    let health = reqwest::get(format!("{}/healthz", app.base)).await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(reqwest::get(format!("{}/readyz", app.base)).await.unwrap().status(), 200);
    app.stop().await;
}
on_both!(every_response_carries_the_security_headers);

async fn sessions_cookies_and_csrf_protect_the_web_interface(b: Backend) {
    let app = spawn_seeded(b).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = post_sign_in(&http, &app.base, "jack.thornton@warwickshire.police.example", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let s = app.sign_in("daniel.okafor@warwickshire.police.example").await;
    let d = app.device("WP-LT-0006").await;
    let status = s
        .post_without_csrf(&format!("/devices/{}/allocate", d.id), &[("staff_number", "A1018"), ("reason", "x")])
        .await;
    assert_eq!(status, 403, "a form without the CSRF token is refused");
    assert!(app.device("WP-LT-0006").await.holder_id.is_none());
    let (status, _) =
        s.post(&format!("/devices/{}/allocate", d.id), &[("staff_number", "A1018"), ("reason", "x")]).await;
    assert_eq!(status, 303);
    // Signing out ends the session on the server.
    let (status, _) = s.post("/sign-out", &[]).await;
    assert_eq!(status, 303);
    let (status, _) = s.get("/devices").await;
    assert_eq!(status, 303);
    app.stop().await;
}
on_both!(sessions_cookies_and_csrf_protect_the_web_interface);

async fn an_idle_session_expires(b: Backend) {
    let app = spawn_with(b, |s| s.session_idle_minutes = 0).await;
    app.seed().await;
    let http =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = post_sign_in(&http, &app.base, "jack.thornton@warwickshire.police.example", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let res = http.get(format!("{}/my-devices", app.base)).send().await.unwrap();
    assert_eq!(res.headers().get("location").unwrap(), "/sign-in");
    app.stop().await;
}
on_both!(an_idle_session_expires);

async fn repeated_failures_throttle_sign_in_and_unknown_accounts_look_the_same(b: Backend) {
    let app = spawn_seeded(b).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let attempt = |email: &'static str, pw: &'static str| {
        let http = http.clone();
        let base = app.base.clone();
        async move { post_sign_in(&http, &base, email, pw).await }
    };
    let unknown = attempt("nobody@warwickshire.police.example", "wrong password entirely").await;
    let wrong = attempt("jack.thornton@warwickshire.police.example", "wrong password entirely").await;
    assert_eq!(unknown.status(), wrong.status());
    // The pages differ only in the email typed and each form's own sign-in token.
    let token_out = |page: String| {
        let (head, tail) = page.split_once("name=\"signin_token\" value=\"").unwrap();
        format!("{head}{}", tail.split_once('"').unwrap().1)
    };
    assert_eq!(
        token_out(unknown.text().await.unwrap().replace("nobody", "jack.thornton")),
        token_out(wrong.text().await.unwrap())
    );
    for _ in 0..4 {
        attempt("jack.thornton@warwickshire.police.example", "wrong password entirely").await;
    }
    let blocked = attempt("jack.thornton@warwickshire.police.example", PASSWORD).await;
    assert_eq!(blocked.status(), 429, "the sixth attempt is refused even with the right password");
    app.stop().await;
}
on_both!(repeated_failures_throttle_sign_in_and_unknown_accounts_look_the_same);

async fn api_tokens_are_scoped_and_revocable(b: Backend) {
    let app = spawn_seeded(b).await;
    let read = app.api(&app.token_scoped("A1006", &["read"]).await);
    let _ = read.get_ok("/devices").await;
    let d = app.device("WP-LT-0006").await;
    let (s, _) =
        read.post(&format!("/devices/{}/allocate", d.id), json!({"staff_number": "A1018", "reason": "x"})).await;
    assert_eq!(s, 403, "a read token cannot change anything");
    let tokens = app.store().tokens().await.unwrap();
    app.store()
        .revoke_token(tokens[0].id, custodian_store::Actor::system().at(time::OffsetDateTime::now_utc()))
        .await
        .unwrap();
    let (s, p) = read.get("/devices").await;
    assert_eq!(s, 401, "{p}");
    let bogus = app.api("cst_not-a-real-token");
    assert_eq!(bogus.get("/me").await.0, 401);
    app.stop().await;
}
on_both!(api_tokens_are_scoped_and_revocable);

async fn bad_json_is_a_problem_naming_the_field_never_a_500(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let d = app.device("WP-LT-0006").await;
    let r = ds
        .http
        .post(format!("{}/devices/{}/allocate", ds.base, d.id))
        .bearer_auth(&ds.token)
        .json(&json!({"staff_number": 5, "reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers().get("content-type").unwrap(), "application/problem+json");
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "/staff_number", "{p}");
    let (s, p) = ds.post_raw(&format!("/devices/{}/allocate", d.id), "application/json", "{not json").await;
    assert_eq!(s, 422, "{p}");
    let (s, p) = ds
        .post("/devices", json!({"asset_tag": "X 1", "type": "toaster", "make": "", "model": "m", "imei": "12"}))
        .await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["asset_tag", "type", "make", "imei"]);
    let (s, _) = ds.get(&format!("/devices/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(s, 404);
    app.stop().await;
}
on_both!(bad_json_is_a_problem_naming_the_field_never_a_500);

#[tokio::test]
async fn the_openapi_document_is_3_1_and_describes_every_api_route() {
    let doc = serde_json::to_value(custodian_server::openapi::openapi()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for p in ["/devices", "/devices/{id}/allocate", "/findings/{id}/review", "/imports/intune", "/audit/verify"] {
        assert!(doc["paths"].get(p).is_some(), "missing {p}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

async fn metrics_need_a_permitted_sign_in(b: Backend) {
    let app = spawn_seeded(b).await;
    assert_eq!(reqwest::get(format!("{}/metrics", app.base)).await.unwrap().status(), 401);
    let admin = app.token("A1005").await;
    let text =
        crate::support::text_of(reqwest::Client::new().get(format!("{}/metrics", app.base)).bearer_auth(admin)).await;
    assert!(text.contains("custodian_devices{status=\"allocated\"}"), "{text}");
    app.stop().await;
}
on_both!(metrics_need_a_permitted_sign_in);

async fn a_person_changes_their_own_password_and_their_other_sessions_end(b: Backend) {
    let app = spawn_seeded(b).await;
    let email = "jack.thornton@warwickshire.police.example";
    let here = app.sign_in(email).await;
    let elsewhere = app.sign_in(email).await;
    let new_password = "copper kettle umbrella stair";

    // The current password must be given correctly, the two new ones must agree, and the new one
    // must meet the rules; each refusal names its field and changes nothing.
    let (status, page) = here
        .post(
            "/account/password",
            &[
                ("current_password", "not my password at all"),
                ("new_password", new_password),
                ("confirm_password", new_password),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("href=\"#current_password\""), "{page}");
    let (status, page) = here
        .post(
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", new_password), ("confirm_password", "something else")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("href=\"#confirm_password\""));
    let (status, page) = here
        .post(
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", "short"), ("confirm_password", "short")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("href=\"#new_password\"") && page.contains("at least 15 characters"), "{page}");
    assert_eq!(elsewhere.get("/my-devices").await.0, 200, "a refused change ends no session");

    // Without the CSRF token nothing happens.
    let status = here
        .post_without_csrf(
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", new_password), ("confirm_password", new_password)],
        )
        .await;
    assert_eq!(status, 403);

    let (status, page) = here
        .post(
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", new_password), ("confirm_password", new_password)],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Your password has been changed") && page.contains("1 other session has been signed out"));
    // This session goes on; the other one is over.
    assert_eq!(here.get("/my-devices").await.0, 200);
    assert_ne!(elsewhere.get("/my-devices").await.0, 200);

    // The old password no longer signs in; the new one does.
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let sign_in = |pw: &'static str| {
        let http = http.clone();
        let base = app.base.clone();
        async move { post_sign_in(&http, &base, email, pw).await.status().as_u16() }
    };
    assert_eq!(sign_in(PASSWORD).await, 401);
    assert_eq!(sign_in("copper kettle umbrella stair").await, 303);

    // The change is in the audit log under WP034 9.1, with no password or hash in it.
    let auditor = app.token("A1015").await;
    let (_, events) = app.api(&auditor).get("/audit/events?subject=person:A1018").await;
    let text = events.to_string();
    assert!(text.contains("account.change_password") && text.contains("9.1"), "{text}");
    assert!(!text.contains(new_password) && !text.contains("argon2"));
    app.stop().await;
}
on_both!(a_person_changes_their_own_password_and_their_other_sessions_end);
