//! What the generated OpenAPI document cannot say from the handlers' annotations alone, added in
//! one place so the document matches what the server sends:
//! - every error is RFC 9457 `application/problem+json` with the [`Problem`](crate::error::Problem)
//!   schema, whatever an annotation says;
//! - the answers every operation may give are listed on every operation: 401 (no, or an unknown,
//!   expired or revoked, bearer token), 403 (the role, the token's scope or the CSRF token refuses
//!   it), 400 (a path or query parameter not of its type), 404 (a path naming nothing), 409 and
//!   413 (state and size refusals on writes) and 422 (input that fails validation);
//! - the closed sets of values (device status, role, finding outcome...) are `enum`s, taken from
//!   the domain's own lists so they cannot drift.

use serde_json::{Value, json};

use custodian_domain as d;

const PROBLEM: &str = "application/problem+json";

fn problem_content() -> Value {
    json!({ PROBLEM: { "schema": { "$ref": "#/components/schemas/Problem" } } })
}

/// The standard error answers, by status: when each applies and what it means.
fn standard(status: &str) -> &'static str {
    match status {
        "400" => "A path or query parameter is not of its type (a malformed id or number).",
        "401" => "No bearer token or session, or an unknown, expired or revoked token.",
        "403" => "Not permitted: the caller's roles, the token's scope or the CSRF token refuse it.",
        "404" => "Nothing has that id, or the caller may not know it exists.",
        "409" => "The request conflicts with the record's current state.",
        "413" => "The request body is larger than the server accepts.",
        "422" => "Input that fails validation; `errors` names each field, column or line.",
        _ => "An error.",
    }
}

/// The closed value sets of request and response fields: (schema, property, values, nullable).
fn property_enums() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    use d::devices::{DeviceStatus, DeviceType};
    use d::findings::{FindingStatus, Outcome, Severity};
    use d::people::{PersonKind, PersonStatus, Role};
    let device_types: Vec<&str> = DeviceType::ALL.iter().map(|t| t.as_str()).collect();
    let device_statuses: Vec<&str> = DeviceStatus::ALL.iter().map(|s| s.as_str()).collect();
    let transitions: Vec<&str> =
        DeviceStatus::ALL.iter().filter(|s| **s != DeviceStatus::Allocated).map(|s| s.as_str()).collect();
    let finding_statuses: Vec<&str> =
        [FindingStatus::Open, FindingStatus::UnderReview, FindingStatus::Closed].iter().map(|s| s.as_str()).collect();
    let outcomes: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
    let severities: Vec<&str> = [Severity::Low, Severity::Medium, Severity::High].iter().map(|s| s.as_str()).collect();
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let post_platforms: Vec<&str> = d::posts::Platform::ALL.iter().map(|p| p.as_str()).collect();
    let post_states: Vec<&str> = d::posts::PostState::ALL.iter().map(|p| p.as_str()).collect();
    let rights: Vec<&str> = d::posts::Rights::ALL.iter().map(|r| r.as_str()).collect();
    let stages: Vec<&str> = d::monitoring::Stage::ALL.iter().map(|s| s.as_str()).collect();
    vec![
        ("PersonOut", "kind", PersonKind::ALL.iter().map(|k| k.as_str()).collect()),
        ("PersonOut", "status", [PersonStatus::Active, PersonStatus::Leaver].iter().map(|s| s.as_str()).collect()),
        ("PersonOut", "roles", roles),
        ("DeviceOut", "type", device_types.clone()),
        ("DeviceOut", "status", device_statuses),
        ("DeviceIn", "type", device_types),
        ("TransitionIn", "status", transitions),
        ("ReviewIn", "status", vec!["under_review", "closed"]),
        ("ReviewIn", "outcome", outcomes.clone()),
        ("FindingOut", "status", finding_statuses),
        // A finding may also be closed by Custodian as "reattributed" (WP034 4.1); a reviewer may not choose it.
        ("FindingOut", "outcome", outcomes.iter().copied().chain([Outcome::Reattributed.as_str()]).collect()),
        ("FindingOut", "severity", severities),
        ("AccountOut", "platform", post_platforms.clone()),
        ("AccountIn", "platform", post_platforms),
        ("PostOut", "state", post_states),
        ("AttachmentIn", "rights", rights),
        ("CaseOut", "stage", stages),
    ]
}

