//! `analysis::tracked::Tracked` follows edits line by line; after every edit it must equal
//! `analyze` and `highlight` of the new text. Random ACL files (and texts that turn into
//! other kinds of input) under random edits, for every server version.

use aclplay::analysis::tracked::{Tracked, TrackedOptions};
use aclplay::input::highlight::highlight;
use aclplay::{Kind, Options, PROFILES, analyze};

/// Line pieces: the shapes that exercise every part of loading a file.
const LINES: &[&str] = &[
    "user default off",
    "user default on nopass ~* &* +@all",
    "user app on >pw ~app:* +@all -@dangerous",
    "user app on #0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "user ro on %R~* +@read",
    "user typo on -@all +gett +set",
    "user typo2 on ~x +@nosuch foo",
    "user sel on ~a +get (~b +set) (%R~c +@read)",
    "user open on (~x +get",
    "user crash ~y (~x +get",
    "user first on +select|0 +select|a\tb",
    "user dup on",
    "user dup off",
    "user",
    "USER x on",
    "# a comment",
    "  # indented comment",
    "",
    "   ",
    "\r",
    "user cr on ~k\r",
    "user  two  spaces",
    "user bad\u{b}name on",
    "user app allkeys ~k",
    "user pw on <nope",
    "1) \"user x on\"",
    "2) \"user y off\"",
    "requirepass secret",
    "ACL SETUSER a on",
    " \rx",
    "user é on ~é:*",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn random_text(r: &mut Rng, lines: usize) -> String {
    let mut t = String::new();
    for i in 0..lines {
        // Mostly ACL-file lines, sometimes one that makes another kind of input.
        let pick = r.next(LINES.len());
        let piece = if pick >= 25 && r.next(4) > 0 { LINES[r.next(15)] } else { LINES[pick] };
        t.push_str(piece);
        if i + 1 < lines || r.next(2) == 0 {
            t.push('\n');
        }
    }
    t
}

fn random_edit(r: &mut Rng, text: &str) -> String {
    let boundary = |r: &mut Rng, t: &str| {
        let mut at = r.next(t.len() + 1);
        while !t.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let a = boundary(r, text);
    let b = (a + r.next(12)).min(text.len());
    let b = (a..=b).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(a);
    let insert = match r.next(6) {
        0 => String::new(),
        1 => "\n".into(),
        2 => format!("{}\n", LINES[r.next(LINES.len())]),
        3 => ["x", " ", "t", "(", ")", "~", "+", "#", "\t", "é"][r.next(10)].to_string(),
        4 => format!("\n{}", LINES[r.next(15)]),
        _ => text[a..b].repeat(2),
    };
    format!("{}{}{}", &text[..a], insert, &text[b..])
}

fn assert_same(t: &Tracked, opts: &Options, what: &str) {
    let text = t.text();
    let want = analyze(text, opts);
    let got = t.analysis();
    assert_eq!(got.document, want.document, "document: {what}\n{text:?}");
    assert_eq!(got.diagnostics, want.diagnostics, "diagnostics: {what}\n{text:?}");
    assert_eq!(got.outcome, want.outcome, "outcome: {what}\n{text:?}");
    assert_eq!(got.users.len(), want.users.len(), "users: {what}\n{text:?}");
    for (g, w) in got.users.iter().zip(&want.users) {
        assert_eq!(g.user, w.user, "user: {what}\n{text:?}");
        assert_eq!((g.span, &g.status), (w.span, &w.status), "user: {what}\n{text:?}");
    }
    assert_eq!(t.tokens(), highlight(text, &want.document).as_slice(), "tokens: {what}\n{text:?}");
    let ix = aclplay::span::LineIndex::new(text);
    for at in [0, text.len() / 2, text.len()] {
        assert_eq!(t.line_index().line_of(at), ix.line_of(at));
    }
}

#[test]
fn tracked_equals_a_fresh_analysis_after_every_edit() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut by_line, mut whole) = (0, 0);
    for round in 0..160 {
        let profile = &PROFILES[round % PROFILES.len()];
        let kind = if round % 5 == 4 { Some(Kind::AclFile) } else { None };
        let opts = Options { kind, ..Options::new(profile) };
        let n = 1 + r.next(14);
        let text = random_text(&mut r, n);
        let mut t = Tracked::new(text.clone(), TrackedOptions::new(profile, kind));
        assert_same(&t, &opts, &format!("round {round}, start"));
        for step in 0..25 {
            let next = random_edit(&mut r, t.text());
            let change = t.set_text(next.clone());
            assert_eq!(t.text(), next);
            assert!(change.new.end <= next.len());
            if change.whole {
                whole += 1
            } else {
                by_line += 1
            }
            assert_same(&t, &opts, &format!("round {round}, edit {step}"));
        }
    }
    // Both paths were taken, mostly the line-by-line one.
    assert!(by_line > 2 * whole && whole > 50, "{by_line} edits line by line, {whole} whole");
}

#[test]
fn an_edit_reports_the_lines_it_changed() {
    let profile = aclplay::Profile::default_profile();
    let mut t = Tracked::new("user a on\nuser b on\nuser c on\n".into(), TrackedOptions::new(profile, None));
    let c = t.set_text("user a on\nuser bb on\nuser c on\n".into());
    assert_eq!((c.old.start, c.old.end, c.new.end, c.whole), (10, 20, 21, false));
    assert_eq!(t.analysis().users[1].name(), "bb");
    let c = t.set_text("ACL SETUSER x on\n".into());
    assert!(c.whole, "another kind of input is analysed whole");
}
