//! `ACL LIST` and `ACL GETUSER` output, per profile.

use crate::bytes::{c_str, hex};
use crate::commands::profile::ListStyle;
use crate::commands::{Bitmap, CmdId, Profile};
use crate::engine::acl::{Ctx, Effect, Sanitize, Selector, User};
use crate::engine::rules::{apply_selector_rule, change_category, change_perm};
pub use aclplay_formats::corpus::{GetUser, SelectorInfo};

/// The user's flags in the server's order (`ACLDescribeUser`).
pub fn flags(u: &User, profile: &Profile) -> Vec<&'static str> {
    let mut f = vec![if u.enabled { "on" } else { "off" }];
    if u.nopass {
        f.push("nopass");
    }
    match u.sanitize {
        _ if !profile.behavior.describe_user_sanitize_flags => {}
        Sanitize::Skip => f.push("skip-sanitize-payload"),
        Sanitize::Sanitize => f.push("sanitize-payload"),
        Sanitize::Unset => {}
    }
    f
}

/// Key patterns as the server prints them (`~p`, `%R~p`, `%W~p`), or `~*`.
pub fn keys_text(s: &Selector) -> Vec<Vec<u8>> {
    if s.all_keys {
        return vec![b"~*".to_vec()];
    }
    s.keys
        .iter()
        .map(|k| {
            let prefix: &[u8] = match (k.read, k.write) {
                (true, true) => b"~",
                (true, false) => b"%R~",
                (false, true) => b"%W~",
                // A bare `%` (Valkey 8.0): the server cannot print it (see `list_crash`).
                (false, false) => b"%~",
            };
            [prefix, &k.pattern].concat()
        })
        .collect()
}

/// Channel patterns (`&p`), or `&*`; without the `resetchannels` that LIST adds.
pub fn channels_text(s: &Selector) -> Vec<Vec<u8>> {
    if s.all_channels {
        return vec![b"&*".to_vec()];
    }
    s.channels.iter().map(|c| [b"&".as_slice(), &c.pattern].concat()).collect()
}

/// The selector's databases as `ACL LIST` prints them: nothing for `alldbs`,
/// `resetdbs`, or `db=<ids>`; `None` on versions without database rules.
pub fn dbs_list_text(s: &Selector, profile: &Profile) -> Option<Vec<u8>> {
    if !profile.behavior.set_selector_database_rules || s.all_dbs {
        return None;
    }
    Some(if s.dbs.is_empty() { b"resetdbs".to_vec() } else { dbs_ids(s) })
}

/// GETUSER's `databases`: `alldbs`, `db=<ids>`, or empty after `resetdbs`; `None` on
/// versions without database rules.
pub fn dbs_text(s: &Selector, profile: &Profile) -> Option<String> {
    if !profile.behavior.set_selector_database_rules {
        return None;
    }
    Some(if s.all_dbs {
        "alldbs".into()
    } else if s.dbs.is_empty() {
        String::new()
    } else {
        String::from_utf8_lossy(&dbs_ids(s)).into_owned()
    })
}

fn dbs_ids(s: &Selector) -> Vec<u8> {
    let ids: Vec<String> = s.dbs.iter().map(u32::to_string).collect();
    format!("db={}", ids.join(",")).into_bytes()
}

/// The command rules of a selector, as this profile prints them.
pub fn commands_text(s: &Selector, profile: &Profile) -> Vec<u8> {
    match profile.behavior.list_style {
        ListStyle::Bitmap => commands_from_bitmap(s, profile).join(&b' '),
        ListStyle::AsWritten => commands_as_written(s),
    }
}

