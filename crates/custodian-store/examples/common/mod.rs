//! What the store's benchmarks share: their command line, `N [DATABASE_URL] ...`.

use std::str::FromStr;

/// Argument `i` as a number (underscores allowed: `10_000_000`), or `default`.
pub fn number<T: FromStr>(args: &[String], i: usize, default: T) -> T {
    args.get(i).and_then(|s| s.replace('_', "").parse().ok()).unwrap_or(default)
}

/// The database URL in argument 2, or (missing or empty) a new SQLite file in `dir`.
pub fn database_url(args: &[String], dir: &tempfile::TempDir) -> String {
    args.get(2)
        .filter(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| format!("sqlite:{}", dir.path().join("bench.db").display()))
}
