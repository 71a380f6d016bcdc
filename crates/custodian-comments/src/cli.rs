//! `custodian comments triage [FILE|-] --jsonl [--pack FILE] [--staff STAFF.csv]`: the command's logic, kept here
//! so the binary only parses arguments. Readers and writers are passed in so tests drive it
//! without a process.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use serde::Serialize;

use crate::{Engine, LabelMatch, Pack, RouteTaken, StaffIndex, StaffNamed};

/// Exit status: every line triaged.
pub const OK: u8 = 0;
/// Exit status: a line, the pack or an output could not be read or written (the message names
/// the line).
pub const BAD_INPUT: u8 = 2;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// One `{"id", "text", ...}` object per line; `None` or `-` reads standard input.
    pub file: Option<PathBuf>,
    /// Triage with this pack instead of the built-in one.
    pub pack: Option<PathBuf>,
    /// The people register's names (`staff_number,given_name,family_name,rank,collar_number`):
    /// a comment naming one of them names a member of staff (WP034 8.2).
    pub staff: Option<PathBuf>,
}

#[derive(Serialize)]
struct Out<'a> {
    id: &'a serde_json::Value,
    labels: &'a [LabelMatch],
    route: &'a [RouteTaken],
    #[serde(skip_serializing_if = "<[StaffNamed]>::is_empty")]
    staff: &'a [StaffNamed],
}

pub fn engine(pack: Option<&PathBuf>) -> Result<Engine, String> {
    let pack = match pack {
        Some(p) => Pack::from_path(p)?,
        None => Pack::builtin().map_err(|e| e.to_string())?,
    };
    Engine::from_pack(&pack).map_err(|e| e.to_string())
}

/// Run the command: one line out per line in, in order. A bad line stops the run with a message
/// naming its line number (lines already written stay written).
pub fn run(opts: &Options, stdin: &mut dyn BufRead, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match run_inner(opts, stdin, out) {
        Ok(()) => OK,
        Err(message) => {
            let _ = out.flush();
            let _ = writeln!(err, "error: {message}");
            BAD_INPUT
        }
    }
}

fn run_inner(opts: &Options, stdin: &mut dyn BufRead, out: &mut dyn Write) -> Result<(), String> {
    let engine = engine(opts.pack.as_ref())?;
    let staff = opts.staff.as_deref().map(StaffIndex::from_path).transpose()?;
    let (name, mut file_reader);
    let reader: &mut dyn BufRead = match &opts.file {
        Some(p) if p.as_os_str() != "-" => {
            let f = std::fs::File::open(p).map_err(|e| format!("reading {}: {e}", p.display()))?;
            name = p.display().to_string();
            file_reader = std::io::BufReader::with_capacity(1 << 16, f);
            &mut file_reader
        }
        _ => {
            name = "standard input".to_string();
            stdin
        }
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(|e| format!("{name}: line {}: {e}", line_no + 1))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let line = std::str::from_utf8(&buf)
            .map_err(|e| format!("{name}: line {line_no}: not UTF-8 (byte {})", e.valid_up_to()))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{name}: line {line_no}: not a JSON object: {e}"))?;
        let obj = v.as_object().ok_or_else(|| format!("{name}: line {line_no}: not a JSON object"))?;
        let id = obj.get("id").ok_or_else(|| format!("{name}: line {line_no}: field \"id\" is missing"))?;
        if !(id.is_string() || id.is_number()) {
            return Err(format!("{name}: line {line_no}: field \"id\" must be a string or a number"));
        }
        let text = match obj.get("text") {
            Some(serde_json::Value::String(s)) => s,
            Some(_) => return Err(format!("{name}: line {line_no}: field \"text\" must be a string")),
            None => return Err(format!("{name}: line {line_no}: field \"text\" is missing")),
        };
        let t = engine.triage_with_staff(text, staff.as_ref());
        serde_json::to_writer(&mut out, &Out { id, labels: &t.labels, route: &t.route, staff: &t.staff })
            .map_err(|e| format!("writing: {e}"))?;
        out.write_all(b"\n").map_err(|e| format!("writing: {e}"))?;
    }
    out.flush().map_err(|e| format!("writing: {e}"))?;
    Ok(())
}
