//! Embeds the migration folders in the library: for each backend it writes a list of
//! `(version, file name after the version, include_str!(file))` into `OUT_DIR`, which
//! `src/migrations.rs` turns into sqlx migrations at run time.
//!
//! This replaces `sqlx::migrate!`: unlike the macro, it notices a migration file being added
//! (cargo re-runs it when either folder changes).

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|e| panic!("CARGO_MANIFEST_DIR: {e}"));
    let out = env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"));
    for backend in ["sqlite", "postgres"] {
        let dir = Path::new(&manifest).join("migrations").join(backend);
        // The folder changes when a file is added, removed or renamed; each file when edited.
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<(i64, String, String)> = Vec::new();
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        for entry in entries {
            let entry = entry.unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
            let path = entry.path();
            if !path.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            // The rules of sqlx's own folder reader: `<VERSION>_<DESCRIPTION>.sql`, anything else
            // is not a migration.
            let Some((version, rest)) = name.split_once('_') else { continue };
            if !rest.ends_with(".sql") {
                continue;
            }
            let version: i64 = version
                .parse()
                .unwrap_or_else(|_| panic!("{}: the name must start with an integer version", path.display()));
            println!("cargo:rerun-if-changed={}", path.display());
            files.push((version, rest.to_owned(), path.display().to_string()));
        }
        files.sort();
        let mut code = String::from("&[\n");
        for (version, rest, path) in &files {
            let _ = writeln!(code, "    ({version}, {rest:?}, include_str!({path:?})),");
        }
        code.push_str("]\n");
        let target = Path::new(&out).join(format!("migrations_{backend}.rs"));
        fs::write(&target, code).unwrap_or_else(|e| panic!("writing {}: {e}", target.display()));
    }
}
