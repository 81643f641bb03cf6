//! `aclplay diff`: the semantic diff of two rule sets.
//!
//! - Against the live servers, for every registry version: seeded rule pairs (a user's
//!   rules and a realistic edit of them, `aclplay_oracle::generate_rule_pairs`) are loaded
//!   as two users into one server (`ACL LOAD` at start-up) and asked `ACL DRYRUN` for the
//!   pair's generated command lines and every witness the diff gives. "No change in
//!   access" must hold exactly when the server answers every line alike for both users;
//!   every widening witness must be allowed for the new rules and denied for the old, and
//!   every narrowing one the reverse; a line the server answers differently must be in a
//!   direction the diff reports. Seeded (`ACLPLAY_SEED` replays); `ACLPLAY_DIFF_PAIRS`
//!   (default 100 per version, 30 per direction across versions) and `ACLPLAY_DIFF_LINES` (default 40) set the sizes.
//! - Through the real binary: text, JSON, Markdown and SARIF (validated against the SARIF
//!   2.1.0 schema) with snapshots, `--fail-on` exit codes, across versions.

mod support;

use aclplay::review::diff::{Class, Diff, Input, diff};
use aclplay::{Kind, Options, Profile, analyze};
use aclplay_oracle::table::load_table;
use aclplay_oracle::{Reply, Server, ServerId, ServerOptions, fresh_seed, generate_rule_pairs, oracle_or_skip};
use support::{Dir, assert_valid_sarif, sarif_validator};