/// Redis 7.0's `ACLDescribeSelectorCommandRules`: a greedy choice of categories, then
/// single-command differences. The server walks hash tables for the second part, so its
/// order is random; we print those tokens sorted by name.
fn commands_from_bitmap(s: &Selector, profile: &Profile) -> Vec<Vec<u8>> {
    let additive = !s.future;
    let mut out: Vec<Vec<u8>> = vec![if additive { b"-@all".to_vec() } else { b"+@all".to_vec() }];
    let mut fake = Selector::new(false);
    if !additive {
        fake.commands = Bitmap::ALL;
    }
    let mut temp = Selector::new(false);
    temp.commands = s.commands;
    let ncat = profile.table.categories.len();
    let mut used = vec![false; ncat];
    loop {
        let mut best = None;
        let (mut min_diff, mut max_same) = (u32::MAX, 0u32);
        for (cat, _) in used.iter().enumerate().filter(|(_, u)| !**u) {
            let mask = profile.category_mask(cat);
            let on = temp.commands.and_count(mask);
            let off = mask.count() - on;
            let (diff, same) = if additive { (off, on) } else { (on, off) };
            if same > diff && (diff < min_diff || (diff == min_diff && same > max_same)) {
                best = Some(cat);
                min_diff = diff;
                max_same = same;
            }
        }
        let Some(cat) = best else { break };
        change_category(&mut fake, profile, cat, additive);
        change_category(&mut temp, profile, cat, !additive);
        used[cat] = true;
        let sign = if additive { "+@" } else { "-@" };
        out.push(format!("{sign}{}", profile.table.categories[cat]).into_bytes());
    }
    let mut singles: Vec<(Vec<u8>, u8)> = Vec::new();
    let mut emit = |name: &[u8], on: bool| singles.push((name.to_vec(), if on { b'+' } else { b'-' }));
    for top in profile.table.top_level() {
        let c = profile.command(top);
        let bit = s.commands.get(top);
        if bit != fake.commands.get(top) {
            emit(c.name.as_bytes(), bit);
            change_perm(&mut fake, profile, top, bit);
        }
        for sub in c.subcommands() {
            let sbit = s.commands.get(sub);
            if sbit != fake.commands.get(sub) {
                emit(profile.command(sub).name.as_bytes(), sbit);
                change_perm(&mut fake, profile, sub, sbit);
            }
        }
        if !bit {
            for arg in s.first_args_of(top) {
                emit(&[c.name.as_bytes(), b"|", arg].concat(), true);
            }
        }
    }
    crate::sort::sort_by(&mut singles, |a, b| a < b);
    out.extend(singles.into_iter().map(|(name, sign)| [&[sign][..], &name].concat()));
    out
}

/// Valkey / Redis ≥ 7.2's `command_rules`: the rules since the last `±@all` as one
/// string, each appended as its sign and its lowercased text after dropping the earlier
/// rules for the same command (or its subcommands and first-args). The dropping works on
/// the string, piece by piece between single spaces (`ACLSelectorRemoveCommandRule`),
/// so a first argument with a space (`+select|0 1`) is two pieces, and dropping the
/// first leaves `1` behind.
fn command_rules(s: &Selector) -> Vec<u8> {
    let mut rules: Vec<u8> = Vec::new();
    for r in &s.rules {
        if matches!(r.effect, Effect::All(_)) {
            continue;
        }
        let text = c_str(&r.text).to_ascii_lowercase();
        remove_command_rule(&mut rules, &text[1..]);
        if !rules.is_empty() {
            rules.push(b' ');
        }
        rules.extend_from_slice(&text);
    }
    rules
}

