//! Reading the whole audit log fast, for `custodian audit verify` on SQLite.
//!
//! sqlx's SQLite driver costs about 10 µs a row, which made verification read-bound at about
//! 90,000 events/s. Here the log is read with rusqlite (the same libsqlite3 as sqlx) in ranges of
//! `seq`, by one worker thread per core: each worker reads its ranges in `seq` order, encodes
//! every row canonically and hashes the leaves; the calling thread takes the ranges back in order
//! and extends the hash chain and the tree with [`Verifier::feed_leaf`]. The ranges cover every
//! possible `seq` below the log head's size (the first is open below, the last ends at the size),
//! so the events are fed in exactly the order `ORDER BY seq` gives, and the first bad event is
//! named as before. Events appended while the check runs lie above the size and are not read.

use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use custodian_domain::audit::{self as tree, EventRef, Hash, Tamper, Verifier};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::{Result, StoreError};

/// Events per range: big enough to amortise a query, small enough to keep memory flat.
const RANGE: i64 = 16_384;

/// One range of stored events, encoded and leaf-hashed by a worker.
#[derive(Default)]
struct Batch {
    /// Canonical bytes of every event, one after another (kept to name a bad event).
    bytes: Vec<u8>,
    ends: Vec<usize>,
    seqs: Vec<u64>,
    /// Recomputed leaf, stored leaf, stored chain.
    hashes: Vec<(Hash, Hash, Hash)>,
    /// A row that cannot be read as an event ends the log here: the problem, naming it.
    unreadable: Option<String>,
}

fn open(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(sql_err)?;
    // Map the file rather than copy pages through read(): the scan touches every page once.
    conn.execute_batch("PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -32768;").map_err(sql_err)?;
    Ok(conn)
}

fn sql_err(e: rusqlite::Error) -> StoreError {
    StoreError::Audit(format!("reading the audit log: {e}"))
}

fn text<'a>(v: ValueRef<'a>, seq: u64, field: &str) -> std::result::Result<Option<&'a str>, String> {
    match v {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => {
            std::str::from_utf8(t).map(Some).map_err(|_| format!("event {seq}: stored {field} is not UTF-8 text"))
        }
        _ => Err(format!("event {seq}: stored {field} is not text")),
    }
}

fn required<'a>(v: ValueRef<'a>, seq: u64, field: &str) -> std::result::Result<&'a str, String> {
    text(v, seq, field)?.ok_or_else(|| format!("event {seq}: stored {field} is missing"))
}

fn hash(v: ValueRef<'_>, seq: u64) -> std::result::Result<Hash, String> {
    match v {
        ValueRef::Blob(b) => Hash::try_from(b).map_err(|_| format!("event {seq}: stored hashes are not 32 bytes")),
        _ => Err(format!("event {seq}: stored hashes are not 32 bytes")),
    }
}

