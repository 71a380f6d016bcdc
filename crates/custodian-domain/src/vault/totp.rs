//! Time-based one-time passwords (RFC 6238, HMAC-SHA1, 30-second steps, 6 digits): the code an
//! authenticator app shows for a seed, so Corporate Communications can sign in to a shared account
//! without a shared phone (WP034 6.6).

use hmac::{Hmac, Mac};
use sha1::Sha1;
use zeroize::Zeroizing;

/// Seconds per code.
pub const STEP: u64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;

/// The seed's bytes from its base32 text (RFC 4648; case, spaces, hyphens and `=` padding
/// ignored), as platforms show it. The error never repeats the text.
pub fn decode_seed(text: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    let mut out = Zeroizing::new(Vec::with_capacity(text.len() * 5 / 8 + 1));
    let (mut buf, mut bits) = (0u64, 0u32);
    let mut n = 0usize;
    for c in text.chars() {
        let v = match c.to_ascii_uppercase() {
            ' ' | '-' | '=' => continue,
            c @ 'A'..='Z' => c as u64 - 'A' as u64,
            c @ '2'..='7' => c as u64 - '2' as u64 + 26,
            _ => return Err("is not base32 (letters A-Z and digits 2-7)".into()),
        };
        n += 1;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    if out.len() < 10 {
        return Err(format!("is too short for an authenticator seed ({n} characters; at least 16 expected)"));
    }
    Ok(out)
}

/// HOTP (RFC 4226) with HMAC-SHA1.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let mut m = match <Hmac<Sha1> as Mac>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    m.update(&counter.to_be_bytes());
    let h = m.finalize().into_bytes();
    let off = (h[19] & 0x0f) as usize;
    let bin = (u32::from(h[off]) & 0x7f) << 24
        | u32::from(h[off + 1]) << 16
        | u32::from(h[off + 2]) << 8
        | u32::from(h[off + 3]);
    bin % 10u32.pow(digits)
}

/// The TOTP code at `unix` seconds (RFC 6238), zero-padded, and the seconds it stays valid.
pub fn code_at(secret: &[u8], unix: u64, digits: u32) -> (String, u64) {
    let c = hotp(secret, unix / STEP, digits);
    (format!("{c:0width$}", width = digits as usize), STEP - unix % STEP)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vectors() {
        let seed = b"12345678901234567890";
        for (t, want) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_at(seed, t, 8).0, want, "T = {t}");
        }
        assert_eq!(code_at(seed, 59, 6), ("287082".to_string(), 1));
    }

    #[test]
    fn base32_seeds() {
        // "12345678901234567890" in base32.
        let s = decode_seed("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
        assert_eq!(&s[..], b"12345678901234567890");
        let s = decode_seed("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").unwrap();
        assert_eq!(&s[..], b"12345678901234567890");
        assert!(decode_seed("GEZDGNBVGY3TQOJ1").is_err());
        assert!(decode_seed("GEZD").is_err());
    }
}
