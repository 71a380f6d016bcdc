//! Any text, however odd (invalid look-alikes, zero-width runs, combining marks, spaced-out
//! letters), screens without panicking, and every finding points at the text it names: the
//! offsets are character boundaries of the input and `text[start..end] == match`. The verdict
//! agrees with the findings.
#![no_main]

use custodian_screening::{Engine, Verdict};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static ENGINE: OnceLock<Engine> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let engine = ENGINE.get_or_init(|| Engine::builtin().expect("the built-in pack loads"));
    let s = engine.screen(text);
    for f in &s.findings {
        assert!(f.start <= f.end && f.end <= text.len(), "{f:?}");
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end), "{f:?}");
        assert_eq!(&text[f.start..f.end], f.matched, "{f:?}");
    }
    assert_eq!(s.verdict == Verdict::Clear, s.findings.is_empty());
    assert_eq!(s.approver.is_some(), s.verdict == Verdict::NeedsApproval);
});
