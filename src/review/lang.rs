//! The strings a set of ACL string tests tell apart: key and channel patterns (the
//! server's glob, `stringmatchlen`), `PSUBSCRIBE` patterns (equal as C strings) and
//! first-argument rules (equal as C strings, ignoring ASCII case). Every string falls in
//! one *atom*: the set of tests it passes. [`atoms`] finds every atom that some string
//! reaches, each with a shortest such string (its witness), by walking the product of the
//! tests' automata breadth first. Two rule sets that agree on one witness of every atom
//! agree on every string; that is what makes `aclplay diff` exact.

use crate::bytes::{c_str, glob};

/// One string test.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Test {
    /// A key or channel pattern: `stringmatchlen(pattern, s)`, case-sensitive.
    Glob(Vec<u8>),
    /// `PSUBSCRIBE` against a channel pattern: the C strings are equal.
    CEq(Vec<u8>),
    /// A `+cmd|arg` rule: the C strings are equal ignoring ASCII case.
    CEqNoCase(Vec<u8>),
}

impl Test {
    /// Whether `s` passes the test (the engine's own functions: the reference).
    pub fn passes(&self, s: &[u8]) -> bool {
        match self {
            Test::Glob(p) => glob::matches(p, s),
            Test::CEq(p) => c_str(p) == c_str(s),
            Test::CEqNoCase(p) => c_str(p).eq_ignore_ascii_case(c_str(s)),
        }
    }
}

/// A set of strings that pass exactly the same tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    /// Bit `i` set: the atom's strings pass test `i`.
    pub passes: Vec<u64>,
    /// A shortest string of the atom (a non-empty one when the atom has one).
    pub witness: Vec<u8>,
}

impl Atom {
    pub fn has(&self, test: usize) -> bool {
        self.passes[test / 64] >> (test % 64) & 1 == 1
    }
    /// Whether the atom passes any test of `mask` (a bit set over the tests).
    pub fn any(&self, mask: &[u64]) -> bool {
        self.passes.iter().zip(mask).any(|(a, m)| a & m != 0)
    }
}

/// The tests were too many or too intricate to tell apart within the budget.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("the patterns are too intricate to compare exactly (more than {limit} automaton states)")]
#[diagnostic(code(review::too_complex), help("split the change into smaller ones, or simplify the patterns"))]
pub struct TooComplex {
    pub limit: usize,
}

/// A byte set as 256 bits.
type Set = [u64; 4];

fn set_has(s: &Set, b: u8) -> bool {
    s[b as usize / 64] >> (b % 64) & 1 == 1
}

fn set_of(f: impl Fn(u8) -> bool) -> Set {
    let mut s = [0u64; 4];
    for b in 0..=255u8 {
        if f(b) {
            s[b as usize / 64] |= 1 << (b % 64);
        }
    }
    s
}

const ANY: Set = [u64::MAX; 4];

/// One step of a glob: a byte set to consume, or a star (any run of bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    One(Set),
    Star,
}

/// The pattern's steps, read the way `stringmatchlen` reads it (classes, escapes, the
/// NUL it finds past the end), or `None` when it matches no non-empty string (more than
/// 1000 nested stars make the server give up).
fn glob_tokens(p: &[u8]) -> Option<Vec<Tok>> {
    let at = |i: usize| p.get(i).copied().unwrap_or(0);
    let mut toks = Vec::new();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            b'*' => {
                while at(i + 1) == b'*' {
                    i += 1;
                }
                toks.push(Tok::Star);
            }
            b'?' => toks.push(Tok::One(ANY)),
            b'[' => {
                // The class ends where the server's loop ends, whatever the byte tested.
                let start = i;
                i = class_walk(p, start, 0).1;
                toks.push(Tok::One(set_of(|b| class_walk(p, start, b).0)));
            }
            b'\\' => {
                if p.len() - i >= 2 {
                    i += 1;
                }
                let b = p[i];
                toks.push(Tok::One(set_of(|c| c == b)));
            }
            b => toks.push(Tok::One(set_of(|c| c == b))),
        }
        i += 1;
    }
    let stars = toks.iter().filter(|t| **t == Tok::Star).count();
    // Each star past the first 1000 is tried one level deeper than the server allows;
    // only a 1001st star that ends the pattern matches without going deeper.
    if stars > 1001 || (stars == 1001 && toks.last() != Some(&Tok::Star)) {
        return None;
    }
    Some(toks)
}

