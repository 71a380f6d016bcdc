//! The PostgreSQL migrations use only what CockroachDB, YugabyteDB and Citus all run, so that a
//! force can move Custodian onto one of them (see `docs/scale-out.md`). Each banned construct
//! carries the reason it is banned; the check reads every file of `migrations/postgres`, with
//! comments and string literals taken out first.

use std::path::Path;

/// A construct as a run of lower-case words (a word ending in `*` matches any word it starts),
/// and why it is banned.
const BANNED: &[(&[&str], &str)] = &[
    (
        &["pg_advisory*"],
        "advisory locks: CockroachDB's pg_advisory_* functions were stubs that lock nothing (cockroach#13546; only transaction-level ones arrived, in 2026), and a lock held through one Citus or YugabyteDB node does not reach the others; use a lease row (job_leases)",
    ),
    (&["pg_try_advisory*"], "advisory locks: see pg_advisory_*"),
    (&["listen"], "LISTEN/NOTIFY: not supported by CockroachDB or YugabyteDB, and in Citus only on the coordinator"),
    (&["notify"], "LISTEN/NOTIFY: see listen"),
    (&["pg_notify"], "LISTEN/NOTIFY: see listen"),
    (
        &["create", "extension"],
        "extensions: CockroachDB cannot install them, YugabyteDB ships a fixed list, and in Citus each must be installed on every node",
    ),
    (
        &["create", "trigger"],
        "triggers: CockroachDB has them only from v24.3 and with a smaller PL/pgSQL, and Citus does not run them on distributed tables (citus.enable_unsafe_triggers); Custodian keeps its rules in the application",
    ),
    (
        &["create", "function"],
        "stored functions: PL/pgSQL is partial in CockroachDB (v23.1+) and Citus runs a function on the node it is called on unless it is distributed by hand",
    ),
    (&["create", "or", "replace"], "stored functions and procedures: see create function"),
    (&["create", "procedure"], "stored procedures: see create function"),
    (&["language"], "a function body language (plpgsql, sql): see create function"),
    (&["create", "rule"], "rules: CockroachDB has no CREATE RULE, and Citus does not propagate them"),
    (
        &["create", "sequence"],
        "sequences: a single-row hot spot in CockroachDB and cached per node (with gaps, out of order) in YugabyteDB; ids are UUIDv7 made by the application (the one identity column, usage_records.seq, is documented in docs/scale-out.md)",
    ),
    (&["nextval"], "sequences: see create sequence"),
    (&["deferrable"], "deferrable constraints: CockroachDB does not support DEFERRABLE"),
    (&["initially", "deferred"], "deferred constraints: see deferrable"),
    (
        &["exclude", "using"],
        "exclusion constraints: not supported by CockroachDB or YugabyteDB, and in Citus only when they include the distribution column",
    ),
    (&["using", "gist"], "GiST indexes: not in CockroachDB or YugabyteDB"),
    (&["using", "spgist"], "SP-GiST indexes: not in CockroachDB or YugabyteDB"),
    (&["using", "brin"], "BRIN indexes: not in CockroachDB or YugabyteDB"),
    (
        &["using", "gin"],
        "GIN indexes: CockroachDB reads USING GIN as an inverted index of its own (JSONB and arrays only) and YugabyteDB as ybgin, with different operators",
    ),
    (
        &["using", "hash"],
        "hash indexes: CockroachDB reads USING HASH as a hash-sharded B-tree, YugabyteDB shards by hash anyway; say nothing and get each engine's default",
    ),
    (&["inherits"], "table inheritance: not supported by CockroachDB, nor for Citus distributed tables"),
    (
        &["partition", "by", "range"],
        "declarative partitioning: CockroachDB's PARTITION BY is its own (locality) syntax",
    ),
    (&["partition", "by", "list"], "declarative partitioning: see partition by range"),
    (&["partition", "by", "hash"], "declarative partitioning: see partition by range"),
    (&["partition", "of"], "declarative partitioning: see partition by range"),
    (&["lock", "table"], "LOCK TABLE: not supported by CockroachDB"),
    (&["create", "domain"], "domains: not supported by CockroachDB"),
    (&["create", "collation"], "collations: CREATE COLLATION is not supported by CockroachDB"),
    (
        &["create", "type"],
        "user-defined types: enums and composites change differently on each engine (a CockroachDB enum change is an asynchronous schema change); enums are text with a CHECK",
    ),
    (&["tablespace"], "tablespaces: not in CockroachDB, and each engine places data itself"),
    (
        &["nulls", "not", "distinct"],
        "UNIQUE NULLS NOT DISTINCT (PostgreSQL 15): not supported by CockroachDB or by YugabyteDB's PostgreSQL 11 base",
    ),
    (&["ctid"], "system columns: CockroachDB has no ctid, xmin or oid"),
    (&["xmin"], "system columns: see ctid"),
    (&["with", "oids"], "system columns: see ctid"),
    (&["create", "temp"], "temporary tables: experimental in CockroachDB (experimental_enable_temp_tables)"),
    (&["create", "temporary"], "temporary tables: see create temp"),
    (
        &["create", "unlogged"],
        "unlogged tables: CockroachDB ignores UNLOGGED, and Citus cannot distribute them with replication",
    ),
    (&["lo_import"], "large objects: not in CockroachDB or YugabyteDB; use BYTEA"),
    (&["lo_create"], "large objects: see lo_import"),
    (
        &["vacuum"],
        "VACUUM: not in CockroachDB (its garbage collection is automatic) and not allowed in a migration's transaction",
    ),
    (&["cluster"], "CLUSTER: not in CockroachDB or YugabyteDB"),
];

