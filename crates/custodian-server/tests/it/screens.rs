//! Screenshots of the main pages on a phone (390x844), for the README: `docs/screens/*.png`.
//! Not part of the test run; regenerate them with
//!
//! ```sh
//! cargo test -p custodian-server --test it screens -- --ignored
//! ```
//!
//! The demo force is seeded afresh, so names and numbers are the demo's; dates are today's.

use crate::support::{Backend, spawn};

/// (file name, the demo account's role, the page).
const SCREENS: &[(&str, &str, &str)] = &[
    ("01-sign-in", "", "/sign-in"),
    ("02-home-officer", "Officer holding a device", "/"),
    ("03-my-devices", "Officer holding a device", "/my-devices"),
    ("04-overseas-request", "Officer holding a device", "/overseas"),
    ("05-approvals", "Line manager", "/approvals"),
    ("06-device-register", "Digital Services", "/devices"),
    ("07-findings", "Professional Standards", "/findings"),
    ("08-posts", "Corporate Communications", "/posts"),
    ("09-audit-log", "Auditor", "/audit"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes docs/screens; run by hand to regenerate them"]
async fn screens() {
    let Some(browser) = crate::browser::start().await else { return };
    let c = &browser.client;
    c.set_window_size(390, 844).await.unwrap();
    let app = spawn(Backend::Sqlite).await;
    let info = custodian_server::demo::seed(app.store(), app.state.passwords()).await.unwrap();
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screens");
    std::fs::create_dir_all(&out).unwrap();
    let mut signed_in_as = String::new();
    for (file, role, path) in SCREENS {
        if *role != signed_in_as {
            if !signed_in_as.is_empty() {
                crate::support::browser_sign_out(c).await;
            }
            if !role.is_empty() {
                let email = &info
                    .accounts
                    .iter()
                    .find(|(who, _)| who == role)
                    .unwrap_or_else(|| panic!("the demo has no {role}: {:?}", info.accounts))
                    .1;
                crate::support::browser_sign_in_with(c, &app.base, email, &info.password).await;
            }
            signed_in_as = role.to_string();
        }
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        let png = c.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{file}");
        std::fs::write(out.join(format!("{file}.png")), &png).unwrap();
        eprintln!("{file}.png: {path} as {role}, {} bytes", png.len());
    }
    app.stop().await;
    browser.close().await;
}