/// The server's class loop on byte `b`: whether it matches, and the index the pattern
/// goes on from (its closing `]`, or its last byte).
fn class_walk(p: &[u8], start: usize, b: u8) -> (bool, usize) {
    let at = |i: usize| p.get(i).copied().unwrap_or(0);
    let mut i = start + 1;
    let negate = at(i) == b'^';
    if negate {
        i += 1;
    }
    let c = b as i8;
    let mut matched = false;
    loop {
        let rest = p.len().saturating_sub(i);
        if at(i) == b'\\' && rest >= 2 {
            i += 1;
            if at(i) == b {
                matched = true;
            }
        } else if at(i) == b']' {
            break;
        } else if rest == 0 {
            i -= 1;
            break;
        } else if rest >= 3 && at(i + 1) == b'-' {
            let (mut lo, mut hi) = (at(i) as i8, at(i + 2) as i8);
            if lo > hi {
                std::mem::swap(&mut lo, &mut hi);
            }
            i += 2;
            if c >= lo && c <= hi {
                matched = true;
            }
        } else if at(i) == b {
            matched = true;
        }
        i += 1;
    }
    (matched != negate, i)
}

/// A test's automaton: byte-set transitions, ε moves, accepting states; state 0 starts.
struct Nfa {
    moves: Vec<Vec<(Set, usize)>>,
    eps: Vec<Vec<usize>>,
    accept: Vec<bool>,
}

impl Nfa {
    fn with_states(n: usize) -> Nfa {
        Nfa { moves: vec![Vec::new(); n], eps: vec![Vec::new(); n], accept: vec![false; n] }
    }

    fn of(t: &Test) -> Nfa {
        match t {
            Test::Glob(p) => match glob_tokens(p) {
                Some(toks) => {
                    let mut n = Nfa::with_states(toks.len() + 1);
                    for (i, t) in toks.iter().enumerate() {
                        match t {
                            Tok::One(s) => n.moves[i].push((*s, i + 1)),
                            Tok::Star => {
                                n.moves[i].push((ANY, i));
                                n.eps[i].push(i + 1);
                            }
                        }
                    }
                    n.accept[toks.len()] = true;
                    n
                }
                None => Nfa::with_states(1),
            },
            Test::CEq(p) | Test::CEqNoCase(p) => {
                let nocase = matches!(t, Test::CEqNoCase(_));
                // The bytes up to the first NUL; then the end, or a NUL and anything.
                let c = c_str(p);
                let mut n = Nfa::with_states(c.len() + 2);
                for (i, &b) in c.iter().enumerate() {
                    n.moves[i].push((set_of(|x| if nocase { x.eq_ignore_ascii_case(&b) } else { x == b }), i + 1));
                }
                let end = c.len();
                n.moves[end].push((set_of(|x| x == 0), end + 1));
                n.moves[end + 1].push((ANY, end + 1));
                n.accept[end] = true;
                n.accept[end + 1] = true;
                n
            }
        }
    }

    fn close(&self, set: &mut [bool]) {
        let mut stack: Vec<usize> = (0..set.len()).filter(|&i| set[i]).collect();
        while let Some(i) = stack.pop() {
            for &j in &self.eps[i] {
                if !set[j] {
                    set[j] = true;
                    stack.push(j);
                }
            }
        }
    }

    fn start(&self) -> Vec<bool> {
        let mut s = vec![false; self.accept.len()];
        s[0] = true;
        self.close(&mut s);
        s
    }

