//! `custodian screen [FILE|-] [--json | --jsonl] [--pack FILE]`: the command's logic, kept here
//! so the binary only parses arguments. Readers and writers are passed in so tests drive it
//! without a process.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::json;

use crate::{Engine, Pack, Screening, Verdict};

/// Exit status: screened, and nothing blocks publication.
pub const OK: u8 = 0;
/// Exit status: the input, the pack or an output could not be read or written.
pub const BAD_INPUT: u8 = 2;
/// Exit status (single draft only): the verdict is block.
pub const BLOCKED: u8 = 3;

/// The command's options as parsed by the binary.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The draft to screen; `None` or `-` reads standard input.
    pub file: Option<PathBuf>,
    /// Print `{"verdict", "approver", "findings"}` for the one draft.
    pub json: bool,
    /// Read one `{"id", "text"}` object per line; write one `{"id", "verdict", "approver",
    /// "findings"}` per line, in the same order.
    pub jsonl: bool,
    /// Screen with this pack instead of the built-in one.
    pub pack: Option<PathBuf>,
}

#[derive(Deserialize)]
struct Line {
    id: serde_json::Value,
    text: String,
}

/// Run the command. Returns the exit status: [`OK`], [`BLOCKED`] (one draft whose verdict is
/// block) or [`BAD_INPUT`] (with a message on `err` naming the file, line or rule at fault).
pub fn run(opts: &Options, stdin: &mut dyn BufRead, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match run_inner(opts, stdin, out) {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            BAD_INPUT
        }
    }
}

fn engine(opts: &Options) -> Result<Engine, String> {
    let pack = match &opts.pack {
        Some(p) => Pack::from_path(p)?,
        None => Pack::builtin().map_err(|e| e.to_string())?,
    };
    Engine::from_pack(&pack).map_err(|e| e.to_string())
}

fn run_inner(opts: &Options, stdin: &mut dyn BufRead, out: &mut dyn Write) -> Result<u8, String> {
    if opts.json && opts.jsonl {
        return Err("--json and --jsonl cannot be used together".into());
    }
    let engine = engine(opts)?;
    let from_stdin = opts.file.as_ref().is_none_or(|f| f.as_os_str() == "-");
    let io = |e: std::io::Error| format!("writing output: {e}");
    if opts.jsonl {
        let mut file_reader;
        let reader: &mut dyn BufRead = if from_stdin {
            stdin
        } else {
            let p = opts.file.as_ref().ok_or("no file")?;
            file_reader =
                std::io::BufReader::new(std::fs::File::open(p).map_err(|e| format!("reading {}: {e}", p.display()))?);
            &mut file_reader
        };
        let mut buf = String::new();
        let mut n = 0usize;
        loop {
            buf.clear();
            n += 1;
            let read = reader.read_line(&mut buf).map_err(|e| format!("line {n}: {e}"))?;
            if read == 0 {
                break;
            }
            if buf.trim().is_empty() {
                continue;
            }
            let line: Line =
                serde_json::from_str(&buf).map_err(|e| format!("line {n}: expected {{\"id\", \"text\"}}: {e}"))?;
            let s = engine.screen(&line.text);
            let v = json!({"id": line.id, "verdict": s.verdict, "approver": s.approver, "findings": s.findings});
            writeln!(out, "{v}").map_err(io)?;
        }
        out.flush().map_err(io)?;
        return Ok(OK);
    }
    let mut bytes = Vec::new();
    if from_stdin {
        stdin.read_to_end(&mut bytes).map_err(|e| format!("reading standard input: {e}"))?;
    } else if let Some(p) = &opts.file {
        bytes = std::fs::read(p).map_err(|e| format!("reading {}: {e}", p.display()))?;
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| format!("the draft is not UTF-8 (byte {})", e.utf8_error().valid_up_to()))?;
    let s = engine.screen(&text);
    if opts.json {
        let v = json!({"verdict": s.verdict, "approver": s.approver, "findings": s.findings});
        writeln!(out, "{v}").map_err(io)?;
    } else {
        write_human(&s, out).map_err(io)?;
    }
    out.flush().map_err(io)?;
    Ok(if s.verdict == Verdict::Block { BLOCKED } else { OK })
}

fn write_human(s: &Screening, out: &mut dyn Write) -> std::io::Result<()> {
    match (s.verdict, s.approver) {
        (Verdict::NeedsApproval, Some(a)) => writeln!(out, "verdict: needs approval by {}", a.as_str())?,
        (v, _) => writeln!(out, "verdict: {}", v.as_str())?,
    }
    for f in &s.findings {
        writeln!(
            out,
            "  {}..{}  {}  (WP034 {}, {})  {:?}\n      {}",
            f.start,
            f.end,
            f.category,
            f.clause,
            f.severity.as_str(),
            f.matched,
            f.explanation
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_str(opts: &Options, input: &str) -> (u8, String, String) {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let code = run(opts, &mut input.as_bytes(), &mut out, &mut err);
        (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
    }

    #[test]
    fn json_output_has_the_verdict_approver_and_findings() {
        let (code, out, _) =
            run_str(&Options { json: true, ..Default::default() }, "OFFICIAL-SENSITIVE briefing attached");
        assert_eq!(code, BLOCKED);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["verdict"], "block");
        assert_eq!(v["approver"], serde_json::Value::Null);
        assert_eq!(v["findings"][0]["category"], "marking");
        assert_eq!(v["findings"][0]["match"], "OFFICIAL-SENSITIVE");
        assert_eq!(v["findings"][0]["start"], 0);
    }

    #[test]
    fn jsonl_writes_one_line_per_draft_in_order() {
        let input = "{\"id\": \"a\", \"text\": \"Quote incident 123 of 12 March.\"}\n\n{\"id\": 7, \"text\": \"Lovely day at the open day.\"}\n";
        let (code, out, _) = run_str(&Options { jsonl: true, ..Default::default() }, input);
        assert_eq!(code, OK);
        let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["id"], "a");
        assert_eq!(lines[0]["verdict"], "needs_approval");
        assert_eq!(lines[0]["approver"], "sio");
        assert_eq!(lines[1]["id"], 7);
        assert_eq!(lines[1]["verdict"], "clear");
    }

    #[test]
    fn a_malformed_jsonl_line_is_named() {
        let (code, _, err) =
            run_str(&Options { jsonl: true, ..Default::default() }, "{\"id\":1,\"text\":\"ok\"}\nnot json\n");
        assert_eq!(code, BAD_INPUT);
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn human_output_lists_each_finding_with_its_clause() {
        let (code, out, _) = run_str(&Options::default(), "Email me at jo.bloggs@example.com");
        assert_eq!(code, BLOCKED);
        assert!(out.starts_with("verdict: block"), "{out}");
        assert!(out.contains("personal.email  (WP034 6.3b, high)  \"jo.bloggs@example.com\""), "{out}");
    }
}