fn size(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

const ADMIN: &str = "user aclplay-diff on >aclplay-diff-admin-pw ~* &* +@all";

fn line(name: &str, rules: &[String]) -> String {
    let mut l = format!("user {name}");
    for r in rules {
        l.push(' ');
        l.push_str(r);
    }
    l
}

/// Whether the engine accepts the line as an ACL file (so the server will load it).
fn accepted(profile: &'static Profile, text: &str) -> bool {
    let a = analyze(text, &Options { kind: Some(Kind::AclFile), ..Options::new(profile) });
    matches!(&a.outcome, aclplay::analysis::Outcome::AclLoad { reply, crash: false, .. } if reply == "OK")
        && a.acl_list(&a.users[0].user).is_some()
}

/// A command line as its arguments.
type Argv = Vec<Vec<u8>>;
/// A witness: the user it is for, and its command line.
type Claim = (String, Argv);

/// The DRYRUN-visible part of a diff: `(widens, narrows)` witnesses, each with the user
/// it is a witness for (the pair's `x`, or `default`, which an ACL file without it gets
/// as a new user: across versions it gains the new version's commands), and whether it
/// says the permissions are unchanged.
fn dryrun_claims(d: &Diff) -> (Vec<Claim>, Vec<Claim>, bool) {
    let (mut w, mut n) = (Vec::new(), Vec::new());
    for c in d.users.iter().flat_map(|u| &u.changes) {
        let Some(x) = c.witness.as_ref().filter(|x| x.dryrun) else { continue };
        match c.class {
            Class::Widens => w.push((x.user.clone(), x.bytes.clone())),
            Class::Narrows => n.push((x.user.clone(), x.bytes.clone())),
            Class::Neutral => {}
        }
    }
    let undecided = d.users.iter().any(|u| !u.undecided.is_empty());
    let same = w.is_empty() && n.is_empty() && !undecided;
    (w, n, same)
}

/// The pairs' old rules on version `old_id`, the new on `new_id` (the same version: one
/// server holds both users).
fn live(old_id: ServerId, new_id: ServerId, pairs_default: usize) {
    if oracle_or_skip(old_id, "diff differential").is_none() || oracle_or_skip(new_id, "diff differential").is_none() {
        return;
    }
    let seed = fresh_seed();
    let profile = |id: ServerId| Profile::by_id(id.as_str()).expect("the engine has every registry version");
    let (op, np) = (profile(old_id), profile(new_id));
    let table = load_table(old_id).unwrap();
    let pairs = generate_rule_pairs(
        old_id,
        &table,
        seed,
        size("ACLPLAY_DIFF_PAIRS", pairs_default),
        size("ACLPLAY_DIFF_LINES", 40),
    );
    // Keep the pairs both the engine and (checked below) the servers accept.
    let mut kept = Vec::new();
    for (i, p) in pairs.iter().enumerate() {
        let (o, n) = (line("x", &p.old), line("x", &p.new));
        // Known gap, left out here: the diff's pattern languages (review::lang) do not model
        // the servers' glob nesting limit (`string_match_nesting_limit`, 1,000 nested `*`),
        // so a pattern that deep compares exactly only on versions that agree on it.
        let deep = |rules: &[String]| rules.iter().any(|r| r.bytes().filter(|&b| b == b'*').count() >= 1000);
        if old_id != new_id && (deep(&p.old) || deep(&p.new)) {
            continue;
        }
        if accepted(op, &o) && accepted(np, &n) {
            kept.push((i, p, o, n));
        }
    }
    let mut files = [String::new(), String::new()];
    for (i, p, ..) in &kept {
        files[0].push_str(&format!("{}\n", line(&format!("o{i}"), &p.old)));
        files[usize::from(old_id != new_id)].push_str(&format!("{}\n", line(&format!("n{i}"), &p.new)));
    }
    let mut conns = Vec::new();
    let mut servers = Vec::new();
    for (id, file) in [(old_id, &files[0]), (new_id, &files[1])].into_iter().take(if old_id == new_id { 1 } else { 2 })
    {
        let server =
            Server::start(id, ServerOptions { acl_file: Some(format!("{file}{ADMIN}\n")), ..Default::default() })
                .unwrap_or_else(|e| panic!("{id} refused the pairs (replay with ACLPLAY_SEED={seed}): {e}"));
        let mut conn = server.connect().unwrap();
        assert!(conn.auth("aclplay-diff", "aclplay-diff-admin-pw").unwrap().is_ok());
        conns.push(conn);
        servers.push(server);
    }
    let mut problems = Vec::new();
    let (mut unchanged, mut widen_w, mut narrow_w) = (0, 0, 0);
    for (i, p, o, n) in &kept {
        let (oa, na) = (
            analyze(o, &Options { kind: Some(Kind::AclFile), ..Options::new(op) }),
            analyze(n, &Options { kind: Some(Kind::AclFile), ..Options::new(np) }),
        );
        let d = diff(Input { analysis: &oa, text: o }, Input { analysis: &na, text: n });
        let (widens, narrows, same) = dryrun_claims(&d);
        unchanged += usize::from(same);
        widen_w += widens.len();
        narrow_w += narrows.len();
        // (the command line, why it is asked, the user it is asked for)
        let mut lines: Vec<(Argv, &str, &str)> =
            p.commands.iter().map(|c| (c.iter().map(|a| a.as_bytes().to_vec()).collect(), "sample", "x")).collect();
        lines.extend(widens.iter().map(|(u, w)| (w.clone(), "widens", u.as_str())));
        lines.extend(narrows.iter().map(|(u, w)| (w.clone(), "narrows", u.as_str())));
        assert!(
            lines.iter().all(|(_, _, u)| *u == "x" || *u == "default"),
            "pair {i}: a witness for a user the pair does not have"
        );
        // The pair's user is `o<i>` / `n<i>` on the servers; `default` is everyone's.
        let ask = |user: &str, side: char, argv: &Argv| {
            let who = if user == "x" { format!("{side}{i}") } else { user.to_string() };
            let mut c = vec![b"ACL".to_vec(), b"DRYRUN".to_vec(), who.into_bytes()];
            c.extend(argv.iter().cloned());
            c
        };
        let olds: Vec<Argv> = lines.iter().map(|(a, _, u)| ask(u, 'o', a)).collect();
        let news: Vec<Argv> = lines.iter().map(|(a, _, u)| ask(u, 'n', a)).collect();
        let old_replies = conns[0].pipeline(&olds).unwrap();
        let new_replies = conns.last_mut().unwrap().pipeline(&news).unwrap();
        let replies: Vec<Reply> = old_replies.into_iter().zip(new_replies).flat_map(|(a, b)| [a, b]).collect();
        let ok = |r: &Reply| r.is_ok();
        let mut differs = (false, false);
        let (widens_x, narrows_x) = (widens.iter().any(|(u, _)| u == "x"), narrows.iter().any(|(u, _)| u == "x"));
        for ((argv, what, user), r) in lines.iter().zip(replies.chunks(2)) {
            let (old_ok, new_ok) = (ok(&r[0]), ok(&r[1]));
            let shown = argv.iter().map(|a| String::from_utf8_lossy(a)).collect::<Vec<_>>().join(" ");
            let ctx = || {
                format!("pair {i} [{}] edits {:?}\n  old: {o}\n  new: {n}\n  line ({user}): {shown}", p.tags, p.edits)
            };
            match *what {
                "widens" if !new_ok || old_ok => {
                    problems.push(format!("{}\n  a widening witness, but live old {old_ok} new {new_ok}", ctx()))
                }
                "narrows" if !old_ok || new_ok => {
                    problems.push(format!("{}\n  a narrowing witness, but live old {old_ok} new {new_ok}", ctx()))
                }
                _ => {}
            }
            differs.0 |= new_ok && !old_ok;
            differs.1 |= old_ok && !new_ok;
            if *user != "x" {
                continue;
            }
            if new_ok && !old_ok && !widens_x {
                problems.push(format!(
                    "{}\n  the server allows it for the new rules only; the diff reports no widening",
                    ctx()
                ));
            }
            if old_ok && !new_ok && !narrows_x {
                problems.push(format!(
                    "{}\n  the server allows it for the old rules only; the diff reports no narrowing",
                    ctx()
                ));
            }
        }
        if same && (differs.0 || differs.1) {
            problems.push(format!("pair {i}: \"no change in access\", but the server answers differently"));
        }
    }
    eprintln!(
        "{old_id} → {new_id}: {} rule pairs of {} (seed {seed}): {unchanged} without a change in access, {widen_w} widening and \
         {narrow_w} narrowing witnesses; {} problems",
        kept.len(),
        pairs.len(),
        problems.len()
    );
    assert!(kept.len() * 2 > pairs.len(), "most generated pairs are valid");
    // Across versions nearly every pair changes (each version has commands of its own).
    assert!(widen_w > 0 && narrow_w > 0 && (unchanged > 0 || old_id != new_id), "the sample has every kind of change");
    assert!(problems.is_empty(), "replay with ACLPLAY_SEED={seed}:\n{}", problems[..problems.len().min(20)].join("\n"));
}

#[test]
fn diff_agrees_with_the_live_servers() {
    for id in ServerId::all() {
        live(id, id, 100);
    }
}

/// `--servers OLD,NEW`: the old rules on one version, the new on the next.
#[test]
fn diff_across_versions_agrees_with_the_live_servers() {
    let ids: Vec<ServerId> = ServerId::all().collect();
    // Each neighbouring pair both ways (18 runs for 10 versions): fewer pairs per run
    // than on one version, so that CI stays within its time on 2 cores.
    for w in ids.windows(2) {
        live(w[0], w[1], 30);
        live(w[1], w[0], 30);
    }
}

const OLD: &str = "user default off
user app on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~app:* &app:* +@all -@dangerous
user cache on >cachepw ~cache:* -@all +get +set +del +expire
user legacy on >legacypw ~* +@read
";

const NEW: &str = "user default off
user app on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~app:* &app:* +@read +@write
user cache on >cachepw >rotated ~cache:* ~session:* -@all +get +set +del +expire +keys
user report on >reportpw %R~* +@read -@dangerous
";

/// The same permissions as OLD, written differently.
const REWRITTEN: &str = "user default off
user cache on >cachepw -@all +set +del ~cache:* +get +expire
user app on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~app:* &app:* allcommands -@dangerous
user legacy on >legacypw ~* ~legacy:* -@all +@read
";

fn dir(name: &str) -> Dir {
    let d = Dir::new(name);
    d.file("old.acl", OLD);
    d.file("new.acl", NEW);
    d.file("rewritten.acl", REWRITTEN);
    d
}

#[test]
fn text_markdown_json_and_sarif() {
    let d = dir("diff-formats");
    let o = d.run(&["diff", "old.acl", "new.acl"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!("diff-text", o.stdout);
    assert!(o.stdout.contains("FLUSHALL") && o.stdout.contains("[dangerous]"));
    assert!(!o.stdout.contains("cachepw") && !o.stdout.contains("rotated"), "no plaintext password is printed");
    let o = d.run(&["--format", "markdown", "diff", "old.acl", "new.acl"], None);
    insta::assert_snapshot!("diff-markdown", o.stdout);
    let o = d.run(&["--format", "json", "diff", "old.acl", "new.acl"], None);
    let v = o.json();
    assert_eq!(
        (v["widens"].as_bool(), v["narrows"].as_bool(), v["dangerous"].as_bool()),
        (Some(true), Some(true), Some(true))
    );
    insta::assert_json_snapshot!("diff-json", v);
    let o = d.run(&["--format", "sarif", "diff", "old.acl", "new.acl"], None);
    let log: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_valid_sarif(&sarif_validator(), &log, "diff");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "diff/widens-dangerous"));
    // Every widening result points at the rule in the new file that brought it.
    for r in results.iter().filter(|r| r["ruleId"].as_str().unwrap().starts_with("diff/widens")) {
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "new.acl", "{r}");
        let (line, col) =
            (loc["region"]["startLine"].as_u64().unwrap(), loc["region"]["startColumn"].as_u64().unwrap());
        let text = NEW.lines().nth(line as usize - 1).unwrap();
        assert!(!text[col as usize - 1..].is_empty(), "{r}");
    }
    insta::assert_json_snapshot!("diff-sarif", log);
}

