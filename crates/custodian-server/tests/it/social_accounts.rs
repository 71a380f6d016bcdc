//! The register of social media accounts (WP034 6.1, 6.6, 6.7, 9.1): a team manager's request on
//! the approval chain to Corporate Communications, authorised users with their dates, movers and
//! leavers from the HR import, signposting, re-certification and dormancy.
//!
//! Kwame Mensah (A1016) manages Response Policing North; Laura Fenwick (A1017) and Jack Thornton
//! (A1018) work for him. Corporate Communications: Priya Raman (A1003), Eleanor Pryce (A1009).
//! Niamh Doherty (A1012) is in Professional Standards.

use serde_json::{Value, json};
use time::Duration;

use crate::on_both;
use crate::support::{Backend, PEOPLE, spawn_seeded};
use custodian_store::Actor;

async fn tasks(api: &crate::support::Api, id: &str) -> Vec<Value> {
    let (s, a) = api.get(&format!("/accounts/{id}")).await;
    assert_eq!(s, 200, "{a}");
    a["tasks"].as_array().unwrap().clone()
}

fn open_rules(tasks: &[Value]) -> Vec<String> {
    let mut v: Vec<String> =
        tasks.iter().filter(|t| t["status"] == "open").map(|t| t["rule"].as_str().unwrap().to_string()).collect();
    v.sort();
    v
}