    fn step(&self, from: &[bool], b: u8) -> Vec<bool> {
        let mut to = vec![false; self.accept.len()];
        for (i, _) in from.iter().enumerate().filter(|(_, on)| **on) {
            for (s, j) in &self.moves[i] {
                if set_has(s, b) {
                    to[*j] = true;
                }
            }
        }
        self.close(&mut to);
        to
    }

    fn accepts(&self, s: &[bool]) -> bool {
        s.iter().zip(&self.accept).any(|(a, b)| *a && *b)
    }

    /// Every byte set a transition reads.
    fn sets(&self) -> impl Iterator<Item = &Set> {
        self.moves.iter().flatten().map(|(s, _)| s)
    }
}

/// Byte classes: bytes every test treats alike, each with the byte to show for it.
fn alphabet(nfas: &[Nfa]) -> Vec<u8> {
    let mut sets: Vec<Set> = Vec::new();
    for n in nfas {
        sets.extend(n.sets());
    }
    // NUL ends C strings: always its own class.
    sets.push(set_of(|b| b == 0));
    let mut classes: Vec<(Vec<bool>, u8)> = Vec::new();
    // The byte shown for a class: a lowercase letter first, then digits, capitals, other
    // printable bytes, the rest.
    let rank = |b: u8| match b {
        b'a'..=b'z' => (0, b),
        b'0'..=b'9' => (1, b),
        b'A'..=b'Z' => (2, b),
        0x21..=0x7e => (3, b),
        _ => (4, b),
    };
    for b in 0..=255u8 {
        let sig: Vec<bool> = sets.iter().map(|s| set_has(s, b)).collect();
        match classes.iter_mut().find(|(s, _)| *s == sig) {
            Some(c) => {
                if rank(b) < rank(c.1) {
                    c.1 = b;
                }
            }
            None => classes.push((sig, b)),
        }
    }
    let mut reps: Vec<u8> = classes.into_iter().map(|(_, b)| b).collect();
    reps.sort_by_key(|&b| rank(b));
    reps
}