/// `ACLSelectorRemoveCommandRule`: each piece (up to the next space, its first byte taken
/// for a sign) that is `rule`, or `rule|…`, goes with the space after it (the last piece,
/// with the space before it).
fn remove_command_rule(rules: &mut Vec<u8>, rule: &[u8]) {
    let mut at = 0;
    while at < rules.len() {
        let start = at + 1;
        let (end, last) = match rules[start.min(rules.len())..].iter().position(|&b| b == b' ') {
            Some(n) => (start + n, false),
            None => (rules.len().max(start), true),
        };
        let from = if last && at != 0 { at - 1 } else { at };
        let to = if end < rules.len() && rules[end] == b' ' { end + 1 } else { end.min(rules.len()) };
        let piece = &rules[start.min(rules.len())..end.min(rules.len())];
        let m = piece.len().min(rule.len());
        if piece[..m] == rule[..m]
            && (piece.len() == rule.len() || (piece.len() > rule.len() && piece[rule.len()] == b'|'))
        {
            rules.drain(from..to);
            at = from;
            continue;
        }
        at = to;
    }
}

/// `+@all` or `-@all`, then the rules as written.
fn commands_as_written(s: &Selector) -> Vec<u8> {
    let mut text = if s.future { b"+@all".to_vec() } else { b"-@all".to_vec() };
    let rules = command_rules(s);
    if !rules.is_empty() {
        text.push(b' ');
        text.extend_from_slice(&rules);
    }
    text
}

/// Whether `ACL LIST` / `GETUSER` / `SAVE` of this user aborts the server, and the rule
/// to blame. Valkey re-splits a selector's rule text with the config splitter, re-applies
/// every piece to a selector that starts from the same `±@all`, asserting that each
/// succeeds and that the command bits come out the same: a first-argument rule with
/// whitespace or an unbalanced quote (or what dropping it left behind) breaks that.
pub fn list_crash(u: &User, profile: &Profile) -> Option<Option<crate::span::Span>> {
    // Valkey 8.0's `sdsCatPatternString` panics on a key pattern without permissions.
    if profile.behavior.set_selector_bare_percent {
        for s in &u.selectors {
            if let Some(k) = s.keys.iter().find(|k| !k.read && !k.write) {
                return Some(k.origin.or(s.origin));
            }
        }
    }
    if !profile.behavior.firstarg_whitespace_crashes_list {
        return None;
    }
    let ctx = Ctx { profile, pubsub_all: false };
    for s in &u.selectors {
        let text = command_rules(s);
        // The server re-applies each piece with a length of `(size_t)-1`, so a key or
        // channel pattern (`~y`, `%R~y`, `&y`: left behind by a first argument with a
        // space) runs past its end into the NUL and is refused; the keywords `~*` and `&*`
        // are compared as C strings and pass.
        let replays = |p: &[u8]| {
            let kw = c_str(p);
            !matches!(p.first(), Some(b'~' | b'%' | b'&')) || kw.eq_ignore_ascii_case(b"~*") || kw == b"&*"
        };
        let ok = crate::input::split::split_args(&text, 0).is_ok_and(|pieces| {
            let mut fake = Selector::new(false);
            let base: &[u8] = if s.future { b"+@all" } else { b"-@all" };
            std::iter::once(base)
                .chain(pieces.iter().map(|p| p.bytes.as_slice()))
                .all(|p| replays(p) && apply_selector_rule(&mut fake, p, None, &ctx).is_ok())
                && (0..profile.table.commands().len() as CmdId).all(|id| fake.commands.get(id) == s.commands.get(id))
        });
        if !ok {
            let blame = s.rules.iter().rev().find(|r| {
                matches!(r.effect, Effect::FirstArg(..))
                    && c_str(&r.text).iter().any(|b| b.is_ascii_whitespace() || *b == b'"' || *b == b'\'')
            });
            return Some(blame.and_then(|r| r.origin).or(s.origin));
        }
    }
    None
}

/// One selector's description: keys, channels (with `resetchannels`), databases,
/// commands.
pub fn selector_text(s: &Selector, profile: &Profile) -> Vec<u8> {
    let mut parts = keys_text(s);
    if s.all_channels {
        parts.push(b"&*".to_vec());
    } else {
        parts.push(b"resetchannels".to_vec());
        parts.extend(channels_text(s));
    }
    parts.extend(dbs_list_text(s, profile));
    parts.push(commands_text(s, profile));
    parts.join(&b' ')
}