async fn a_requested_account_is_approved_used_and_loses_its_leavers_and_movers(b: Backend) {
    let app = spawn_seeded(b).await;
    let [kwame, priya, laura, niamh] = app.apis(["A1016", "A1003", "A1017", "A1012"]).await;

    // Bad input names the field; nothing is written.
    let (s, p) = kwame
        .post("/accounts", json!({"platform": "x", "handle": "@WarksNorth", "purpose": " ", "audience": "Nuneaton"}))
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "purpose", "{p}");
    let (s, p) =
        kwame.post("/accounts", json!({"platform": "myspace", "handle": "h", "purpose": "p", "audience": "a"})).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "platform", "{p}");
    let (_, all) = priya.get("/accounts").await;
    assert_eq!(all.as_array().unwrap().len(), 0, "{all}");

    // The team manager asks; the account waits for Corporate Communications (6.6).
    let (s, r) = kwame
        .post(
            "/accounts",
            json!({"platform": "x", "handle": "@WarksNorth", "purpose": "Local appeals and road closures",
                   "audience": "Residents of north Warwickshire"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["status"], "requested");
    let id = r["id"].as_str().unwrap().to_string();
    let approval = r["approval_id"].as_str().unwrap().to_string();
    let (s, p) = kwame
        .post("/accounts", json!({"platform": "x", "handle": "WarksNorth", "purpose": "again", "audience": "again"}))
        .await;
    assert_eq!(s, 409, "{p}");
    let (_, a) = kwame.get(&format!("/accounts/{id}")).await;
    assert_eq!(a["handle"], "WarksNorth");
    assert_eq!(a["owning_team"], "Response Policing North");
    assert_eq!(a["team_manager"], "A1016");
    // The team sees it; another team does not (6.7); Corporate Communications see every account.
    assert_eq!(laura.get(&format!("/accounts/{id}")).await.0, 200);
    assert_eq!(niamh.get(&format!("/accounts/{id}")).await.0, 403);
    assert_eq!(niamh.get("/accounts").await.1.as_array().unwrap().len(), 0);
    assert_eq!(priya.get("/accounts?status=requested").await.1.as_array().unwrap().len(), 1);
    assert_eq!(priya.get("/accounts?status=active").await.1.as_array().unwrap().len(), 0);

    // Only Corporate Communications decide; approval makes it active, with its profile checked.
    let (s, _) = laura
        .post(&format!("/approvals/{approval}/decide"), json!({"step": "corporate_comms", "verdict": "approve"}))
        .await;
    assert!(s == 403 || s == 404, "{s}");
    let (s, d) = priya
        .post(&format!("/approvals/{approval}/decide"), json!({"step": "corporate_comms", "verdict": "approve"}))
        .await;
    assert_eq!(s, 200, "{d}");
    let (_, a) = kwame.get(&format!("/accounts/{id}")).await;
    assert_eq!(a["status"], "active", "{a}");
    assert_eq!(open_rules(a["tasks"].as_array().unwrap()), vec!["social.signposting"]);

    // The team manager keeps the list (6.7); nobody authorises themselves; others may not.
    let tm = app.sign_in("kwame.mensah@warwickshire.police.example").await;
    let laura_s = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    for sn in ["A1017", "A1018", "A1016"] {
        tm.post(&format!("/accounts/{id}/users"), &[("staff_number", sn)]).await;
    }
    let (s, _) = laura_s.post(&format!("/accounts/{id}/users"), &[("staff_number", "A1020")]).await;
    assert_eq!(s, 403);
    let (_, a) = kwame.get(&format!("/accounts/{id}")).await;
    let mut users: Vec<&str> =
        a["authorised_users"].as_array().unwrap().iter().map(|u| u["staff_number"].as_str().unwrap()).collect();
    users.sort_unstable();
    assert_eq!(users, vec!["A1017", "A1018"], "{a}");
    assert!(a["authorised_users"].as_array().unwrap().iter().all(|u| u["authorised_by"] == "person:A1016"), "{a}");

    // Signposting is checked on every profile change (6.7).
    tm.post(&format!("/accounts/{id}/profile"), &[("profile", "Local news. Emergencies: 999."), ("url", "")]).await;
    let t = tasks(&kwame, &id).await;
    assert_eq!(open_rules(&t), vec!["social.signposting"]);
    assert!(t[0]["summary"].as_str().unwrap().contains("101"), "{t:?}");
    tm.post(
        &format!("/accounts/{id}/profile"),
        &[
            ("profile", "Local news. Emergencies: 999. Report crime on 101 or online."),
            ("url", "https://x.com/WarksNorth"),
        ],
    )
    .await;
    assert_eq!(open_rules(&tasks(&kwame, &id).await), Vec::<String>::new());

    // The next HR import: Jack leaves, Laura moves to Digital Services. Both authorisations end
    // in the import's transaction, and the log-in details are due for a change (9.1).
    let hr = PEOPLE
        .replace(
            "A1018,Jack Thornton,jack.thornton@warwickshire.police.example,officer,Response Policing North,A1016,,active,",
            "A1018,Jack Thornton,jack.thornton@warwickshire.police.example,officer,Response Policing North,A1016,,leaver,",
        )
        .replace(
            "A1017,Laura Fenwick,laura.fenwick@warwickshire.police.example,officer,Response Policing North,A1016,,active,",
            "A1017,Laura Fenwick,laura.fenwick@warwickshire.police.example,officer,Digital Services,A1016,,active,",
        );
    assert_ne!(hr, PEOPLE);
    let now = time::OffsetDateTime::now_utc();
    custodian_server::imports::import_people(app.store(), &Actor::system(), now, hr.as_bytes(), false).await.unwrap();
    let (_, a) = priya.get(&format!("/accounts/{id}")).await;
    let ended: Vec<(String, String)> = a["authorised_users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (u["staff_number"].as_str().unwrap().to_string(), u["ended_reason"].as_str().unwrap_or("").to_string())
        })
        .collect();
    assert!(ended.contains(&("A1017".into(), "moved".into())), "{ended:?}");
    assert!(ended.contains(&("A1018".into(), "left".into())), "{ended:?}");
    assert!(a["authorised_users"].as_array().unwrap().iter().all(|u| !u["authorised_to"].is_null()), "{a}");
    let t = a["tasks"].as_array().unwrap();
    assert_eq!(open_rules(t), vec!["social.rotate_credentials"]);
    let rotate = t.iter().find(|t| t["rule"] == "social.rotate_credentials").unwrap();
    assert_eq!(rotate["assignee"], "corporate_comms");
    assert_eq!(rotate["clause"], "9.1");
    assert!(rotate["summary"].as_str().unwrap().contains("A1018"), "{rotate}");
    // Audited, and Corporate Communications are told.
    let events = app.store().audit_page(Some(&format!("social_account:{id}")), None, 1, 100).await.unwrap().items;
    let ended_events = events.iter().filter(|e| e.action == "social_account.authorisation_ended").count();
    assert_eq!(ended_events, 2, "{events:?}");
    let eleanor = app.person("A1009").await;
    let notes = app.store().notifications(eleanor.id, 50).await.unwrap();
    assert!(notes.iter().any(|n| n.kind == "social.rotate_credentials"), "{notes:?}");
    // The same import again changes nothing more.
    custodian_server::imports::import_people(app.store(), &Actor::system(), now, hr.as_bytes(), false).await.unwrap();
    let again = app.store().audit_page(Some(&format!("social_account:{id}")), None, 1, 100).await.unwrap().items;
    assert_eq!(again.len(), events.len());
    // Only Corporate Communications record the new log-in details.
    let task = rotate["id"].as_str().unwrap();
    let (s, _) = tm.post(&format!("/accounts/{id}/tasks/{task}/done"), &[("outcome", "changed")]).await;
    assert_eq!(s, 403);
    let priya_s = app.sign_in("priya.raman@warwickshire.police.example").await;
    priya_s
        .post(&format!("/accounts/{id}/tasks/{task}/done"), &[("outcome", "Password and recovery codes changed")])
        .await;
    assert_eq!(open_rules(&tasks(&priya, &id).await), Vec::<String>::new());

    // A quarter later with no post: re-certification is overdue (6.7) and the account dormant
    // (6.1); each is raised once.
    let later = now + Duration::days(92);
    let s1 = custodian_server::social_accounts::sweep(app.store(), later).await.unwrap();
    assert_eq!((s1.recertification_overdue, s1.dormant), (1, 1));
    let s2 = custodian_server::social_accounts::sweep(app.store(), later).await.unwrap();
    assert_eq!((s2.recertification_overdue, s2.dormant), (0, 0));
    let (_, a) = kwame.get(&format!("/accounts/{id}")).await;
    assert_eq!(a["status"], "dormant");
    assert_eq!(open_rules(a["tasks"].as_array().unwrap()), vec!["social.dormant", "social.recertification_overdue"]);
    // Corporate Communications may not re-certify for the team manager; the team manager does.
    let (s, _) = priya_s.post(&format!("/accounts/{id}/recertify"), &[]).await;
    assert_eq!(s, 403);
    tm.post(&format!("/accounts/{id}/recertify"), &[]).await;
    tm.post(&format!("/accounts/{id}/posts"), &[("day", "")]).await;
    let (_, a) = kwame.get(&format!("/accounts/{id}")).await;
    assert_eq!(a["status"], "active", "{a}");
    assert!(!a["recertified_at"].is_null());
    assert_eq!(open_rules(a["tasks"].as_array().unwrap()), Vec::<String>::new());

    // Closing keeps the history.
    tm.post(&format!("/accounts/{id}/users"), &[("staff_number", "A1020")]).await;
    tm.post(&format!("/accounts/{id}/close"), &[("reason", "Merged into the force's main account")]).await;
    let (_, a) = priya.get(&format!("/accounts/{id}")).await;
    assert_eq!(a["status"], "closed");
    let users = a["authorised_users"].as_array().unwrap();
    assert_eq!(users.len(), 3, "{a}");
    assert!(users.iter().any(|u| u["staff_number"] == "A1020" && u["ended_reason"] == "account_closed"), "{a}");
    let actions: Vec<String> = app
        .store()
        .audit_page(Some(&format!("social_account:{id}")), None, 1, 100)
        .await
        .unwrap()
        .items
        .iter()
        .map(|e| e.action.clone())
        .collect();
    for a in [
        "social_account.request",
        "social_account.approve",
        "social_account.authorise",
        "social_account.profile",
        "social_account.task_raised",
        "social_account.task_done",
        "social_account.recertify",
        "social_account.dormant",
        "social_account.revive",
        "social_account.close",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} missing from {actions:?}");
    }
    // The pages render for the team manager and Corporate Communications.
    let html = tm.get_ok(&format!("/accounts/{id}")).await;
    assert!(html.contains("Left the force") && html.contains("Moved to another business area"), "{html}");
    let html = priya_s.get_ok("/accounts?status=closed").await;
    assert!(html.contains("WarksNorth"));
    app.stop().await;
}
on_both!(a_requested_account_is_approved_used_and_loses_its_leavers_and_movers);

