//! The servers' integer parsers, with their exact leniencies.

/// Redis' strict integer parser (`string2ll`).
pub fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !matches!(digits[0], b'1'..=b'9') || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add((d - b'0') as u64)?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

/// What C's `strtoll(s, &end, 10)` makes of a whole string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whole {
    Value(i64),
    /// Digits to the end, but beyond `long long` (`ERANGE`).
    Overflow,
    /// No digits, or bytes after them (`end` is not the string's end).
    Invalid,
}

/// `strtoll(s, &end, 10)` with `*end == '\0'` required: leading C whitespace and one
/// sign are skipped, then digits must run to the end of `s`.
pub fn strtoll_whole(s: &[u8]) -> Whole {
    let (neg, digits) = signed(s);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Whole::Invalid;
    }
    let mut v: i128 = 0;
    for &d in digits {
        v = (v * 10 + (d - b'0') as i128).min(i64::MAX as i128 + 2);
    }
    let v = if neg { -v } else { v };
    i64::try_from(v).map_or(Whole::Overflow, Whole::Value)
}

/// What `strtol` skips before the digits: C whitespace, then one sign. Whether the sign
/// was `-`, and the rest.
fn signed(s: &[u8]) -> (bool, &[u8]) {
    let start = s.iter().position(|&b| !super::is_c_space(b)).unwrap_or(s.len());
    match s.get(start) {
        Some(b'-') => (true, &s[start + 1..]),
        Some(b'+') => (false, &s[start + 1..]),
        _ => (false, &s[start..]),
    }
}

/// C's `atoi` as glibc does it: `(int) strtol(s, NULL, 10)`.
pub fn atoi(s: &[u8]) -> i32 {
    let (neg, rest) = signed(super::c_str(s));
    let mut v: i128 = 0;
    for &d in rest.iter().take_while(|d| d.is_ascii_digit()) {
        v = (v * 10 + (d - b'0') as i128).min(i64::MAX as i128 + 1);
    }
    let v = if neg { -v } else { v };
    // strtol clamps to the range of long, then the int conversion keeps the low bits.
    let l = v.clamp(i64::MIN as i128, i64::MAX as i128) as i64;
    l as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_parsers() {
        assert_eq!(string2ll(b"01"), None);
        assert_eq!(string2ll(b"+1"), None);
        assert_eq!(string2ll(b"-0"), None);
        assert_eq!(string2ll(b"-1"), Some(-1));
        assert_eq!(string2ll(b"0"), Some(0));
        assert_eq!(string2ll(b"9223372036854775808"), None);
        assert_eq!(atoi(b"01"), 1);
        assert_eq!(atoi(b" +1x"), 1);
        assert_eq!(atoi(b"4294967297"), 1);
        assert_eq!(atoi(b"99999999999999999999"), -1);
        assert_eq!(atoi(b"x"), 0);
        assert_eq!(strtoll_whole(b" \t\n\x0b\x0c\r+7"), Whole::Value(7));
        assert_eq!(strtoll_whole(b"-0"), Whole::Value(0));
        assert_eq!(strtoll_whole(b"0007"), Whole::Value(7));
        assert_eq!(strtoll_whole(b"-9223372036854775808"), Whole::Value(i64::MIN));
        assert_eq!(strtoll_whole(b"9223372036854775808"), Whole::Overflow);
        assert_eq!(strtoll_whole(b"-99999999999999999999999"), Whole::Overflow);
        for bad in [&b""[..], b" ", b"-", b"+", b"+-1", b"- 1", b"1 ", b"0x1", b"1.0", b"1a", b"99999999999999999999x"]
        {
            assert_eq!(strtoll_whole(bad), Whole::Invalid, "{bad:?}");
        }
    }
}
