//! `ACL GENPASS` and password helpers: a CSPRNG through `getrandom`, unbiased choices,
//! SHA-256 hashing for `#hash` rules.

use sha2::{Digest, Sha256};

/// Errors of `ACL GENPASS`, with the server's texts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenpassError {
    /// `ACL GENPASS x`
    #[error("ERR value is not an integer or out of range")]
    NotAnInteger,
    /// `ACL GENPASS 0` or `ACL GENPASS 4097`
    #[error(
        "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096"
    )]
    OutOfRange,
    /// The system has no randomness to give.
    #[error("no secure random source is available: {0}")]
    Random(String),
}

fn random_bytes(n: usize) -> Result<Vec<u8>, GenpassError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| GenpassError::Random(e.to_string()))?;
    Ok(buf)
}

/// Parses the bits argument like the server (`getLongFromObjectOrReply` + bounds).
pub fn parse_bits(arg: Option<&str>) -> Result<u32, GenpassError> {
    let Some(arg) = arg else { return Ok(256) };
    let n: i64 = crate::bytes::int::string2ll(arg.as_bytes()).ok_or(GenpassError::NotAnInteger)?;
    if !(1..=4096).contains(&n) {
        return Err(GenpassError::OutOfRange);
    }
    Ok(n as u32)
}

/// `ACL GENPASS [bits]`: `ceil(bits/4)` lowercase hex characters.
pub fn genpass(bits: u32) -> Result<String, GenpassError> {
    let chars = bits.div_ceil(4) as usize;
    let bytes = random_bytes(chars.div_ceil(2))?;
    let mut s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    s.truncate(chars);
    Ok(s)
}

/// The reply to `ACL GENPASS [bits]`.
pub fn genpass_reply(arg: Option<&str>) -> Result<String, String> {
    parse_bits(arg).and_then(genpass).map_err(|e| e.to_string())
}

/// A password of `len` characters drawn uniformly from `alphabet` (rejection sampling:
/// no modulo bias).
pub fn random_from(alphabet: &[char], len: usize) -> Result<String, GenpassError> {
    assert!(!alphabet.is_empty() && alphabet.len() <= 256, "alphabet of 1..=256 characters");
    let n = alphabet.len() as u32;
    // Largest multiple of n that fits in a byte: bytes at or above it are rejected.
    let limit = 256 - 256 % n;
    let mut out = String::with_capacity(len);
    while out.chars().count() < len {
        for b in random_bytes(len * 2)? {
            if (b as u32) < limit {
                out.push(alphabet[(b as u32 % n) as usize]);
                if out.chars().count() == len {
                    break;
                }
            }
        }
    }
    Ok(out)
}

/// Entropy in bits of a uniformly random password.
pub fn entropy_bits(alphabet_len: usize, len: usize) -> f64 {
    len as f64 * (alphabet_len as f64).log2()
}

/// A rough strength estimate: bits of a brute-force search over the character classes
/// used, cut down for repeats, runs and well-known passwords. (A dictionary estimator such
/// as zxcvbn carries megabytes of word lists, too big for the playground's page budget.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Strength {
    pub chars: usize,
    pub bits: f64,
    /// One of the passwords every attacker tries first.
    pub common: bool,
}

/// Passwords (and stems) that attackers try first; compared case-insensitively.
const COMMON: &[&str] = &[
    "password",
    "passw0rd",
    "123456",
    "12345678",
    "123456789",
    "qwerty",
    "abc123",
    "letmein",
    "welcome",
    "admin",
    "secret",
    "changeme",
    "redis",
    "valkey",
    "iloveyou",
    "monkey",
    "dragon",
    "football",
    "master",
    "login",
    "default",
    "root",
    "test",
    "guest",
    "pass",
    "foobared",
];

pub fn strength(pw: &[u8]) -> Strength {
    let text = String::from_utf8_lossy(pw);
    let chars: Vec<char> = text.chars().collect();
    let mut pool = 0u32;
    if chars.iter().any(|c| c.is_ascii_lowercase()) {
        pool += 26;
    }
    if chars.iter().any(|c| c.is_ascii_uppercase()) {
        pool += 26;
    }
    if chars.iter().any(|c| c.is_ascii_digit()) {
        pool += 10;
    }
    if chars.iter().any(|c| c.is_ascii_punctuation() || *c == ' ') {
        pool += 33;
    }
    if chars.iter().any(|c| !c.is_ascii()) {
        pool += 100;
    }
    // Characters that repeat the previous one or continue a run (abc, 321) add little.
    let mut effective = 0.0;
    for (i, c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j] as i64);
        let step = prev.map(|p| *c as i64 - p);
        effective += match step {
            Some(0) => 0.1,
            Some(1) | Some(-1) => 0.3,
            _ => 1.0,
        };
    }
    let lower = text.to_ascii_lowercase();
    let common = COMMON.iter().any(|w| lower == *w || (lower.len() < w.len() + 5 && lower.contains(w)));
    let bits = if pool == 0 { 0.0 } else { effective * (pool as f64).log2() };
    Strength { chars: chars.len(), bits: if common { bits.min(10.0) } else { bits }, common }
}

/// Lowercase hex SHA-256, as `#<hash>` rules want it.
pub fn sha256_hex(password: &[u8]) -> String {
    Sha256::digest(password).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genpass_lengths_and_errors() {
        for (bits, len) in [(1, 1), (5, 2), (255, 64), (256, 64), (257, 65), (4096, 1024)] {
            let p = genpass(bits).unwrap();
            assert_eq!(p.len(), len, "{bits} bits");
            assert!(p.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        }
        assert_eq!(parse_bits(None), Ok(256));
        assert_eq!(parse_bits(Some("0")), Err(GenpassError::OutOfRange));
        assert_eq!(parse_bits(Some("4097")), Err(GenpassError::OutOfRange));
        assert_eq!(parse_bits(Some("x")), Err(GenpassError::NotAnInteger));
        assert_eq!(parse_bits(Some("-5")), Err(GenpassError::OutOfRange));
        assert_ne!(genpass(256).unwrap(), genpass(256).unwrap());
    }

    #[test]
    fn strength_estimates() {
        assert!(strength(b"password1").common);
        assert!(strength(b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").bits < 40.0);
        assert!(strength(b"abcdefghijklmnopqrstuvwxyzabcdef").bits < 60.0);
        let random = strength(b"q7GxR2vLm9ZtP4sK8wNc1YbH6jD3fA0e");
        assert!(random.bits > 150.0 && !random.common, "{random:?}");
    }

    #[test]
    fn hashes() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn alphabet_passwords_are_uniform_enough() {
        let alpha: Vec<char> = "abc".chars().collect();
        let p = random_from(&alpha, 30_000).unwrap();
        for c in alpha {
            let k = p.chars().filter(|&x| x == c).count();
            assert!((9_000..11_000).contains(&k), "{c}: {k}");
        }
    }
}