/// Words and single punctuation characters of `sql`, lower case, without comments and with every
/// string literal reduced to `'`. A dollar-quoted body (`$$ ... $$`, a function or DO block) is
/// reported as the word `$$`.
fn words(sql: &str) -> Vec<String> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if c == b'\'' {
            i += 1;
            while i < b.len() {
                if b[i] == b'\'' && b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else if b[i] == b'\'' {
                    break;
                } else {
                    i += 1;
                }
            }
            i += 1;
            out.push("'".to_string());
        } else if c == b'$' && b.get(i + 1) == Some(&b'$') {
            out.push("$$".to_string());
            i += 2;
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(sql[start..i].to_ascii_lowercase());
        } else if c.is_ascii_whitespace() {
            i += 1;
        } else {
            out.push((c as char).to_string());
            i += 1;
        }
    }
    out
}

fn matches(pattern: &str, word: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => word.starts_with(prefix),
        None => pattern == word,
    }
}

/// Every banned construct in `sql`, as "construct: reason".
fn problems(sql: &str) -> Vec<String> {
    let w = words(sql);
    let mut found = Vec::new();
    for (pattern, why) in BANNED {
        if w.windows(pattern.len()).any(|win| pattern.iter().zip(win).all(|(p, x)| matches(p, x))) {
            found.push(format!("{}: {why}", pattern.join(" ")));
        }
    }
    if w.iter().any(|x| x == "$$") {
        found.push("$$: a dollar-quoted body (a function or DO block): see create function".into());
    }
    // SERIAL as a column's type (not a column named serial): the type is followed by a comma,
    // a bracket or a column constraint, where a column's name is followed by its type.
    const AFTER_TYPE: [&str; 10] =
        [",", ")", "primary", "not", "null", "unique", "references", "default", "check", "constraint"];
    for pair in w.windows(2) {
        if ["serial", "bigserial", "smallserial", "serial4", "serial8", "serial2"].contains(&pair[0].as_str())
            && AFTER_TYPE.contains(&pair[1].as_str())
        {
            found.push(format!(
                "{}: SERIAL makes CockroachDB's unique_rowid() values, not a sequence, and a sequence elsewhere; ids are UUIDv7 made by the application",
                pair[0]
            ));
        }
    }
    found
}

#[test]
fn the_postgres_migrations_use_only_what_cockroachdb_yugabytedb_and_citus_support() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 20, "{} migrations", files.len());
    let mut bad = Vec::new();
    for f in &files {
        let sql = std::fs::read_to_string(f).unwrap();
        for p in problems(&sql) {
            bad.push(format!("{}: {p}", f.file_name().unwrap().to_string_lossy()));
        }
    }
    assert!(bad.is_empty(), "constructs the distributed engines do not all support:\n{}", bad.join("\n"));
}

/// The check finds what it bans, and does not mistake look-alikes (a column named `serial`, a
/// window's PARTITION BY, a banned word in a comment or a string).
#[test]
fn the_check_finds_banned_constructs_and_passes_look_alikes() {
    let bad = [
        ("CREATE TABLE t (id SERIAL PRIMARY KEY)", "serial"),
        ("CREATE TABLE t (id bigserial, x int)", "bigserial"),
        ("SELECT pg_advisory_xact_lock(42)", "pg_advisory*"),
        ("SELECT pg_try_advisory_lock(1)", "pg_try_advisory*"),
        ("NOTIFY jobs, 'x'", "notify"),
        ("CREATE EXTENSION IF NOT EXISTS pgcrypto", "create extension"),
        ("CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW EXECUTE FUNCTION f()", "create trigger"),
        ("CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$ BEGIN END $$ LANGUAGE plpgsql", "create or replace"),
        ("DO $$ BEGIN END $$", "$$"),
        ("ALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (b) REFERENCES c (d) DEFERRABLE INITIALLY DEFERRED", "deferrable"),
        ("ALTER TABLE r ADD EXCLUDE USING gist (room WITH =, during WITH &&)", "exclude using"),
        ("CREATE INDEX i ON t USING GIST (g)", "using gist"),
        ("CREATE TABLE c () INHERITS (p)", "inherits"),
        ("CREATE TABLE m (d date) PARTITION BY RANGE (d)", "partition by range"),
        ("LOCK TABLE t IN EXCLUSIVE MODE", "lock table"),
        ("CREATE TYPE s AS ENUM ('a')", "create type"),
        ("CREATE UNIQUE INDEX u ON t (a) NULLS NOT DISTINCT", "nulls not distinct"),
        ("CREATE TEMP TABLE x (a int)", "create temp"),
    ];
    for (sql, construct) in bad {
        let p = problems(sql);
        assert!(p.iter().any(|x| x.starts_with(&format!("{construct}:"))), "{sql}: {p:?}");
    }
    let fine = [
        "CREATE TABLE d (id UUID PRIMARY KEY, serial TEXT NULL UNIQUE, serial_no TEXT)",
        "INSERT INTO v SELECT post_id, ROW_NUMBER() OVER (PARTITION BY post_id ORDER BY seq) FROM s",
        "-- no advisory locks: pg_advisory_lock, LISTEN, CREATE TRIGGER\nCREATE TABLE a (x INT)",
        "INSERT INTO t (note) VALUES ('we never CREATE EXTENSION or LOCK TABLE here')",
        "ALTER TABLE usage_records ADD COLUMN seq BIGINT GENERATED BY DEFAULT AS IDENTITY",
        "CREATE INDEX r ON usage_records (device_id, day) WHERE event = 'data'",
    ];
    for sql in fine {
        assert_eq!(problems(sql), Vec::<String>::new(), "{sql}");
    }
}