async fn a_refused_or_withdrawn_request_keeps_its_handle_frees_it_and_is_listed_on_the_next(b: Backend) {
    let app = spawn_seeded(b).await;
    // Eleanor (Corporate Communications) asks for a team account herself: she may not approve it.
    let [eleanor, priya] = app.apis(["A1009", "A1003"]).await;
    let (s, r) = eleanor
        .post("/accounts", json!({"platform": "instagram", "handle": "WarksCareers", "purpose": "Recruitment", "audience": "Applicants"}))
        .await;
    assert_eq!(s, 201, "{r}");
    let (id, approval) = (r["id"].as_str().unwrap().to_string(), r["approval_id"].as_str().unwrap().to_string());
    let (s, p) = eleanor
        .post(&format!("/approvals/{approval}/decide"), json!({"step": "corporate_comms", "verdict": "approve"}))
        .await;
    assert!((400..500).contains(&s), "{s} {p}");
    let (s, p) = priya
        .post(
            &format!("/approvals/{approval}/decide"),
            json!({"step": "corporate_comms", "verdict": "reject", "reasons": "Use the corporate channel"}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    let (_, a) = priya.get(&format!("/accounts/{id}")).await;
    assert_eq!(a["status"], "refused", "{a}");

    // The refusal does not keep the handle: the same platform and handle may be asked for
    // again, as a new request with its own approval; the refused one keeps its history and its
    // real handle (only live rows hold a handle: migration 0042).
    let kwame = app.api(&app.token("A1016").await);
    let (s, r2) = kwame
        .post("/accounts", json!({"platform": "instagram", "handle": "@WarksCareers", "purpose": "Recruitment for the north", "audience": "Applicants in Nuneaton"}))
        .await;
    assert_eq!(s, 201, "{r2}");
    let id2 = r2["id"].as_str().unwrap().to_string();
    assert_ne!(id2, id);
    assert_ne!(r2["approval_id"], approval);
    assert_eq!(r2["status"], "requested", "{r2}");
    let (_, new) = priya.get(&format!("/accounts/{id2}")).await;
    assert_eq!(new["handle"], "WarksCareers", "{new}");
    // The new request's page lists the earlier, refused one.
    let earlier = new["earlier_requests"].as_array().unwrap();
    assert_eq!(earlier.len(), 1, "{new}");
    assert_eq!(earlier[0]["id"], id.as_str());
    assert_eq!(earlier[0]["status"], "refused");
    assert_eq!(earlier[0]["reason"], "request refused by Corporate Communications");
    assert_eq!(earlier[0]["approval_id"], approval.as_str());
    let (_, old) = priya.get(&format!("/accounts/{id}")).await;
    assert_eq!(old["status"], "refused", "{old}");
    assert_eq!(old["handle"], "WarksCareers", "{old}");
    assert_eq!(old["approval_id"], approval, "{old}");
    let (_, ap) = priya.get(&format!("/approvals/{approval}")).await;
    assert_eq!(ap["status"], "rejected", "{ap}");
    let events = app.store().audit_page(Some(&format!("social_account:{id}")), None, 1, 100).await.unwrap().items;
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    for a in ["social_account.request", "social_account.reject"] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    assert!(!actions.contains(&"social_account.handle_released"), "{actions:?}");
    // Still one live row per handle: a pending (or active) account keeps it.
    let (s, p) = eleanor
        .post(
            "/accounts",
            json!({"platform": "instagram", "handle": "WarksCareers", "purpose": "again", "audience": "again"}),
        )
        .await;
    assert_eq!(s, 409, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("already in the register (requested)"), "{p}");
    // Withdrawn by its requester, then asked a third time: both earlier requests are listed on
    // the third, newest first, each with its real handle.
    let approval2 = r2["approval_id"].as_str().unwrap().to_string();
    let (s, p) = kwame.post(&format!("/approvals/{approval2}/withdraw"), json!({})).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(priya.get(&format!("/accounts/{id2}")).await.1["status"], "withdrawn");
    let (s, r3) = kwame
        .post("/accounts", json!({"platform": "instagram", "handle": "WarksCareers", "purpose": "Third try", "audience": "Applicants"}))
        .await;
    assert_eq!(s, 201, "{r3}");
    let id3 = r3["id"].as_str().unwrap().to_string();
    let (_, third) = priya.get(&format!("/accounts/{id3}")).await;
    let earlier: Vec<(&str, &str)> = third["earlier_requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["id"].as_str().unwrap(), e["status"].as_str().unwrap()))
        .collect();
    assert_eq!(earlier, [(id2.as_str(), "withdrawn"), (id.as_str(), "refused")], "{third}");
    assert_eq!(priya.get(&format!("/accounts/{id2}")).await.1["handle"], "WarksCareers");
    assert_eq!(priya.get(&format!("/accounts/{id}")).await.1["handle"], "WarksCareers");
    // The page shows them too, linked.
    let session = app.sign_in("priya.raman@warwickshire.police.example").await;
    let (s, html) = session.get(&format!("/accounts/{id3}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"earlier-requests\""), "{html}");
    assert!(html.contains(&format!("href=\"/accounts/{id}\"")) && html.contains(&format!("href=\"/accounts/{id2}\"")));
    assert!(html.contains("Request refused") && html.contains("Request withdrawn"));
    // The register's filter finds refused requests by their status.
    let (_, refused) = priya.get("/accounts?status=refused").await;
    assert!(refused.as_array().unwrap().iter().any(|a| a["id"] == id.as_str()), "{refused}");
    app.stop().await;
}
on_both!(a_refused_or_withdrawn_request_keeps_its_handle_frees_it_and_is_listed_on_the_next);

// The browser journey (request, approval, credentials stored through the form, a leaver in the
// next HR file uploaded on the imports page, the rotation task, reveals) is one test in
// `vault.rs`: `in_a_browser_an_account_is_requested_approved_given_credentials_loses_a_leaver_and_revealed_with_a_reason`.

/// WP034 6.6: every departmental account is approved and set up by Corporate Communications.
/// `POST /api/v1/posts/accounts` is their setting up an account themselves: only they may, the
/// team manager is required, the account is in the register as active with its team manager
/// and its profile checked, the audit event `social_account.set_up` names 6.6, and the handle is
/// held as a requested account's is.
async fn corporate_communications_set_up_an_account_with_its_team_manager(b: Backend) {
    let app = spawn_seeded(b).await;
    let [eleanor, kwame] = app.apis(["A1009", "A1016"]).await;
    let body = |tm: Option<&str>| {
        let mut v = json!({"platform": "x", "handle": "@WarksRoadsNorth", "owning_team": "Response Policing North",
            "comms_approval": true, "corporate": false});
        if let Some(tm) = tm {
            v["team_manager"] = json!(tm);
        }
        v
    };
    // A team manager asks through the register instead: setting up directly is refused.
    let (s, p) = kwame.post("/posts/accounts", body(Some("A1016"))).await;
    assert_eq!(s, 403, "{p}");
    // The team manager is required, and must be someone still in the force.
    let (s, p) = eleanor.post("/posts/accounts", body(None)).await;
    assert_eq!(s, 422, "{p}");
    assert!(p.to_string().contains("team_manager"), "{p}");
    let (s, p) = eleanor.post("/posts/accounts", body(Some(""))).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "team_manager", "{p}");
    let (s, p) = eleanor.post("/posts/accounts", body(Some("A9999"))).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("team_manager")), "{p}");
    let (s, p) = eleanor.post("/posts/accounts", body(Some("A1008"))).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("team_manager")), "{p}");
    assert!(p.to_string().contains("has left the force"), "{p}");
    assert_eq!(eleanor.get("/accounts").await.1.as_array().unwrap().len(), 0, "nothing was written");

    let (s, a) = eleanor.post("/posts/accounts", body(Some("A1016"))).await;
    assert_eq!(s, 201, "{a}");
    assert_eq!((a["handle"].as_str(), a["comms_approval"].as_bool()), (Some("WarksRoadsNorth"), Some(true)), "{a}");
    let id = a["id"].as_str().unwrap().to_string();
    let (_, r) = eleanor.get(&format!("/accounts/{id}")).await;
    assert_eq!(r["status"], "active", "{r}");
    assert_eq!(r["team_manager"], "A1016", "{r}");
    assert!(r["approval_id"].is_null(), "{r}");
    // Its empty profile points nowhere: the team manager has the signposting task (6.7).
    assert_eq!(open_rules(r["tasks"].as_array().unwrap()), ["social.signposting"]);
    // The team manager sees and runs it like any other account of theirs.
    let (s, mine) = kwame.get(&format!("/accounts/{id}")).await;
    assert_eq!(s, 200, "{mine}");
    let events = app.store().audit_page(Some(&format!("social_account:{id}")), None, 1, 100).await.unwrap().items;
    let set_up = events.iter().find(|e| e.action == "social_account.set_up").expect("the set-up is audited");
    assert_eq!(set_up.clause.as_deref(), Some("6.6"));
    // Made through Eleanor's API token, as every change through the API is recorded.
    assert!(set_up.actor.starts_with("token:"), "{}", set_up.actor);
    assert!(!events.iter().any(|e| e.action == "account.create"), "the old unaudited-by-clause shape is gone");
    // The handle is held: neither a second set-up nor a request may take it.
    let (s, p) = eleanor.post("/posts/accounts", body(Some("A1001"))).await;
    assert_eq!(s, 409, "{p}");
    let (s, p) = kwame
        .post("/accounts", json!({"platform": "x", "handle": "WarksRoadsNorth", "purpose": "p", "audience": "a"}))
        .await;
    assert_eq!(s, 409, "{p}");
    // A profile given at set-up is checked at once.
    let a2 = eleanor
        .create_account(
            json!({"platform": "facebook", "handle": "WarksRoadsNorth", "owning_team": "Response Policing North",
                "team_manager": "A1016", "profile": "Emergencies: 999. Report crime on 101.",
                "url": "https://facebook.example/WarksRoadsNorth"}),
        )
        .await;
    let (_, r2) = eleanor.get(&format!("/accounts/{}", a2["id"].as_str().unwrap())).await;
    assert_eq!(open_rules(r2["tasks"].as_array().unwrap()), Vec::<String>::new(), "{r2}");
    assert_eq!(r2["url"], "https://facebook.example/WarksRoadsNorth");
    app.stop().await;
}
on_both!(corporate_communications_set_up_an_account_with_its_team_manager);
