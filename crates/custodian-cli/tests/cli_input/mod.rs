//! Strict input and whole files at the command line: feed rows with extra fields or unsafe
//! characters refused with their line, people's names likewise, `usage check` naming people and
//! devices as `findings export` does, `serve --demo` making its data folder or naming the folder it
//! could not make, `sqlite:` URLs with a mode, and a database file that is whole once a command
//! has exited (WP034 4.1, 4.2, 4.5).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::common::soon;
use super::{Env, bin, fixture, stdout};

const HEADER: &str =
    "record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n";

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Open a copy of the database file alone (no -wal, no -shm beside it) and count a table's rows.
fn copy_alone_and_count(e: &Env, table: &str) -> (String, i64) {
    let dir = e.dir.join(format!("copy-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join("copy.db");
    std::fs::copy(e.dir.join("c.db"), &copy).unwrap();
    let c = rusqlite::Connection::open(&copy).unwrap();
    let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    let n: i64 = c.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap();
    (check, n)
}

#[test]
fn usage_check_names_people_by_staff_number_and_devices_by_asset_tag() {
    let e = Env::with_register();
    let t = soon();
    let f = e.write(
        "bill.csv",
        format!(
            "{HEADER}p1,+441214960506,call,out,{t},60,09061234567,,GB,false,\n\
             x1,+447700900999,call,out,{t},60,0121 496 0000,,GB,false,\n\
             n1,+441214960506,call,out,{t},60,01632 960123,,GB,false,\n\
             u1,+441214960506,call,out,{t},60,0400 123 4567,,GB,false,\n"
        ),
    );
    let o = e.run(&["usage", "check", "carrier", f.to_str().unwrap(), "--format", "jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let got: Vec<_> = lines
        .iter()
        .map(|l| (l["record_id"].as_str(), l["rule"].as_str(), l["person"].as_str(), l["device"].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some("p1"), Some("usage.premium_rate"), Some("A1018"), Some("WP-MB-0007")),
            (Some("x1"), Some("usage.unattributed"), None, None),
            (Some("u1"), Some("usage.unrecognised_number"), Some("A1018"), Some("WP-MB-0007")),
        ],
        "a number written nationally (n1) is never overseas"
    );
    // The same names as the findings export.
    let o = e.run(&["usage", "import", "carrier", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = e.run(&["findings", "export", "--format", "jsonl"]);
    let exported: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let premium = exported.iter().find(|l| l["rule"] == "usage.premium_rate").unwrap();
    assert_eq!((premium["person"].as_str(), premium["device"].as_str()), (Some("A1018"), Some("WP-MB-0007")));
    assert!(!exported.iter().any(|l| l["rule"] == "usage.international"), "{exported:?}");
}

#[test]
fn feed_rows_with_extra_fields_or_unsafe_characters_are_refused_with_line_and_field() {
    let e = Env::with_register();
    let t = soon();
    let many = ",x".repeat(1000);
    let f = e.write(
        "bill.csv",
        format!(
            "{HEADER}ok,+441214960506,call,out,{t},60,0121 496 0000,,GB,false,\n\
             twelve,+441214960506,call,out,{t},60,0121 496 0000,,GB,false,,\n\
             many,+441214960506,call,out,{t},60,0121 496 0000,,GB,false,{many}\n\
             bidi,+441214960506,call,out,{t},60,0121\u{202E}496 0000,,GB,false,\n\
             nul,+441214960506,call,out,{t},60,\"0121\0 496 0000\",,GB,false,\n"
        ),
    );
    let o = e.run(&["usage", "import", "carrier", f.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["imported"], 1, "{j}");
    let rejected = super::common::rejected(&j, "reason");
    assert_eq!(rejected.len(), 4, "{rejected:?}");
    assert_eq!(rejected[0], (3, "expected 11 fields, found 12".to_string()));
    assert_eq!(rejected[1], (4, "expected 11 fields, found 1011".to_string()));
    assert_eq!(rejected[2].0, 5);
    assert!(rejected[2].1.starts_with("other_party:") && rejected[2].1.contains("U+202E"), "{rejected:?}");
    assert_eq!(rejected[3].0, 6);
    assert!(rejected[3].1.starts_with("other_party:") && rejected[3].1.contains("U+0000"), "{rejected:?}");

    // A web `device` of 1 MB is refused, not stored.
    let web = e.write(
        "web.csv",
        format!(
            "record_id,device,user,start,domain,category,bytes,network,tethered\n\
             w1,{},a@force.example,{t},news.example,News,10,wifi,false\n",
            "D".repeat(1 << 20)
        ),
    );
    let o = e.run(&["usage", "import", "web", web.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((j["imported"].as_u64(), j["rejected"][0]["line"].as_u64()), (Some(0), Some(2)), "{j}");
    assert!(j["rejected"][0]["reason"].as_str().unwrap().starts_with("device: must be at most 256 bytes"), "{j}");
}

#[test]
fn people_names_with_bidirectional_or_control_characters_are_refused_naming_line_and_field() {
    let e = Env::new();
    assert!(e.run(&["migrate", "--create"]).status.success());
    let f = e.write(
        "people.csv",
        "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
         A1,Jo Bloggs,jo@force.example,officer,Response,,,active,\n\
         A2,Jo\u{2067}Bloggs,jo2@force.example,officer,Response,,,active,\n\
         A3,\"Jo\tBloggs\",jo3@force.example,officer,Response,,,active,\n",
    );
    let o = e.run(&["import", "people", f.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let got: Vec<(Option<u64>, Option<&str>)> =
        j["rejected"].as_array().unwrap().iter().map(|r| (r["line"].as_u64(), r["field"].as_str())).collect();
    assert_eq!(got, [(Some(3), Some("name")), (Some(4), Some("name"))], "{j}");
    assert!(j["rejected"][0]["message"].as_str().unwrap().contains("U+2067"), "{j}");
}

/// Run `serve --demo` in `cwd` until it says it is running (then stop it with SIGTERM, and
/// answer None) or exits (its status); and its stderr.
fn serve_demo(cwd: &std::path::Path, args: &[&str], data_dir: Option<&std::path::Path>) -> (Option<i32>, String) {
    use std::io::BufRead;
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .current_dir(cwd)
        .env_remove("CUSTODIAN_DATABASE_URL")
        .env_remove("CUSTODIAN_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(d) = data_dir {
        cmd.env("CUSTODIAN_DATA_DIR", d);
    }
    let mut child = cmd.spawn().unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            if line.contains("Custodian is running") {
                let _ = tx.send(());
            }
        }
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        if rx.recv_timeout(Duration::from_millis(200)).is_ok() {
            // SIGTERM: the server stops gracefully.
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let s = child.wait().unwrap();
            assert!(s.success(), "serve stopped by SIGTERM exits 0: {s:?}");
            break None;
        }
        if started.elapsed() > Duration::from_secs(240) {
            let _ = child.kill();
            panic!("serve --demo neither started nor failed");
        }
    };
    let mut err = String::new();
    if let Some(mut s) = child.stderr.take() {
        use std::io::Read;
        let _ = s.read_to_string(&mut err);
    }
    (status, err)
}

#[cfg(unix)]
#[test]
fn serve_demo_with_a_database_url_makes_its_data_folder_or_names_the_one_it_cannot_make() {
    let e = Env::new();
    // A folder without data/, and a database URL: the demo makes data/ for its sign-ins.
    let url = format!("sqlite:{}", e.dir.join("c.db").display());
    let ready = e.dir.join("data").join("demo-sign-ins.json");
    let (status, err) = serve_demo(&e.dir, &["--database-url", &url], None);
    assert_eq!(status, None, "it started: {err}");
    assert!(ready.exists(), "{err}");
    // Stopped with SIGTERM, it closed the database: the file alone is whole.
    let (check, people) = copy_alone_and_count(&e, "people");
    assert_eq!((check.as_str(), people), ("ok", 20));

    // A data folder that cannot be made (a file is in the way): the error names it and says why.
    let blocker = e.write("blocker", "not a folder");
    let data = blocker.join("data");
    let url2 = format!("sqlite:{}", e.dir.join("d.db").display());
    let (status, err) = serve_demo(&e.dir, &["--database-url", &url2], Some(&data));
    assert_eq!(status, Some(1), "{err}");
    assert!(err.contains(&data.display().to_string()) && err.contains("Not a directory"), "{err}");
    // Without a database URL, the same.
    let (status, err) = serve_demo(&e.dir, &[], Some(&data));
    assert_eq!(status, Some(1), "{err}");
    assert!(err.contains(&data.display().to_string()) && err.contains("Not a directory"), "{err}");
    assert!(!err.contains("No such file or directory (os error 2)"), "{err}");
}

#[test]
fn sqlite_urls_with_a_mode_open_the_file_they_name_and_other_parameters_are_refused() {
    let e = Env::new();
    let db = e.dir.join("m.db");
    let run = |url: &str| {
        Command::new(bin())
            .args(["--database-url", url, "migrate"])
            .env("CUSTODIAN_DATA_DIR", &e.dir)
            .env_remove("CUSTODIAN_DATABASE_URL")
            .output()
            .unwrap()
    };
    let o = run(&format!("sqlite://{}?mode=rw", db.display()));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("refusing to create"), "{}", stderr(&o));
    let o = run(&format!("sqlite://{}?mode=rwc", db.display()));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(db.exists());
    let names: Vec<String> =
        std::fs::read_dir(&e.dir).unwrap().map(|d| d.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.contains('?')), "{names:?}");
    for bad in ["mode=ro", "mode=memory", "cache=shared"] {
        let o = run(&format!("sqlite://{}?{bad}", db.display()));
        assert!(!o.status.success());
        let err = stderr(&o);
        assert!(err.contains(bad) && err.contains("?mode=rwc") && err.contains("sqlite:PATH"), "{err}");
    }
}

#[test]
fn file_errors_name_the_path() {
    let e = Env::with_register();
    let missing = e.dir.join("no-such-folder").join("bill.csv");
    for args in [
        vec!["import", "people", missing.to_str().unwrap()],
        vec!["usage", "import", "carrier", missing.to_str().unwrap()],
        vec!["findings", "export", "--format", "jsonl", "--out", missing.to_str().unwrap()],
        vec!["screening-pack", "check", missing.to_str().unwrap()],
    ] {
        let o = e.run(&args);
        assert!(!o.status.success(), "{args:?}");
        assert!(stderr(&o).contains(missing.to_str().unwrap()), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn once_an_import_exits_the_database_file_alone_is_whole() {
    let e = Env::new();
    assert!(e.run(&["migrate", "--create"]).status.success());
    let (check, _) = copy_alone_and_count(&e, "people");
    assert_eq!(check, "ok");
    assert!(e.run(&["import", "people", fixture("people.csv").to_str().unwrap()]).status.success());
    assert_eq!(copy_alone_and_count(&e, "people"), ("ok".to_string(), 20));
    assert!(e.run(&["import", "devices", fixture("devices.csv").to_str().unwrap()]).status.success());
    let t = soon();
    // An import that exits 2 (a row refused) still leaves the good rows in the file alone.
    let f = e.write(
        "bill.csv",
        format!(
            "{HEADER}a,+441214960506,call,out,{t},60,0121 496 0000,,GB,false,\n\
             b,+441214960506,call,sideways,{t},60,0121 496 0000,,GB,false,\n"
        ),
    );
    let o = e.run(&["usage", "import", "carrier", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(copy_alone_and_count(&e, "usage_records"), ("ok".to_string(), 1));
}
