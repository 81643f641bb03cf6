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
    let n: i64 = crate::int::string2ll(arg.as_bytes()).ok_or(GenpassError::NotAnInteger)?;
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
    assert!(
        !alphabet.is_empty() && alphabet.len() <= 256,
        "alphabet of 1..=256 characters"
    );
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

/// Lowercase hex SHA-256, as `#<hash>` rules want it.
pub fn sha256_hex(password: &[u8]) -> String {
    Sha256::digest(password)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genpass_lengths_and_errors() {
        for (bits, len) in [
            (1, 1),
            (5, 2),
            (255, 64),
            (256, 64),
            (257, 65),
            (4096, 1024),
        ] {
            let p = genpass(bits).unwrap();
            assert_eq!(p.len(), len, "{bits} bits");
            assert!(
                p.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            );
        }
        assert_eq!(parse_bits(None), Ok(256));
        assert_eq!(parse_bits(Some("0")), Err(GenpassError::OutOfRange));
        assert_eq!(parse_bits(Some("4097")), Err(GenpassError::OutOfRange));
        assert_eq!(parse_bits(Some("x")), Err(GenpassError::NotAnInteger));
        assert_eq!(parse_bits(Some("-5")), Err(GenpassError::OutOfRange));
        assert_ne!(genpass(256).unwrap(), genpass(256).unwrap());
    }

    #[test]
    fn hashes() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
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