/// The closed value sets of query and path parameters: (path, parameter, values). The list
/// filters read an empty value as no filter (`?status=`), so "" is among their values.
fn parameter_enums() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    use d::devices::{DeviceStatus, DeviceType};
    use d::findings::FindingStatus;
    use d::people::{PersonStatus, Role};
    let finding_statuses = [FindingStatus::Open, FindingStatus::UnderReview, FindingStatus::Closed];
    vec![
        ("/devices", "status", or_empty(DeviceStatus::ALL.iter().map(|s| s.as_str()))),
        ("/devices", "type", or_empty(DeviceType::ALL.iter().map(|t| t.as_str()))),
        ("/people", "status", or_empty([PersonStatus::Active, PersonStatus::Leaver].iter().map(|s| s.as_str()))),
        ("/findings", "status", or_empty(finding_statuses.iter().map(|s| s.as_str()))),
        ("/monitoring/cases", "stage", or_empty(d::monitoring::Stage::ALL.iter().map(|s| s.as_str()))),
        ("/posts", "state", or_empty(d::posts::PostState::ALL.iter().map(|s| s.as_str()))),
        ("/apps/export", "role", Role::ALL.iter().map(|r| r.as_str()).collect()),
        (
            "/usage/imports/{feed}",
            "feed",
            [d::usage::Feed::Carrier, d::usage::Feed::Web].iter().map(|f| f.as_str()).collect(),
        ),
    ]
}

fn or_empty<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    values.chain(std::iter::once("")).collect()
}

/// Restrict a (possibly nullable, possibly array) schema to `values`.
fn restrict(schema: &mut Value, values: &[&str]) {
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        if let Some(items) = schema.get_mut("items") {
            restrict(items, values);
        }
        return;
    }
    let nullable = schema.get("type").and_then(Value::as_array).is_some_and(|t| t.iter().any(|t| t == "null"));
    let mut e: Vec<Value> = values.iter().map(|v| json!(v)).collect();
    if nullable {
        e.push(Value::Null);
    }
    schema["enum"] = Value::Array(e);
}

/// Complete the generated document. Answers the rules that matched nothing (a renamed schema,
/// property or parameter), so a test can insist there are none.
pub fn complete(doc: &mut Value) -> Vec<String> {
    let mut unmatched = Vec::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for (method, op) in item.iter_mut() {
                complete_operation(method, op);
            }
        }
    }
    for (path, name, values) in parameter_enums() {
        let mut hit = false;
        if let Some(item) = doc.pointer_mut(&format!("/paths/{}", path.replace('~', "~0").replace('/', "~1"))) {
            for op in item.as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
                for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                    if p["name"] == name
                        && let Some(s) = p.get_mut("schema")
                    {
                        restrict(s, &values);
                        hit = true;
                    }
                }
            }
        }
        if !hit {
            unmatched.push(format!("parameter {name} of {path}"));
        }
    }
    for (schema, prop, values) in property_enums() {
        match doc.pointer_mut(&format!("/components/schemas/{schema}/properties/{prop}")) {
            Some(s) => restrict(s, &values),
            None => unmatched.push(format!("property {prop} of {schema}")),
        }
    }
    unmatched
}

fn complete_operation(method: &str, op: &mut Value) {
    let params: Vec<(String, String)> = op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .map(|p| (p["in"].as_str().unwrap_or("").to_string(), p["name"].as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    let has_path = params.iter().any(|(at, _)| at == "path");
    let has_query = params.iter().any(|(at, _)| at == "query");
    let has_body = op.get("requestBody").is_some();
    let writes = matches!(method, "post" | "put" | "patch" | "delete");
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { return };
    let mut wanted = vec!["401", "403"];
    if has_path || has_query {
        wanted.push("400");
    }
    if has_path {
        wanted.push("404");
    }
    if writes {
        wanted.push("409");
    }
    if has_body {
        wanted.push("413");
    }
    if has_body || has_query || has_path {
        wanted.push("422");
    }
    for status in wanted {
        responses.entry(status).or_insert_with(|| json!({ "description": standard(status) }));
    }
    for (status, response) in responses.iter_mut() {
        if status.as_str() >= "400" {
            if response.get("description").and_then(Value::as_str).is_none_or(str::is_empty) {
                response["description"] = json!(standard(status));
            }
            response["content"] = problem_content();
        }
    }
}
