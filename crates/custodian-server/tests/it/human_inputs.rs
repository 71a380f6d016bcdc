//! Inputs for people, not for machines (issue 16): dates in the GOV.UK date input with London
//! times, a person chosen by name or staff number among those the user may see, and countries
//! by name. Each refused input names its field and links to a box that exists on the page.

use crate::on_both;
use crate::support::{Backend, Session, spawn_seeded};

/// Every `href="#x"` of the error summary has its target on the page.
fn summary_links_exist(html: &str) -> Vec<String> {
    let Some(at) = html.find("govuk-error-summary__list") else { return vec![] };
    let end = html[at..].find("</ul>").map_or(html.len(), |e| at + e);
    let mut ids = Vec::new();
    for part in html[at..end].split("href=\"#").skip(1) {
        let id = &part[..part.find('"').unwrap()];
        assert!(html.contains(&format!("id=\"{id}\"")), "the summary's link to #{id} has a target");
        ids.push(id.to_string());
    }
    ids
}

fn in_days(n: i64) -> time::Date {
    (time::OffsetDateTime::now_utc() + time::Duration::days(n)).date()
}

fn boxes(name: &str, d: time::Date) -> Vec<(String, String)> {
    vec![
        (format!("{name}-day"), d.day().to_string()),
        (format!("{name}-month"), u8::from(d.month()).to_string()),
        (format!("{name}-year"), d.year().to_string()),
    ]
}

async fn the_overseas_form_takes_countries_by_name_and_dates_in_three_boxes(b: Backend) {
    let app = spawn_seeded(b).await;
    let jack = app.sign_in("jack.thornton@warwickshire.police.example").await;
    let html = jack.get_ok("/overseas").await;
    for id in ["from-day", "from-month", "from-year", "to-day", "to-month", "to-year"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}: {html}");
    }
    assert!(html.contains("<option value=\"France\">") && !html.contains("<option value=\"United Kingdom\">"));
    assert!(!html.contains("type=\"date\""), "no browser date picker");

    // A month missing: the same page, the summary links to the month box, the values kept.
    let (from, to) = (in_days(1), in_days(4));
    let mut form: Vec<(String, String)> = vec![
        ("devices".into(), "WP-MB-0007".into()),
        ("countries".into(), "France, belgium".into()),
        ("from-day".into(), from.day().to_string()),
        ("from-year".into(), from.year().to_string()),
        ("purpose".into(), "Europol meeting".into()),
    ];
    form.extend(boxes("to", to));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (s, location) = jack.post_from("/overseas", "/overseas", &pairs).await;
    assert_eq!((s, location.as_str()), (303, "/overseas"));
    let (s, html) = jack.get("/overseas").await;
    assert_eq!(s, 422);
    assert!(html.contains("The first day must include a month"), "{html}");
    assert_eq!(summary_links_exist(&html), vec!["from-month".to_string()]);
    assert!(html.contains(&format!("value=\"{}\"", from.year())) && html.contains("value=\"France, belgium\""));
    // The message sits above the group's boxes, inside its marked group.
    let msg = html.find("id=\"from-month-error\"").expect("an inline message");
    let group = html[..msg].rfind("class=\"govuk-form-group").unwrap();
    assert!(html[group..].starts_with("class=\"govuk-form-group govuk-form-group--error\""), "{}", &html[group..msg]);
    assert!(html[msg..].find("govuk-date-input").is_some());

    // Without a Referer the handler's own page says the same, with the boxes marked.
    let (s, html) = jack.post("/overseas", &pairs).await;
    assert_eq!(s, 422);
    assert!(html.contains("href=\"#from-month\"") && html.contains("id=\"from-month\""), "{html}");
    assert!(html.contains("govuk-input--width-2 govuk-input--error\" id=\"from-month\""), "{html}");

    // A date that is not real, one already past, a country nobody has.
    for (edit, message, link) in
        [(("from-day", "31"), "", ""), (("countries", "France, Narnia"), "No country is called Narnia", "countries")]
    {
        let mut f = form.clone();
        f.push(("from-month".into(), "2".into()));
        f.retain(|(k, _)| k != edit.0 || edit.0 == "from-month");
        f.push((edit.0.into(), edit.1.into()));
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (s, html) = jack.post("/overseas", &pairs).await;
        assert_eq!(s, 422, "{html}");
        if message.is_empty() {
            assert!(html.contains("The first day must be a real date"), "{html}");
            assert!(html.contains("href=\"#from-day\""), "{html}");
        } else {
            assert!(html.contains(message) && html.contains(&format!("href=\"#{link}\"")), "{html}");
        }
    }
    let mut past = form.clone();
    past.retain(|(k, _)| !k.starts_with("to-"));
    past.extend(boxes("to", in_days(-2)));
    past.push(("from-month".into(), u8::from(from.month()).to_string()));
    let pairs: Vec<(&str, &str)> = past.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (s, html) = jack.post("/overseas", &pairs).await;
    assert_eq!(s, 422);
    assert!(
        html.contains("The last day must be today or in the future") && html.contains("href=\"#to-day\""),
        "{html}"
    );

    // All well: the window is kept with codes and shown with names and dates in words.
    let mut good = form.clone();
    good.push(("from-month".into(), u8::from(from.month()).to_string()));
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = jack
        .http
        .post(format!("{}/overseas", jack.base))
        .form(&[pairs.as_slice(), &[("csrf_token", jack.csrf.as_str())]].concat())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to_page = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = jack.get(&to_page).await;
    assert!(html.contains("France, Belgium"), "{html}");
    let words = format!("{} {} {}", from.day(), from.month(), from.year());
    assert!(html.contains(&words), "{words}: {html}");
    let api = app.api(&app.token("A1018").await);
    let (_, mine) = api.get("/overseas/mine").await;
    assert!(mine.to_string().contains("[\"FR\",\"BE\"]"), "{mine}");
    app.stop().await;
}
on_both!(the_overseas_form_takes_countries_by_name_and_dates_in_three_boxes);