/// The user's `ACL LIST` line: `user <name> <flags> <#hashes> <root> (<selector>)…`.
pub fn acl_list_line(u: &User, profile: &Profile) -> Vec<u8> {
    let mut parts: Vec<Vec<u8>> = vec![b"user".to_vec(), u.name.clone()];
    parts.extend(flags(u, profile).into_iter().map(|f| f.as_bytes().to_vec()));
    parts.extend(u.passwords.iter().map(|p| format!("#{}", hex(p)).into_bytes()));
    for (i, s) in u.selectors.iter().enumerate() {
        let d = selector_text(s, profile);
        parts.push(if i == 0 { d } else { [b"(".as_slice(), &d, b")"].concat() });
    }
    parts.join(&b' ')
}

fn text(parts: Vec<Vec<u8>>) -> String {
    String::from_utf8_lossy(&parts.join(&b' ')).into_owned()
}

fn info(s: &Selector, profile: &Profile) -> SelectorInfo {
    SelectorInfo {
        commands: String::from_utf8_lossy(&commands_text(s, profile)).into_owned(),
        keys: text(keys_text(s)),
        channels: text(channels_text(s)),
        databases: dbs_text(s, profile),
    }
}

pub fn getuser(u: &User, profile: &Profile) -> GetUser {
    let root = info(&u.selectors[0], profile);
    GetUser {
        flags: flags(u, profile).into_iter().map(String::from).collect(),
        passwords: u.passwords.iter().map(|p| hex(p)).collect(),
        commands: root.commands,
        keys: root.keys,
        channels: root.channels,
        databases: root.databases,
        selectors: u.selectors[1..].iter().map(|s| info(s, profile)).collect(),
    }
}

/// Whether a selector allows a command by its bit (not counting first-args).
pub fn allows_bit(s: &Selector, id: CmdId) -> bool {
    s.commands.get(id)
}

#[cfg(test)]
mod tests {
    use crate::analysis::{Options, analyze};
    use crate::commands::Profile;
    use crate::input::Kind;

    #[test]
    fn database_rules_as_valkey_9_1_prints_them() {
        // `ACL SETUSER` then `ACL LIST` / `ACL GETUSER` on the live 9.1.2.
        let p = Profile::by_id("valkey-9.1").unwrap();
        let text = "ACL SETUSER u2 on nopass (db=2 ~* +get) +@all ~* resetdbs\n\
                    ACL SETUSER e on skip-sanitize-payload\nACL SETUSER d on nopass ~* +@all db=3,1,3,2\n";
        let a = analyze(text, &Options { kind: Some(Kind::Commands), ..Options::new(p) });
        let list = |n: &[u8]| a.acl_list(a.user(n).unwrap()).unwrap();
        assert_eq!(list(b"u2"), "user u2 on nopass ~* resetchannels resetdbs +@all (~* resetchannels db=2 -@all +get)");
        assert_eq!(list(b"e"), "user e on resetchannels -@all");
        assert_eq!(list(b"d"), "user d on nopass ~* resetchannels db=1,2,3 +@all");
        assert_eq!(list(b"default"), "user default on nopass ~* &* +@all");
        let g = super::getuser(a.user(b"u2").unwrap(), p);
        assert_eq!((g.flags, g.databases.as_deref()), (vec!["on".to_string(), "nopass".into()], Some("")));
        assert_eq!(g.selectors[0].databases.as_deref(), Some("db=2"));
        assert_eq!(super::getuser(a.user(b"default").unwrap(), p).databases.as_deref(), Some("alldbs"));
        // Versions without database rules have no `databases`.
        let old = Profile::by_id("valkey-9.0").unwrap();
        assert_eq!(super::getuser(a.user(b"default").unwrap(), old).databases, None);
    }

