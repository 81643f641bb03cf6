//! The server's glob matcher (`stringmatchlen`, case-sensitive), byte for byte.
//!
//! Our own code because its corner cases are the security boundary: `*` never
//! matches the empty string, `[` classes compare *signed* chars, an unterminated class
//! runs to the end of the pattern, a range ending in `]` swallows it, and (on the
//! versions with the CVE-2024-31228 fix) more than 1000 nested `*` give up (no match).

/// Whether `pattern` matches `string` as an ACL key or channel pattern does on a version
/// with the nesting limit (every profile but Redis 7.2.4).
pub fn matches(pattern: &[u8], string: &[u8]) -> bool {
    matches_as(pattern, string, true)
}

/// [`matches`], with the nesting limit or without it (`nesting_limit`: the profile's
/// `behavior.string_match_nesting_limit`).
pub fn matches_as(pattern: &[u8], string: &[u8], nesting_limit: bool) -> bool {
    let mut skip_longer = false;
    let limit = if nesting_limit { SERVER_NESTING_LIMIT } else { ENGINE_NESTING_LIMIT };
    match_at(pattern, string, &mut skip_longer, 0, limit)
}

/// `stringmatchlen_impl` gives up past this many nested `*` (CVE-2024-31228).
const SERVER_NESTING_LIMIT: u32 = 1000;

/// Without the server's limit (Redis 7.2.4) the server recurses until its stack runs out;
/// ours is smaller (test threads, the browser), so we give up here: a pattern with this
/// many nested `*` matched against as long a string is the one answer not exact.
const ENGINE_NESTING_LIMIT: u32 = 4_000;

/// The byte at `i`, or NUL past the end: the server reads the terminating NUL of its
/// strings in a few places and we must see the same byte.
#[inline]
fn at(p: &[u8], i: usize) -> u8 {
    p.get(i).copied().unwrap_or(0)
}

fn match_at(mut p: &[u8], mut s: &[u8], skip_longer: &mut bool, nesting: u32, limit: u32) -> bool {
    if nesting > limit {
        return false;
    }
    while !p.is_empty() && !s.is_empty() {
        match p[0] {
            b'*' => {
                while at(p, 1) == b'*' {
                    p = &p[1..];
                }
                if p.len() == 1 {
                    return true;
                }
                while !s.is_empty() {
                    if match_at(&p[1..], s, skip_longer, nesting + 1, limit) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    s = &s[1..];
                }
                // The rest of the pattern matches nowhere in the rest of the string, so
                // trying longer runs for earlier stars cannot help either.
                *skip_longer = true;
                return false;
            }
            b'?' => s = &s[1..],
            b'[' => {
                // Index into p; reading past the end yields NUL, as in the server.
                let mut i = 1;
                let negate = at(p, i) == b'^';
                if negate {
                    i += 1;
                }
                let c = s[0] as i8;
                let mut matched = false;
                loop {
                    let rest = p.len().saturating_sub(i);
                    if at(p, i) == b'\\' && rest >= 2 {
                        i += 1;
                        if at(p, i) == s[0] {
                            matched = true;
                        }
                    } else if at(p, i) == b']' {
                        break;
                    } else if rest == 0 {
                        i -= 1;
                        break;
                    } else if rest >= 3 && at(p, i + 1) == b'-' {
                        let (mut lo, mut hi) = (at(p, i) as i8, at(p, i + 2) as i8);
                        if lo > hi {
                            std::mem::swap(&mut lo, &mut hi);
                        }
                        i += 2;
                        if c >= lo && c <= hi {
                            matched = true;
                        }
                    } else if at(p, i) == s[0] {
                        matched = true;
                    }
                    i += 1;
                }
                if negate {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                s = &s[1..];
                // `i` points at the closing `]` (or the last byte); consumed below.
                p = &p[i..];
            }
            b'\\' => {
                if p.len() >= 2 {
                    p = &p[1..];
                }
                if p[0] != s[0] {
                    return false;
                }
                s = &s[1..];
            }
            b => {
                if b != s[0] {
                    return false;
                }
                s = &s[1..];
            }
        }
        p = &p[1..];
        if s.is_empty() {
            while p.first() == Some(&b'*') {
                p = &p[1..];
            }
            break;
        }
    }
    p.is_empty() && s.is_empty()
}

#[cfg(test)]
mod tests {
    use super::{matches, matches_as};

    #[test]
    fn cases_from_the_server_notes() {
        let yes: &[(&str, &str)] = &[
            ("app:*", "app:"),
            ("app:*", "app:x"),
            ("", ""),
            ("a?c", "abc"),
            ("[!a]", "!"),
            ("[!a]", "a"),
            ("[z-a]", "q"),
            ("a[bc", "ab"),
            ("a[a-]*", "a]"),
            ("a[a-]*", "a*"),
            ("\\*", "*"),
            ("a\\", "a\\"),
            ("[^a]", "b"),
            ("[\\]]", "]"),
            ("**a", "ba"),
        ];
        for (p, s) in yes {
            assert!(matches(p.as_bytes(), s.as_bytes()), "{p:?} should match {s:?}");
        }
        let no: &[(&str, &str)] = &[
            ("*", ""),
            ("?*", ""),
            ("", "a"),
            ("a[bc", "abc"),
            ("a[", "a"),
            ("a[", "a["),
            ("a[a-]*", "a-"),
            ("a[a-]*", "ab"),
            ("[]]", "]"),
            ("[]", "]"),
            ("App:*", "app:x"),
            ("[^a]", "a"),
        ];
        for (p, s) in no {
            assert!(!matches(p.as_bytes(), s.as_bytes()), "{p:?} should not match {s:?}");
        }
    }

    #[test]
    fn ranges_compare_signed_bytes() {
        // 0xff is -1 as a C char: [a-\xff] becomes [\xff-a], which holds NUL..'a'.
        assert!(matches(b"[a-\xff]", b"A"));
        assert!(matches(b"[a-\xff]", b"\xff"));
        assert!(!matches(b"[a-\xff]", b"b"));
        assert!(!matches(b"[a-\xff]", b"\x80"));
    }

    #[test]
    fn deep_star_nesting_gives_up() {
        let mut p = "a*".repeat(1001);
        p.push('b');
        let s = "a".repeat(1001) + "b";
        assert!(!matches(p.as_bytes(), s.as_bytes()));
        let mut p = "a*".repeat(999);
        p.push('b');
        let s = "a".repeat(999) + "b";
        assert!(matches(p.as_bytes(), s.as_bytes()));
        // Without the limit (Redis 7.2.4) the deep pattern matches.
        let mut p = "a*".repeat(1001);
        p.push('b');
        let s = "a".repeat(1001) + "b";
        assert!(matches_as(p.as_bytes(), s.as_bytes(), false));
        // Past the engine's own bound it gives up too, without exhausting the stack.
        let mut p = "a*".repeat(5000);
        p.push('b');
        let s = "a".repeat(5000) + "b";
        assert!(!matches_as(p.as_bytes(), s.as_bytes(), false));
    }
}