async fn a_deputy_is_chosen_by_name_among_people_the_user_may_see_with_a_london_time(b: Backend) {
    let app = spawn_seeded(b).await;
    // Helen Marsh, Head of Department of Response Policing North, sees the people of her area.
    let helen = app.sign_in("helen.marsh@warwickshire.police.example").await;
    let html = helen.get_ok("/approvals").await;
    assert!(html.contains("data-person-suggest=\"deputy-list\"") && html.contains("id=\"starts_at-time\""), "{html}");
    assert!(!html.contains("(UTC)"), "{html}");

    let start = in_days(10);
    let end = in_days(20);
    let mut form: Vec<(String, String)> = vec![("reason".into(), "Annual leave".into())];
    form.extend(boxes("starts_at", start));
    form.push(("starts_at-time".into(), "9:30am".into()));
    form.extend(boxes("ends_at", end));
    form.push(("ends_at-time".into(), "17:00".into()));
    let with = |deputy: &str| {
        let mut f = form.clone();
        f.push(("deputy".into(), deputy.into()));
        f
    };
    // Someone she cannot see, by name: nobody she can choose; the field is named.
    for (deputy, message) in [
        ("Tomasz Nowak", "No one you can choose is called Tomasz Nowak"),
        ("", "Enter the name or staff number of your deputy"),
        ("Z9999", "No person has staff number Z9999"),
    ] {
        let f = with(deputy);
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (s, location) = helen.post_from("/approvals", "/approvals/delegations", &pairs).await;
        assert_eq!((s, location.as_str()), (303, "/approvals"));
        let (s, html) = helen.get("/approvals").await;
        assert_eq!(s, 422, "{html}");
        assert!(html.contains(message), "{message}: {html}");
        assert_eq!(summary_links_exist(&html), vec!["deputy".to_string()]);
        assert!(html.contains("value=\"9:30am\""), "the time typed is kept");
    }
    // A time that does not exist, and no time at all: the time box is named.
    let mut f = with("A1016");
    f.retain(|(k, _)| k != "starts_at-time");
    f.push(("starts_at-time".into(), "25:00".into()));
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    helen.post_from("/approvals", "/approvals/delegations", &pairs).await;
    let (_, html) = helen.get("/approvals").await;
    assert!(html.contains("The start must be a real time"), "{html}");
    assert_eq!(summary_links_exist(&html), vec!["starts_at-time".to_string()]);

    // By name, any case: Kwame Mensah, from 9:30am London time.
    let f = with("kwame mensah");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (s, _) = helen.post_from("/approvals", "/approvals/delegations", &pairs).await;
    assert_eq!(s, 303);
    let (_, html) = helen.get("/approvals").await;
    assert!(html.contains("Your deputy has been set up") && html.contains("Kwame Mensah"), "{html}");
    let api = app.api(&app.token("A1001").await);
    let (_, list) = api.get("/approvals/delegations").await;
    let d = &list.as_array().unwrap()[0];
    let starts =
        time::OffsetDateTime::parse(d["starts_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339)
            .unwrap();
    let london = custodian_server::web::display::london(starts);
    assert_eq!((london.date(), london.hour(), london.minute()), (start, 9, 30), "{d}");
    app.stop().await;
}
on_both!(a_deputy_is_chosen_by_name_among_people_the_user_may_see_with_a_london_time);

async fn the_person_chooser_suggests_only_people_the_user_may_see(b: Backend) {
    let app = spawn_seeded(b).await;
    let names = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|p| p["label"].as_str().unwrap().to_string()).collect()
    };
    let get = |s: &Session, q: &str| {
        let url = format!("{}/people/suggest?q={}", s.base, q);
        let http = s.http.clone();
        async move {
            let r = http.get(url).send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    // Digital Services sees everyone: by name or by staff number.
    let ds = app.sign_in("daniel.okafor@warwickshire.police.example").await;
    let (s, v) = get(&ds, "thorn").await;
    assert_eq!(s, 200);
    assert_eq!(names(&v), vec!["Jack Thornton (A1018)".to_string()]);
    let (_, v) = get(&ds, "A1016").await;
    assert_eq!(names(&v), vec!["Kwame Mensah (A1016)".to_string()]);
    let (_, v) = get(&ds, "a").await;
    assert!(names(&v).is_empty(), "one letter suggests nothing");
    let (_, v) = get(&ds, "webb").await;
    assert!(names(&v).is_empty(), "a leaver is not offered: {v}");
    // A Head of Department sees her own business area only.
    let helen = app.sign_in("helen.marsh@warwickshire.police.example").await;
    let (_, v) = get(&helen, "mensah").await;
    assert_eq!(names(&v), vec!["Kwame Mensah (A1016)".to_string()]);
    let (_, v) = get(&helen, "nowak").await;
    assert!(names(&v).is_empty(), "Digital Services is not her area: {v}");
    // An officer who may see nobody else is offered nobody else.
    let jack = app.sign_in("jack.thornton@warwickshire.police.example").await;
    let (s, v) = get(&jack, "mensah").await;
    assert_eq!(s, 200);
    assert!(names(&v).is_empty(), "{v}");
    // Signed out: sent to sign in.
    let anon = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = anon.get(format!("{}/people/suggest?q=mensah", app.base)).send().await.unwrap();
    assert!(r.status().is_redirection() || r.status() == 401, "{}", r.status());
    app.stop().await;
}
on_both!(the_person_chooser_suggests_only_people_the_user_may_see);

async fn a_streaming_exception_s_last_day_is_a_date_input_that_must_not_be_past(b: Backend) {
    let app = spawn_seeded(b).await;
    // Kwame Mensah manages Jack Thornton.
    let kwame = app.sign_in("kwame.mensah@warwickshire.police.example").await;
    let html = kwame.get_ok("/usage/streaming-exceptions").await;
    assert!(html.contains("id=\"until-day\"") && !html.contains("type=\"date\""), "{html}");
    let mut form: Vec<(String, String)> =
        vec![("staff_number".into(), "A1018".into()), ("reason".into(), "Live-streamed public order briefing".into())];
    form.extend(boxes("until", in_days(-1)));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (s, html) = kwame.post("/usage/streaming-exceptions", &pairs).await;
    assert_eq!(s, 422);
    assert!(html.contains("The last day covered must be today or in the future"), "{html}");
    assert!(html.contains("href=\"#until-day\"") && html.contains("id=\"until-day\""), "{html}");
    assert!(html.contains("Live-streamed public order briefing"), "the purpose is kept");
    form.retain(|(k, _)| !k.starts_with("until"));
    form.extend(boxes("until", in_days(7)));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (s, _) = kwame.post("/usage/streaming-exceptions", &pairs).await;
    assert_eq!(s, 303);
    app.stop().await;
}
on_both!(a_streaming_exception_s_last_day_is_a_date_input_that_must_not_be_past);

/// A hash is shortened with its whole value one click away and a copy button that names what
/// it copies; the button is hidden until the page's script finds a clipboard.
#[test]
fn the_hash_macro_shortens_and_offers_a_copy_button_without_inline_script() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let macros = std::fs::read_to_string(root.join("templates/_macros.html")).unwrap();
    let at = macros.find("{% macro hash(value, what) %}").expect("the macro");
    let body = &macros[at..at + macros[at..].find("{% endmacro %}").unwrap()];
    assert!(
        body.contains("data-copy=\"{{ value }}\" hidden>Copy<span class=\"govuk-visually-hidden\"> the {{ what }}")
    );
    assert!(!body.contains("onclick") && !body.contains("<script"), "no inline script (CSP)");
    let js = std::fs::read_to_string(root.join("static/app.js")).unwrap();
    assert!(js.contains("button[data-copy]") && js.contains("navigator.clipboard.writeText"));
}

/// Post a form as a browser does from `page` and read the page it comes back to.
async fn refused_on(s: &Session, page: &str, action: &str, form: &[(String, String)]) -> String {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, location) = s.post_from(page, action, &pairs).await;
    assert_eq!((status, location.as_str()), (303, page), "{action} comes back to {page}");
    let (status, html) = s.get(page).await;
    assert_eq!(status, 422, "{html}");
    html
}

