//! Inputs for people, not for machines (issue 16): dates in the GOV.UK date input with London
//! times, a person chosen by name or staff number among those the user may see, and countries
//! by name. Each refused input names its field and links to a box that exists on the page.

use crate::on_both;
use crate::support::{Backend, Session, spawn};

/// Post a form as a browser does from `page` (with the page as `Referer`): the refused form
/// comes back to the page; returns the status and the page then shown.
async fn post_from(s: &Session, page: &str, action: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let mut f: Vec<(&str, &str)> = form.to_vec();
    f.push(("csrf_token", &s.csrf));
    let r = s
        .http
        .post(format!("{}{action}", s.base))
        .header("Referer", format!("{}{page}", s.base))
        .form(&f)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    (status, location, String::new())
}

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
    let app = spawn(b).await;
    app.seed().await;
    let jack = app.sign_in("jack.thornton@warwickshire.police.example").await;
    let (s, html) = jack.get("/overseas").await;
    assert_eq!(s, 200);
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
    let (s, location, _) = post_from(&jack, "/overseas", "/overseas", &pairs).await;
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
    let app = spawn(b).await;
    app.seed().await;
    // Helen Marsh, Head of Department of Response Policing North, sees the people of her area.
    let helen = app.sign_in("helen.marsh@warwickshire.police.example").await;
    let (s, html) = helen.get("/approvals").await;
    assert_eq!(s, 200);
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
        let (s, location, _) = post_from(&helen, "/approvals", "/approvals/delegations", &pairs).await;
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
    post_from(&helen, "/approvals", "/approvals/delegations", &pairs).await;
    let (_, html) = helen.get("/approvals").await;
    assert!(html.contains("The start must be a real time"), "{html}");
    assert_eq!(summary_links_exist(&html), vec!["starts_at-time".to_string()]);

    // By name, any case: Kwame Mensah, from 9:30am London time.
    let f = with("kwame mensah");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (s, _, _) = post_from(&helen, "/approvals", "/approvals/delegations", &pairs).await;
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
    let app = spawn(b).await;
    app.seed().await;
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
    let app = spawn(b).await;
    app.seed().await;
    // Kwame Mensah manages Jack Thornton.
    let kwame = app.sign_in("kwame.mensah@warwickshire.police.example").await;
    let (s, html) = kwame.get("/usage/streaming-exceptions").await;
    assert_eq!(s, 200);
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