    #[test]
    fn list_crashes_of_first_arguments_with_spaces() {
        // `ACL SETUSER u on <rules>` then `ACL LIST` on the live 8.1.8 (9.1.2 and 8.0.1 agree):
        // `None` where LIST aborts the server. Dropping a first argument with a space drops
        // only its first piece, and what is left (`1`, `~y`) breaks the re-application.
        #[rustfmt::skip]
        let cases: &[(&[&str], Option<&str>)] = &[
            (&["+select|0 1", "+select"], None),
            (&["+select|0 1", "-select"], None),
            (&["+select|0 1", "+@all"], Some("user u on sanitize-payload resetchannels +@all")),
            (&["+select|0 1", "-@all"], Some("user u on sanitize-payload resetchannels -@all")),
            (&["+select|0 1", "+@connection"], None),
            (&["+select|0 1", "+select", "+@write"], None),
            (&["+select|0 1", "reset"], Some("user u off sanitize-payload resetchannels -@all")),
            (&["+get|x y", "+get"], None),
            (&["+select|\"x", "+select"], Some("user u on sanitize-payload resetchannels -@all +select")),
            (&["+select|0 1", "+select|0"], None),
            (&["+select|0 1", "+get", "-select"], None),
            (&["+select|0  ", "+get"], Some("user u on sanitize-payload resetchannels -@all +select|0   +get")),
            (&["+select|0 ", "+select|0"], Some("user u on sanitize-payload resetchannels -@all +select|0")),
            (&["+select|1 get", "+get"], None),
            (&["+select|a\tb", "+select"], Some("user u on sanitize-payload resetchannels -@all +select")),
            // Left behind, `~y` is re-applied with a length past its end: refused.
            (&["+get|x ~y", "+get"], None),
            // `+set` re-applied sets a bit the user does not have: the bitmaps differ.
            (&["+get|x +set"], None),
        ];
        let p = Profile::by_id("valkey-8.1").unwrap();
        for (rules, want) in cases {
            let mut server = crate::engine::server::Server::new(p);
            let toks: Vec<_> =
                ["on"].iter().chain(rules.iter()).map(|r| crate::engine::token::Token::plain(r.as_bytes())).collect();
            server.setuser(b"u", None, &toks).unwrap();
            let u = server.user(b"u").unwrap();
            let got = super::list_crash(u, p).is_none().then(|| String::from_utf8(super::acl_list_line(u, p)).unwrap());
            assert_eq!(got.as_deref(), *want, "{rules:?}");
        }
    }

    #[test]
    fn explanations_point_at_the_database_rule() {
        let p = Profile::by_id("valkey-9.1").unwrap();
        let text = "user t on nopass ~* +@all db=0,2 (db=1 ~x +get)\n";
        let a = analyze(text, &Options { kind: Some(Kind::AclFile), ..Options::new(p) });
        // From database 3: both refuse the database (the live reply), the root's `db=0,2` decides.
        let e = a.explain_in(b"t", &[b"get", b"k"], 3);
        assert_eq!(e.reply.text, "User t has no permissions to access database get");
        let s = e.deciding_span().unwrap();
        assert_eq!(&text[s.start..s.end], "db=0,2");
        assert_eq!(e.selectors[1].databases[0].db, Some(3));
        assert!(!e.selectors[1].databases[0].allowed);
        // From database 1 the selector's key check is what the server reports.
        let e = a.explain_in(b"t", &[b"get", b"k"], 1);
        assert_eq!(e.reply.text, "User t has no permissions to access the 'k' key");
        assert_eq!(e.reported, Some(1));
        // An argument that names a database: SELECT 3 from database 0.
        let e = a.explain_in(b"t", &[b"select", b"3"], 0);
        assert_eq!(e.reply.text, "User t has no permissions to access database 3");
        assert_eq!((e.selectors[0].databases[0].pos, e.selectors[0].databases[0].db), (1, Some(3)));
    }
}