/// Read events with `lo <= seq < hi` (either bound open when None) into a batch.
/// A limit of i64::MAX is the open upper bound: `BETWEEN` includes it.
fn read_range(conn: &Connection, lo: Option<i64>, hi: Option<i64>) -> Result<Batch> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, id, at_us, actor, action, subject, clause, justification, before_digest, after_digest, \
             detail, leaf_hash, chain FROM audit_events WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
        )
        .map_err(sql_err)?;
    let mut rows = stmt.query((lo.unwrap_or(i64::MIN), hi.map_or(i64::MAX, |h| h - 1))).map_err(sql_err)?;
    let mut b = Batch { bytes: Vec::with_capacity(RANGE as usize * 300), ..Batch::default() };
    while let Some(r) = rows.next().map_err(sql_err)? {
        let seq = r.get_ref(0).map_err(sql_err)?.as_i64().map_err(|e| StoreError::Audit(e.to_string()))? as u64;
        let row = || -> std::result::Result<(EventRef<'_>, Hash, Hash), String> {
            let get = |i: usize| r.get_ref(i).map_err(|e| format!("event {seq}: {e}"));
            let id: &[u8; 16] = match get(1)? {
                ValueRef::Blob(b) => b.try_into().map_err(|_| format!("event {seq}: stored id is not 16 bytes"))?,
                _ => return Err(format!("event {seq}: stored id is not a UUID")),
            };
            let at_us = match get(2)? {
                ValueRef::Integer(i) => i,
                _ => return Err(format!("event {seq}: stored time is not an integer")),
            };
            let e = EventRef {
                seq,
                id,
                at_us,
                actor: required(get(3)?, seq, "actor")?,
                action: required(get(4)?, seq, "action")?,
                subject: required(get(5)?, seq, "subject")?,
                clause: text(get(6)?, seq, "clause")?,
                justification: text(get(7)?, seq, "justification")?,
                before_digest: text(get(8)?, seq, "before_digest")?,
                after_digest: text(get(9)?, seq, "after_digest")?,
                detail: required(get(10)?, seq, "detail")?,
            };
            Ok((e, hash(get(11)?, seq)?, hash(get(12)?, seq)?))
        };
        match row() {
            Ok((e, leaf, chain)) => {
                let start = b.bytes.len();
                e.append_canonical(&mut b.bytes);
                let computed = tree::leaf_hash(&b.bytes[start..]);
                b.ends.push(b.bytes.len());
                b.seqs.push(seq);
                b.hashes.push((computed, leaf, chain));
            }
            Err(problem) => {
                b.unreadable = Some(problem);
                break;
            }
        }
    }
    Ok(b)
}

/// Worker `w` of `workers`: reads ranges w, w + workers, ... (the last ending below `end`) and
/// sends each, in turn, on `out`.
fn worker(path: &Path, w: usize, workers: usize, ranges: i64, end: i64, out: SyncSender<Result<Batch>>) {
    let conn = match open(path) {
        Ok(c) => c,
        Err(e) => {
            let _ = out.send(Err(e));
            return;
        }
    };
    for r in (w as i64..ranges).step_by(workers) {
        let lo = if r == 0 { None } else { Some(r * RANGE) };
        let hi = if r == ranges - 1 { end } else { (r + 1) * RANGE };
        let hi = Some(hi);
        let batch = read_range(&conn, lo, hi);
        let stop = batch.as_ref().map_or(true, |b| b.unreadable.is_some());
        // A closed channel means the verifier has stopped at a problem: stop reading.
        if out.send(batch).is_err() || stop {
            return;
        }
    }
}

/// Feed every stored event of the SQLite database at `path` with `seq < end` (the log head's
/// size) to `verifier`, in `seq` order, using every core. Returns the first problem, naming the
/// event, or None.
pub(crate) fn verify_sqlite(path: &Path, verifier: &mut Verifier, end: i64) -> Result<Option<String>> {
    let ranges = (end.max(1) - 1) / RANGE + 1;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4).min(ranges as usize);
    std::thread::scope(|s| {
        let mut inputs: Vec<Receiver<Result<Batch>>> = Vec::with_capacity(workers);
        for w in 0..workers {
            let (tx, rx) = sync_channel(2);
            inputs.push(rx);
            s.spawn(move || worker(path, w, workers, ranges, end, tx));
        }
        for r in 0..ranges as usize {
            let Ok(batch) = inputs[r % workers].recv() else {
                return Err(StoreError::Audit("an audit log reader stopped unexpectedly".into()));
            };
            let b = batch?;
            let mut start = 0;
            for (i, (computed, leaf, chain)) in b.hashes.iter().enumerate() {
                if let Err(t) = verifier.feed_leaf(b.seqs[i], computed, leaf, chain) {
                    let bytes = &b.bytes[start..b.ends[i]];
                    return Ok(Some(match tree::decode_canonical(bytes) {
                        Ok(rec) => describe(&t, &rec),
                        Err(_) => format!("event {}: {t}", b.seqs[i]),
                    }));
                }
                start = b.ends[i];
            }
            if let Some(p) = b.unreadable {
                return Ok(Some(p));
            }
        }
        Ok(None)
    })
}

/// A broken event as `audit verify` names it: its seq, id and action, and what is wrong.
pub(crate) fn describe(t: &Tamper, rec: &tree::EventRecord) -> String {
    format!("event {} ({}, {}): {t}", rec.seq, rec.id, rec.action)
}