/// Every atom of `tests` some string reaches, with a shortest witness each (the empty
/// string's atom too). At most `limit` product states are explored.
pub fn atoms(tests: &[Test], limit: usize) -> Result<Vec<Atom>, TooComplex> {
    let words = tests.len().div_ceil(64).max(1);
    let nfas: Vec<Nfa> = tests.iter().map(Nfa::of).collect();
    let reps = alphabet(&nfas);
    let mut out: Vec<Atom> = Vec::new();
    let record = |out: &mut Vec<Atom>, passes: Vec<u64>, w: &[u8]| match out.iter_mut().find(|a| a.passes == passes) {
        Some(a) => {
            if a.witness.is_empty() && !w.is_empty() {
                a.witness = w.to_vec();
            }
        }
        None => out.push(Atom { passes, witness: w.to_vec() }),
    };
    // The empty string: the server's rules (a star does not match it), asked directly.
    let mut empty = vec![0u64; words];
    for (i, t) in tests.iter().enumerate() {
        if t.passes(b"") {
            empty[i / 64] |= 1 << (i % 64);
        }
    }
    record(&mut out, empty, b"");
    type State = Vec<Vec<bool>>;
    let start: State = nfas.iter().map(Nfa::start).collect();
    // The start state is not marked seen: a non-empty string that leads back to it must
    // be recorded (its acceptance is the automata's, not the empty string's).
    let mut seen: std::collections::HashMap<State, ()> = std::collections::HashMap::new();
    let mut queue: std::collections::VecDeque<(State, Vec<u8>)> = std::collections::VecDeque::new();
    queue.push_back((start, Vec::new()));
    while let Some((state, word)) = queue.pop_front() {
        for &b in &reps {
            let next: State = nfas.iter().zip(&state).map(|(n, s)| n.step(s, b)).collect();
            if seen.contains_key(&next) {
                continue;
            }
            let mut w = word.clone();
            w.push(b);
            let mut passes = vec![0u64; words];
            for (i, (n, s)) in nfas.iter().zip(&next).enumerate() {
                if n.accepts(s) {
                    passes[i / 64] |= 1 << (i % 64);
                }
            }
            record(&mut out, passes, &w);
            if seen.len() >= limit {
                return Err(TooComplex { limit });
            }
            seen.insert(next.clone(), ());
            queue.push_back((next, w));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every witness passes exactly its atom's tests (checked with the engine's matcher),
    /// and random strings fall in one of the atoms found.
    fn check(tests: &[Test], probes: &[&[u8]]) {
        let atoms = atoms(tests, 100_000).unwrap();
        for a in &atoms {
            for (i, t) in tests.iter().enumerate() {
                assert_eq!(a.has(i), t.passes(&a.witness), "{t:?} on witness {:?}", a.witness);
            }
        }
        for p in probes {
            let v: Vec<bool> = tests.iter().map(|t| t.passes(p)).collect();
            assert!(
                atoms.iter().any(|a| (0..tests.len()).all(|i| a.has(i) == v[i])),
                "{p:?} has an atom no witness shows: {v:?} ({tests:?})"
            );
        }
    }

    #[test]
    fn nasty_globs_agree_with_the_matcher() {
        let pats: &[&[u8]] = &[
            b"app:*",
            b"*",
            b"",
            b"a?c",
            b"[!a]",
            b"[z-a]",
            b"a[bc",
            b"a[a-]*",
            b"\\*",
            b"a\\",
            b"[^a]",
            b"[\\]]",
            b"**a",
            b"[",
            b"[^",
            b"a[",
            b"[]]",
            b"[]",
            b"*x*",
            b"[a-\xff]",
            b"cache:[abc]?",
            b"*[",
            b"[\\",
        ];
        let tests: Vec<Test> = pats.iter().map(|p| Test::Glob(p.to_vec())).collect();
        let probes: &[&[u8]] = &[
            b"", b"a", b"app:", b"app:x", b"abc", b"!", b"q", b"ab", b"a]", b"a*", b"*", b"a\\", b"]", b"\xff", b"\x80",
        ];
        for t in &tests {
            check(std::slice::from_ref(t), probes);
        }
        check(&tests, probes);
    }

    #[test]
    fn c_string_tests() {
        let tests = vec![
            Test::CEq(b"news.*".to_vec()),
            Test::CEqNoCase(b"Foo".to_vec()),
            Test::CEqNoCase(b"a\0b".to_vec()),
            Test::CEq(b"".to_vec()),
        ];
        check(&tests, &[b"news.*", b"news.*\0x", b"FOO", b"foo\0", b"a", b"a\0zz", b"", b"\0"]);
    }

    #[test]
    fn random_patterns_agree_with_the_matcher() {
        // A small deterministic generator: patterns and strings over a tiny alphabet.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let alpha = b"ab*?[]^-\\\0";
        for _ in 0..300 {
            let n = 1 + next() as usize % 3;
            let tests: Vec<Test> = (0..n)
                .map(|_| {
                    let len = next() as usize % 7;
                    let p: Vec<u8> = (0..len).map(|_| alpha[next() as usize % alpha.len()]).collect();
                    match next() % 4 {
                        0 => Test::CEq(p),
                        1 => Test::CEqNoCase(p),
                        _ => Test::Glob(p),
                    }
                })
                .collect();
            let probes: Vec<Vec<u8>> = (0..40)
                .map(|_| {
                    let len = next() as usize % 6;
                    (0..len).map(|_| b"ab]-\\*\0A"[next() as usize % 8]).collect()
                })
                .collect();
            let refs: Vec<&[u8]> = probes.iter().map(|p| p.as_slice()).collect();
            check(&tests, &refs);
        }
    }

    #[test]
    fn deep_stars() {
        let mut p = "a*".repeat(1001);
        p.push('b');
        let t = Test::Glob(p.into_bytes());
        let a = atoms(std::slice::from_ref(&t), 100_000).unwrap();
        assert!(a.iter().all(|a| !a.has(0)), "more than 1000 nested stars match nothing");
    }
}
