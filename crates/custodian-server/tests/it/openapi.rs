//! The OpenAPI document matches what the server sends: every API route the router registers is
//! described, every error is problem+json, the closed value sets are enums, arrays are arrays.
//! (Schemathesis checks the running server against it too: scripts/schemathesis.)

use std::collections::BTreeSet;

use serde_json::Value;

use crate::on_both;
use crate::support::{Backend, spawn_seeded};

fn doc() -> Value {
    custodian_server::openapi::openapi()
}

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete"];

#[test]
fn the_document_describes_exactly_the_api_routes_the_router_registers() {
    let doc = doc();
    let prefix = custodian_server::API_PREFIX;
    let routed: BTreeSet<(String, String)> = custodian_server::route_table()
        .into_iter()
        .filter_map(|e| e.path.strip_prefix(prefix).map(|p| (e.method.to_lowercase(), p.to_string())))
        .filter(|(_, p)| p != "/openapi.json")
        .collect();
    let mut described = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if item.get(*m).is_some() {
                described.insert((m.to_string(), path.clone()));
            }
        }
    }
    let undocumented: Vec<_> = routed.difference(&described).collect();
    let unrouted: Vec<_> = described.difference(&routed).collect();
    assert!(undocumented.is_empty(), "routes the document does not describe: {undocumented:?}");
    assert!(unrouted.is_empty(), "operations the server does not route: {unrouted:?}");
}

#[test]
fn every_error_is_problem_json_and_every_operation_lists_the_errors_it_can_answer() {
    let doc = doc();
    let mut problems = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            let Some(op) = item.get(*m) else { continue };
            let responses = op["responses"].as_object().unwrap();
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let in_path = params.iter().any(|p| p["in"] == "path");
            let mut wanted = vec!["401", "403"];
            if in_path {
                wanted.extend(["400", "404"]);
            }
            if *m != "get" {
                wanted.push("409");
            }
            if op.get("requestBody").is_some() {
                wanted.extend(["413", "422"]);
            }
            for w in wanted {
                if !responses.contains_key(w) {
                    problems.push(format!("{m} {path} does not list {w}"));
                }
            }
            for (status, r) in responses {
                if status.as_str() >= "400" {
                    let types: Vec<&String> = r["content"].as_object().map(|c| c.keys().collect()).unwrap_or_default();
                    if types != ["application/problem+json"] {
                        problems.push(format!("{m} {path} {status} is {types:?}, not application/problem+json"));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Every completion rule still names a schema property or parameter of the document.
    let mut generated = serde_json::to_value(custodian_server::openapi::generated()).unwrap();
    let unmatched = custodian_server::api::contract::complete(&mut generated);
    assert!(unmatched.is_empty(), "completion rules that match nothing: {unmatched:?}");
}

#[test]
fn closed_value_sets_are_enums_and_lists_are_arrays() {
    let doc = doc();
    let s = &doc["components"]["schemas"];
    let statuses: Vec<&str> = s["DeviceOut"]["properties"]["status"]["enum"]
        .as_array()
        .expect("device status is an enum")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let all: Vec<&str> = custodian_domain::devices::DeviceStatus::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(statuses, all);
    // A nullable enum admits null.
    let outcome = s["FindingOut"]["properties"]["outcome"]["enum"].as_array().expect("outcome is an enum");
    assert!(outcome.contains(&Value::Null) && outcome.contains(&Value::from("false_positive")), "{outcome:?}");
    assert_eq!(
        s["PersonOut"]["properties"]["roles"]["items"]["enum"].as_array().map(Vec::len),
        Some(custodian_domain::people::Role::ALL.len())
    );
    for (schema, field) in [("PostOut", "attachments"), ("PostOut", "findings"), ("ScreenOut", "findings")] {
        assert_eq!(s[schema]["properties"][field]["type"], "array", "{schema}.{field}");
    }
    // The list filters' values, and the empty value that means no filter.
    let devices = &doc["paths"]["/devices"]["get"]["parameters"];
    let status = devices.as_array().unwrap().iter().find(|p| p["name"] == "status").unwrap();
    let values = status["schema"]["enum"].as_array().expect("status filter is an enum");
    assert!(values.contains(&Value::from("in_repair")) && values.contains(&Value::from("")), "{values:?}");
}

async fn refusals_from_the_framework_are_problem_documents_and_far_pages_are_empty(b: Backend) {
    let app = spawn_seeded(b).await;
    let token = app.token("A1002").await;
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}/api/v1{p}", app.base);

    // A malformed id: 400, as a problem document.
    let res = http.get(url("/devices/not-a-uuid")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["status"], 400, "{p}");
    // A query parameter of the wrong type.
    let res = http.get(url("/devices?page=first")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    // A method the path does not answer: 405 with Allow, as a problem document.
    let res = http.delete(url("/devices")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let allow = res.headers()["allow"].to_str().unwrap().to_string();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");

    // A page so far that its offset overflows answers an empty page, not a dropped connection.
    let admin = app.token("A1005").await;
    for (path, who) in [("/findings", &token), ("/devices", &token), ("/people", &token), ("/audit/events", &admin)] {
        let res = http
            .get(url(&format!("{path}?page=9223372036854775806&per_page=2")))
            .bearer_auth(who)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(res.status(), 200, "{path}");
        let page: Value = res.json().await.unwrap();
        assert_eq!(page["items"], Value::Array(vec![]), "{path}: {page}");
    }
    // The same on the web interface's paged lists.
    let session = app.sign_in("daniel.okafor@warwickshire.police.example").await;
    for path in ["/devices", "/people", "/findings"] {
        let (status, _) = session.get(&format!("{path}?page=9223372036854775806")).await;
        assert_eq!(status, 200, "{path}");
    }
    app.stop().await;
}
on_both!(refusals_from_the_framework_are_problem_documents_and_far_pages_are_empty);
