//! Reading a pack from a file, and the model file the pack names from beside it, with errors that
//! name the file (`reading PATH: ...`, `PATH: ...`): what `custodian-comments` and
//! `custodian-screening` do alike when a pack is given as a path.

use std::path::{Path, PathBuf};

/// The text of a file; the error names it.
pub fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
}

/// Read the pack file at `path` and parse it with `parse`; a parse error is prefixed with the
/// path.
pub fn read_pack<P, E: std::fmt::Display>(path: &Path, parse: impl FnOnce(&str) -> Result<P, E>) -> Result<P, String> {
    parse(&read_text(path)?).map_err(|e| format!("{}: {e}", path.display()))
}

/// Where the file `file` a pack at `pack` names lies: in the pack's folder (the current folder
/// for a bare file name).
pub fn beside(pack: &Path, file: &str) -> PathBuf {
    pack.parent().unwrap_or(Path::new(".")).join(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_file_is_read_from_the_packs_folder_and_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("custodian-textmodel-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pack = dir.join("pack.toml");
        std::fs::write(&pack, "x").unwrap();
        std::fs::write(dir.join("model.tsv"), "weights").unwrap();
        assert_eq!(beside(&pack, "model.tsv"), dir.join("model.tsv"));
        assert_eq!(beside(Path::new("pack.toml"), "m.tsv"), Path::new("m.tsv"));
        assert_eq!(read_text(&beside(&pack, "model.tsv")).unwrap(), "weights");
        assert_eq!(read_pack(&pack, |t| Ok::<_, String>(t.len())).unwrap(), 1);
        assert_eq!(read_pack(&pack, |_| Err::<(), _>("bad")).unwrap_err(), format!("{}: bad", pack.display()));
        let missing = dir.join("missing.tsv");
        assert!(read_text(&missing).unwrap_err().starts_with(&format!("reading {}: ", missing.display())));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