#[test]
fn same_access_is_no_change_and_fail_on() {
    let d = dir("diff-fail-on");
    let o = d.run(&["diff", "old.acl", "rewritten.acl", "--fail-on", "any"], None);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("no change in access (4 user(s) compared; 3 rewritten with the same permissions)"),
        "{}",
        o.stdout
    );
    let o = d.run(&["diff", "old.acl", "new.acl", "--fail-on", "widen"], None);
    assert_eq!(o.code, 1);
    let o = d.run(&["diff", "new.acl", "old.acl", "--fail-on", "dangerous"], None);
    // Going back removes FLUSHALL and KEYS, gives back EVAL and PING: no dangerous gain.
    assert_eq!(o.code, 0, "{}", o.stdout);
    let o = d.run(&["diff", "new.acl", "old.acl", "--fail-on", "widen"], None);
    assert_eq!(o.code, 1, "PING, EVAL… come back: {}", o.stdout);
    let o = d.run(&["diff", "-", "-"], None);
    assert_eq!(o.code, 2);
    let o = d.run(&["--format", "csv", "diff", "old.acl", "new.acl"], None);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("`aclplay diff` has no `--format csv`; it prints text, json, markdown, sarif"),
        "{}",
        o.stderr
    );
}

#[test]
fn kind_and_pubsub_default() {
    let d = Dir::new("diff-kind");
    d.file("a.txt", "ACL SETUSER app on nopass ~app:* +get +publish\n");
    d.file("b.txt", "ACL SETUSER app on nopass ~app:* +get +publish &news\n");
    // As redis-cli lines, the second adds a channel: PUBLISH news widens.
    let o = d.run(&["--format", "json", "diff", "a.txt", "b.txt", "--kind", "commands"], None);
    let v = o.json();
    assert_eq!(v["widens"], true, "{v}");
    let w = &v["users"][0]["changes"][0]["witness"]["line"];
    assert!(w.as_str().unwrap().starts_with("PUBLISH news"), "{w}");
    // With `acl-pubsub-default allchannels` both users start with every channel: `&news`
    // is then refused after it (the server's error), and a refused rule changes nothing.
    let o = d.run(&["diff", "a.txt", "a.txt", "--kind", "commands", "--pubsub-default", "allchannels"], None);
    assert!(o.stdout.contains("no change in access"), "{}", o.stdout);
    let o = d.run(&["--format", "json", "diff", "a.txt", "b.txt", "--pubsub-default", "allchannels"], None);
    assert_eq!(o.json()["widens"], false, "{}", o.stdout);
}

#[test]
fn across_versions() {
    let d = dir("diff-versions");
    let ids: Vec<&str> = aclplay::PROFILES.iter().map(|p| p.id).collect();
    for pair in ids.windows(2) {
        let servers = format!("{},{}", pair[0], pair[1]);
        let o = d.run(&["--format", "json", "diff", "old.acl", "old.acl", "--servers", &servers], None);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let v = o.json();
        assert_eq!((v["old_server"].as_str(), v["new_server"].as_str()), (Some(pair[0]), Some(pair[1])));
        // Commands only the newer version has come with `+@all`: each witnessed.
        for c in v["users"].as_array().unwrap().iter().flat_map(|u| u["changes"].as_array().unwrap()) {
            assert!(c["class"] == "neutral" || c["witness"]["line"].is_string(), "{c}");
        }
    }
    let o = d.run(&["diff", "old.acl", "new.acl", "--servers", "a,b,c"], None);
    assert_eq!(o.code, 2);
}
