//! `custodian serve --demo` on a fresh data folder: the folder is this account's only, and so
//! are the database, its WAL and shared memory, the audit signing key and the demo sign-ins
//! (which hold passwords).

#[cfg(unix)]
#[test]
fn serve_demo_keeps_the_data_folder_and_its_files_private() {
    use std::os::unix::fs::PermissionsExt;
    use std::time::{Duration, Instant};
    let root = std::env::temp_dir().join(format!("custodian-cli-files-{}", uuid::Uuid::now_v7()));
    let data = root.join("data");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_custodian"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .env("CUSTODIAN_DATA_DIR", &data)
        .env_remove("CUSTODIAN_DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let demo = data.join("demo");
    let files = ["custodian.db", "custodian.db-wal", "custodian.db-shm", "demo-sign-ins.json", "audit-signing.key"];
    let started = Instant::now();
    while !files.iter().all(|f| demo.join(f).exists()) && started.elapsed() < Duration::from_secs(180) {
        std::thread::sleep(Duration::from_millis(200));
    }
    let mode = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777);
    let found: Vec<(String, Option<u32>)> = files.iter().map(|f| (f.to_string(), mode(&demo.join(f)).ok())).collect();
    let folders = (mode(&data).ok(), mode(&demo).ok());
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(folders, (Some(0o700), Some(0o700)), "data folders");
    for (name, m) in found {
        assert_eq!(m, Some(0o600), "{name}");
    }
}