async fn a_grant_is_for_a_chosen_person_role_or_area_until_a_day_in_the_date_input(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.sign_in("daniel.okafor@warwickshire.police.example").await;
    let r = ds
        .http
        .post(format!("{}/apps", ds.base))
        .form(&[
            ("name", "Waze"),
            ("platform", "android"),
            ("package_id", "com.waze"),
            ("publisher", "Google"),
            ("category", "navigation"),
            ("store_url", "https://play.google.com/store/apps/details?id=com.waze"),
            ("csrf_token", ds.csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = r.headers()["location"].to_str().unwrap().to_string();
    let action = format!("{page}/grants");
    let html = ds.get_ok(&page).await;
    for id in ["audience", "audience-role", "audience-area", "audience-all", "person", "role", "area", "expires_at-day"]
    {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}: {html}");
    }
    assert!(!html.contains("role:ROLE") && !html.contains("person:STAFF_NUMBER"), "no mini-language");
    assert!(html.contains("<option value=\"Response Policing North\">"), "the areas are offered: {html}");
    assert!(html.contains("data-person-suggest=\"person-list\""), "{html}");

    let form = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    // A last day that is not real; an area nobody has; a person nobody is; no role chosen.
    let html = refused_on(
        &ds,
        &page,
        &action,
        &form(&[
            ("audience", "role"),
            ("role", "psd"),
            ("expires_at-day", "31"),
            ("expires_at-month", "2"),
            ("expires_at-year", "2027"),
        ]),
    )
    .await;
    assert!(html.contains("The last day must be a real date"), "{html}");
    assert_eq!(summary_links_exist(&html), vec!["expires_at-day".to_string()]);
    assert!(html.contains("value=\"31\""), "the day typed is kept");
    for (sent, message, field) in [
        (vec![("audience", "area"), ("area", "Narnia")], "No business area is called Narnia", "area"),
        (
            vec![("audience", "person"), ("person", "Nobody Atall")],
            "No one you can choose is called Nobody Atall",
            "person",
        ),
        (vec![("audience", "role"), ("role", "")], "Choose the role", "role"),
        (vec![], "Choose who may have the app", "audience"),
    ] {
        let html = refused_on(&ds, &page, &action, &form(&sent)).await;
        assert!(html.contains(message), "{message}: {html}");
        assert_eq!(summary_links_exist(&html), vec![field.to_string()], "{message}");
    }
    // By name, any case; an area in any case; a role; everyone: each a grant.
    let until = in_days(30);
    for sent in [
        vec![("audience", "person"), ("person", "jack thornton")],
        vec![("audience", "area"), ("area", "response policing north")],
        vec![("audience", "role"), ("role", "psd")],
    ] {
        let mut f = form(&sent);
        f.extend(boxes("expires_at", until));
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (s, location) = ds.post_from(&page, &action, &pairs).await;
        assert_eq!((s, location.as_str()), (303, page.as_str()));
        let (s, html) = ds.get(&page).await;
        assert_eq!(s, 200, "{html}");
        assert!(html.contains("The grant has been added"), "{html}");
    }
    let api = app.api(&app.token("A1002").await);
    let id = page.trim_start_matches("/apps/");
    let (_, a) = api.get(&format!("/apps/{id}")).await;
    let grants = a["grants"].as_array().unwrap_or_else(|| a["app"]["grants"].as_array().unwrap());
    let audiences: Vec<&str> = grants.iter().map(|g| g["allowed_for"].as_str().unwrap()).collect();
    for want in ["person:A1018", "area:Response Policing North", "role:psd"] {
        assert!(audiences.contains(&want), "{want}: {audiences:?}");
    }
    // The grant runs to the end of its last day, London time.
    let g = grants.iter().find(|g| g["allowed_for"] == "role:psd").unwrap();
    let ends =
        time::OffsetDateTime::parse(g["expires_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339)
            .unwrap();
    let london = custodian_server::web::display::london(ends);
    assert_eq!((london.date(), london.hour(), london.minute()), (until.next_day().unwrap(), 0, 0), "{g}");
    app.stop().await;
}
on_both!(a_grant_is_for_a_chosen_person_role_or_area_until_a_day_in_the_date_input);

async fn a_post_s_publishing_time_is_a_date_input_on_london_clocks(b: Backend) {
    use serde_json::json;
    let app = spawn_seeded(b).await;
    let cc = app.api(&app.token("A1009").await);
    let a = cc.create_account(json!({"platform": "x", "handle": "@WarksPoliceNorth", "owning_team": "Response Policing North", "team_manager": "A1001", "comms_approval": false, "corporate": false})).await;
    let account = a["id"].as_str().unwrap().to_string();
    let laura = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    let html = laura.get_ok("/posts/new").await;
    assert!(html.contains("id=\"scheduled_for-day\"") && html.contains("id=\"scheduled_for-time\""), "{html}");
    assert!(!html.contains("datetime-local") && !html.contains("(UTC"), "{html}");
    let mut form: Vec<(String, String)> =
        vec![("account_id".into(), account.clone()), ("text".into(), "Courier fraud warning: hang up.".into())];
    form.extend(boxes("scheduled_for", in_days(-1)));
    form.push(("scheduled_for-time".into(), "9:30am".into()));
    let html = refused_on(&laura, "/posts/new", "/posts", &form).await;
    assert!(html.contains("The publishing time must be in the future"), "{html}");
    assert_eq!(summary_links_exist(&html), vec!["scheduled_for-day".to_string()]);
    assert!(html.contains("value=\"9:30am\"") && html.contains("Courier fraud warning"), "values kept");
    // Tomorrow at 9:30am London time: kept in UTC, shown again in the boxes as typed.
    let day = in_days(1);
    form.retain(|(k, _)| !k.starts_with("scheduled_for"));
    form.extend(boxes("scheduled_for", day));
    form.push(("scheduled_for-time".into(), "9:30am".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (s, location) = laura.post_from("/posts/new", "/posts", &pairs).await;
    assert_eq!(s, 303);
    let (_, html) = laura.get(&location).await;
    assert!(html.contains("id=\"scheduled_for-time\"") && html.contains("value=\"09:30\""), "{html}");
    let api = app.api(&app.token("A1017").await);
    let id = location.trim_start_matches("/posts/");
    let (_, p) = api.get(&format!("/posts/{id}")).await;
    let at =
        p["scheduled_for"].as_str().or_else(|| p["post"]["scheduled_for"].as_str()).unwrap_or_else(|| panic!("{p}"));
    let at = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).unwrap();
    let london = custodian_server::web::display::london(at);
    assert_eq!((london.date(), london.hour(), london.minute()), (day, 9, 30), "{p}");
    app.stop().await;
}
on_both!(a_post_s_publishing_time_is_a_date_input_on_london_clocks);

async fn an_allocation_s_dates_are_corrected_in_date_inputs(b: Backend) {
    let app = spawn_seeded(b).await;
    let d = app.device("WP-MB-0007").await;
    let a = app.store().allocations(d.id).await.unwrap();
    let Some(a) = a.first() else { panic!("WP-MB-0007 has an allocation") };
    let tomasz = app.sign_in("tomasz.nowak@warwickshire.police.example").await;
    let page = format!("/devices/{}", d.id);
    let (_, html) = tomasz.get(&page).await;
    let from = format!("allocated_at-{}", a.id);
    assert!(html.contains(&format!("id=\"{from}-day\"")) && html.contains(&format!("id=\"{from}-time\"")), "{html}");
    assert!(!html.contains("RFC 3339"), "{html}");
    let action = format!("/devices/{}/allocations/{}/correct", d.id, a.id);
    let form: Vec<(String, String)> = [
        ("allocated_at-day", "3"),
        ("allocated_at-month", ""),
        ("allocated_at-year", "2026"),
        ("allocated_at-time", "9am"),
        ("reason", "handover form"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let html = refused_on(&tomasz, &page, &action, &form).await;
    assert!(html.contains("The start must include a month"), "{html}");
    assert_eq!(summary_links_exist(&html), vec![format!("{from}-month")]);
    assert!(html.contains("value=\"handover form\""), "the reason is kept");
    // A start in the future: the use case's words, on the date's first box.
    let later = in_days(5);
    let mut f: Vec<(String, String)> = boxes("allocated_at", later);
    f.push(("allocated_at-time".into(), "9am".into()));
    f.push(("reason".into(), "handover form".into()));
    let html = refused_on(&tomasz, &page, &action, &f).await;
    assert_eq!(summary_links_exist(&html), vec![format!("{from}-day")], "{html}");
    app.stop().await;
}
on_both!(an_allocation_s_dates_are_corrected_in_date_inputs);

async fn task_choosers_offer_only_the_people_the_task_may_name(b: Backend) {
    let app = spawn_seeded(b).await;
    let get = |s: &Session, q: &str, among: &str| {
        let url = format!("{}/people/suggest?q={q}&among={among}", s.base);
        let http = s.http.clone();
        async move {
            let v: serde_json::Value = http.get(url).send().await.unwrap().json().await.unwrap_or_default();
            v.as_array().unwrap().iter().map(|p| p["staff_number"].as_str().unwrap().to_string()).collect::<Vec<_>>()
        }
    };
    // Professional Standards: Digital Media Investigators only (Rajesh Patel), whoever matches.
    let niamh = app.sign_in("niamh.doherty@warwickshire.police.example").await;
    assert_eq!(get(&niamh, "pat", "dmi").await, vec!["A1013".to_string()]);
    assert!(get(&niamh, "thornton", "dmi").await.is_empty(), "not a DMI");
    assert_eq!(get(&niamh, "thornton", "").await, vec!["A1018".to_string()], "anyone PSD may see");
    // An SIO records the SIOs of operations: Senior Investigating Officers only.
    assert_eq!(get(&niamh, "doherty", "sio").await, vec!["A1012".to_string()]);
    assert!(get(&niamh, "thornton", "sio").await.is_empty(), "not an SIO");
    // Corporate Communications, who neither record SIOs nor assign DMIs, are offered nobody.
    let eleanor = app.sign_in("eleanor.pryce@warwickshire.police.example").await;
    assert!(get(&eleanor, "doherty", "sio").await.is_empty(), "not their task");
    assert!(get(&eleanor, "thornton", "").await.is_empty(), "Corporate Communications see nobody else");
    assert!(get(&eleanor, "patel", "dmi").await.is_empty(), "nor the DMIs: not their task");
    // A round's exclusions: the people of its areas.
    let psd = app.api(&app.token("A1012").await);
    let commitment = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"secret"));
    let round = crate::monitoring::open_round(&psd, serde_json::json!({"name": "Spring check", "areas": ["Response Policing North"], "sample_size": 1, "commitment": commitment})).await;
    assert_eq!(get(&niamh, "thornton", &format!("round:{round}")).await, vec!["A1018".to_string()]);
    assert!(get(&niamh, "nowak", &format!("round:{round}")).await.is_empty(), "Digital Services is not in the round");
    let page = format!("/monitoring/rounds/{round}");
    let (_, html) = niamh.get(&page).await;
    assert!(html.contains(&format!("data-person-among=\"round:{round}\"")), "{html}");
    // Excluded by name, as the chooser offers it.
    let f: Vec<(&str, &str)> = vec![("staff_number", "Megan Ashworth"), ("reason", "Long-term absence on secondment")];
    let (s, location) = niamh.post_from(&page, &format!("{page}/exclusions"), &f).await;
    assert_eq!((s, location.as_str()), (303, page.as_str()));
    let (_, html) = niamh.get(&page).await;
    assert!(html.contains("The exclusion has been recorded") && html.contains("A1019"), "{html}");
    let f: Vec<(&str, &str)> = vec![("staff_number", "Tomasz Nowak"), ("reason", "Not in the round at all")];
    niamh.post_from(&page, &format!("{page}/exclusions"), &f).await;
    let (s, html) = niamh.get(&page).await;
    assert_eq!(s, 422);
    assert!(html.contains("No one you can choose is called Tomasz Nowak"), "{html}");
    // An SIO by name on the posts set-up page.
    let setup = "/posts/setup";
    let (_, html) = niamh.get(setup).await;
    assert!(html.contains("data-person-among=\"sio\""), "{html}");
    let f: Vec<(&str, &str)> =
        vec![("kind", "operation"), ("label", "Operation Nightjar"), ("sio_staff_number", "niamh doherty")];
    let (s, location) = niamh.post_from(setup, "/posts/setup/investigations", &f).await;
    assert_eq!((s, location.as_str()), (303, setup));
    let (_, html) = niamh.get(setup).await;
    assert!(html.contains("Operation Nightjar") && html.contains("Niamh Doherty (A1012)"), "{html}");
    app.stop().await;
}
on_both!(task_choosers_offer_only_the_people_the_task_may_name);

async fn corporate_communications_change_the_screening_lists_in_a_form_and_the_check_still_runs(b: Backend) {
    let app = spawn_seeded(b).await;
    let cc = app.sign_in("eleanor.pryce@warwickshire.police.example").await;
    let html = cc.get_ok("/screening/pack").await;
    assert!(html.contains("id=\"lists-form\"") && html.contains("name=\"allowlist.operations\""), "{html}");
    assert!(html.contains("id=\"body\""), "the TOML view is still there");
    let ops = html.split("name=\"allowlist.operations\"").nth(1).unwrap();
    let ops = ops[ops.find('>').unwrap() + 1..ops.find("</textarea>").unwrap()].to_string();
    assert!(ops.lines().any(|l| l == "sceptre"), "one operation a line: {ops}");
    // No new version: the same page says so beside the box, keeping the lists typed.
    let with_nightjar = format!("{ops}\nnightjar");
    let (s, html) = cc
        .post(
            "/screening/pack/check",
            &[("edit", "lists"), ("new_version", ""), ("allowlist.operations", with_nightjar.as_str())],
        )
        .await;
    assert_eq!(s, 422, "{html}");
    assert!(
        html.contains("id=\"new_version-error\"") && html.contains("Give the changed pack a new version"),
        "{html}"
    );
    assert!(html.contains("href=\"#new_version\""), "{html}");
    assert!(html.contains("nightjar\n</textarea>") || html.contains("nightjar</textarea>"), "kept: {html}");
    // With a version: the change check, over the saved examples and labelled drafts.
    let (s, html) = cc
        .post(
            "/screening/pack/check",
            &[("edit", "lists"), ("new_version", "2027.1.1"), ("allowlist.operations", with_nightjar.as_str())],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("to 2027.1.1") && html.contains("id=\"passed\""), "{html}");
    let body = html.split("name=\"body\" value=\"").nth(1).unwrap();
    let body = custodian_server::web::html::unescape(&body[..body.find('"').unwrap()]);
    let pack = custodian_screening::Pack::from_toml(&body).expect("the changed pack parses");
    assert_eq!(pack.version, "2027.1.1");
    assert!(pack.allowlist.operations.contains(&"nightjar".to_string()));
    let builtin = custodian_screening::Pack::from_toml(custodian_screening::Pack::builtin_text()).unwrap();
    assert_eq!(pack.rules, builtin.rules, "nothing else changed");
    assert_eq!(pack.names, builtin.names);
    // Put into effect with a reason, as any change.
    let (s, _) = cc
        .post("/screening/pack", &[("body", body.as_str()), ("reason", "Operation Nightjar is a public campaign")])
        .await;
    assert_eq!(s, 303);
    let (_, html) = cc.get("/screening/pack").await;
    assert!(html.contains("2027.1.1"), "{html}");
    // Someone who may not change the pack is refused the lists too.
    let jack = app.sign_in("jack.thornton@warwickshire.police.example").await;
    let (s, _) = jack
        .post("/screening/pack/check", &[("edit", "lists"), ("new_version", "2027.1.2"), ("allowlist.operations", "x")])
        .await;
    assert_eq!(s, 403);
    app.stop().await;
}
on_both!(corporate_communications_change_the_screening_lists_in_a_form_and_the_check_still_runs);

/// In a phone-sized browser, Professional Standards make a round's commitment with Web Crypto:
/// the secret is shown once to be saved, only its SHA-256 is sent with the round, and the secret
/// opens the commitment at the draw. The command-line route is explained where scripts do not run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_a_round_s_commitment_is_made_from_a_secret_shown_once() {
    use fantoccini::Locator;
    let Some(browser) = crate::browser::start().await else { return };
    let started = std::time::Instant::now();
    let app = spawn_seeded(Backend::Sqlite).await;
    // Without scripts, the page explains the command-line route.
    let niamh = app.sign_in("niamh.doherty@warwickshire.police.example").await;
    let (_, html) = niamh.get("/monitoring").await;
    assert!(html.contains("id=\"commitment-cli\"") && html.contains("custodian monitoring commitment"), "{html}");
    assert!(html.contains("<div id=\"commitment-maker\" hidden>"), "the maker waits for a script: {html}");

    let c = &browser.client;
    c.set_window_size(390, 844).await.unwrap();
    crate::support::browser_sign_in(c, &app.base, "niamh.doherty@warwickshire.police.example").await;
    c.goto(&format!("{}/monitoring", app.base)).await.unwrap();
    assert!(!c.find(Locator::Id("commitment-cli")).await.unwrap().is_displayed().await.unwrap());
    c.find(Locator::Id("make-commitment")).await.unwrap().click().await.unwrap();
    let mut secret = String::new();
    for _ in 0..50 {
        secret = c.find(Locator::Id("secret-value")).await.unwrap().text().await.unwrap();
        if !secret.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(secret.len(), 64, "a 256-bit secret in hexadecimal: {secret:?}");
    let commitment = c.find(Locator::Id("commitment")).await.unwrap().prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(commitment, crate::monitoring::commitment_to(&secret));
    assert!(c.find(Locator::Id("make-commitment")).await.is_err(), "made once");
    let download =
        c.find(Locator::Id("download-secret")).await.unwrap().attr("href").await.unwrap().unwrap_or_default();
    assert!(download.starts_with("blob:"), "{download}");
    c.find(Locator::Id("name")).await.unwrap().send_keys("Spring check").await.unwrap();
    c.find(Locator::Id("sample_size")).await.unwrap().send_keys("1").await.unwrap();
    c.find(Locator::Id("submit-round")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css(".govuk-notification-banner--success")).await.unwrap();
    let url = c.current_url().await.unwrap();
    let round = url.path().trim_start_matches("/monitoring/rounds/").to_string();
    // Only the commitment reached the server; the secret opens it at the draw.
    let psd = app.api(&app.token("A1012").await);
    let (_, r) = psd.get(&format!("/monitoring/rounds/{round}")).await;
    assert_eq!(r["commitment"].as_str(), Some(commitment.as_str()), "{r}");
    assert!(!r.to_string().contains(&secret), "{r}");
    crate::monitoring::draw_round(&psd, &round, &secret).await;
    browser.close().await;
    app.stop().await;
    eprintln!("commitment in a browser: {:.1?}", started.elapsed());
}
