//! Byte primitives the servers' C code implies, shared by every stage: strings read as C
//! strings, C's `isspace`, the integer parsers ([`int`]), the glob matcher ([`glob`]),
//! and the word-at-a-time helpers of the hot paths. A leaf: it uses nothing else of the
//! crate.

pub mod glob;
pub mod int;

/// The text as C's `%s` and string functions see it: cut at the first NUL byte.
#[inline]
pub fn c_str(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).map_or(b, |n| &b[..n])
}

/// `String::from_utf8_lossy`, owned.
pub fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// C's `isspace()`: space, `\t`, `\n`, `\v`, `\f`, `\r`.
#[inline]
pub fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Whether `b` holds a C `isspace()` byte or a NUL (what usernames and patterns cannot
/// hold).
pub fn has_space_or_nul(b: &[u8]) -> bool {
    b.iter().any(|&c| c == 0 || is_c_space(c))
}

/// Lowercase hex of bytes (a SHA-256 digest as `ACL LIST` prints it).
pub fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(2 * bytes.len());
    for &b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// ASCII-lowercases the 8 bytes of `x` (other bytes unchanged), as `make_ascii_lowercase`.
#[inline]
pub(crate) fn lower_word(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let heptets = x & (0x7f * ONES);
    let ge_a = heptets + (0x80 - u64::from(b'A')) * ONES;
    let gt_z = heptets + (0x7f - u64::from(b'Z')) * ONES;
    let upper = ge_a & !gt_z & !x & (0x80 * ONES);
    x | (upper >> 2)
}

/// The bytes of `b` (at most 8) as a little-endian word, zero-padded, without a copy
/// loop: two overlapping loads when it is not a whole word.
#[inline]
pub(crate) fn word(b: &[u8]) -> u64 {
    let n = b.len();
    debug_assert!(n <= 8);
    if n == 8 {
        u64::from_le_bytes(b.try_into().expect("8 bytes"))
    } else if n >= 4 {
        let lo = u64::from(u32::from_le_bytes(b[..4].try_into().expect("4 bytes")));
        let hi = u64::from(u32::from_le_bytes(b[n - 4..].try_into().expect("4 bytes")));
        lo | hi << (8 * (n - 4))
    } else if n >= 2 {
        let lo = u64::from(u16::from_le_bytes(b[..2].try_into().expect("2 bytes")));
        let hi = u64::from(u16::from_le_bytes(b[n - 2..].try_into().expect("2 bytes")));
        lo | hi << (8 * (n - 2))
    } else if n == 1 {
        u64::from(b[0])
    } else {
        0
    }
}

/// FxHash's multiplier. The hashes of the indexes (command names, user names) take the
/// user's own input, so flooding resistance buys nothing; speed on short keys does.
pub(crate) const FX_K: u64 = 0xf135_7aea_2e62_a9c5;

/// One FxHash step: `h` takes in the word `w`.
#[inline]
pub(crate) fn fx_step(h: u64, w: u64) -> u64 {
    (h.rotate_left(26) ^ w).wrapping_mul(FX_K)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lowercasing_is_ascii_lowercasing() {
        for b in 0..=255u8 {
            for lane in 0..8 {
                let mut bytes = [b'Q', 0x80, b'z', b'@', b'[', 0xc1, b'A', b'Z'];
                bytes[lane] = b;
                let mut want = bytes;
                want.make_ascii_lowercase();
                assert_eq!(lower_word(u64::from_le_bytes(bytes)).to_le_bytes(), want, "{b:#x} in lane {lane}");
            }
        }
    }

    #[test]
    fn words_are_the_zero_padded_bytes() {
        let bytes: Vec<u8> = (1..=8).map(|i| 0x10 * i + i).collect();
        for n in 0..=8 {
            let mut padded = [0u8; 8];
            padded[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(word(&bytes[..n]), u64::from_le_bytes(padded), "{n} bytes");
        }
    }

    #[test]
    fn c_strings_and_spaces() {
        assert_eq!(c_str(b"ab\0cd"), b"ab");
        assert_eq!(c_str(b"abc"), b"abc");
        assert!(has_space_or_nul(b"a\x0bb") && has_space_or_nul(b"a\0") && !has_space_or_nul(b"a-b"));
        assert_eq!(hex(&[0, 0xab, 0x7f]), "00ab7f");
    }
}
