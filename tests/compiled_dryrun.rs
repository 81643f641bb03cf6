//! `Analysis::dryrun` answers from users compiled into flat arrays (`dryrun::compiled`);
//! `aclplay::verdicts::dryrun` walks the `User`s themselves. Both must give the very same
//! reply for every user and command line: here over the recorded corpora's users (one per
//! case, and every user of the multi-user ACL files) against command lines from all the
//! cases, and, where the case's `ACL LOAD` succeeded, against the recorded server reply.
//! Every registry version with corpora, each command line asked from database 0 and from
//! other databases (what database rules check).

mod common;

use aclplay::corpus::CaseInput;
use aclplay::verdicts::dryrun_in;
use aclplay::{Analysis, Kind, Options, PROFILES, Profile, analyze};
use serde_json::Value;

fn opts(profile: &'static Profile, pubsub_all: bool) -> Options<'static> {
    Options { kind: Some(Kind::AclFile), pubsub_all, ..Options::new(profile) }
}

/// Compiled and plain replies for `name` on each command line, asked from database 0
/// and from database `db`; the number compared.
fn same_replies(a: &Analysis, name: &[u8], commands: &[Vec<Vec<u8>>], db: i64, what: &str) -> usize {
    for argv in commands {
        let argv: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
        for db in [0, db] {
            let plain = dryrun_in(a.profile, name, a.user(name), &argv, db);
            let compiled = a.dryrun_in(name, &argv, db);
            assert_eq!(
                compiled,
                plain,
                "{what}: user {:?}, command {:?}, database {db}",
                String::from_utf8_lossy(name),
                argv.iter().map(|x| String::from_utf8_lossy(x)).collect::<Vec<_>>()
            );
        }
    }
    commands.len()
}

#[test]
fn compiled_users_answer_as_the_plain_path_and_the_server() {
    let mut compared = 0;
    let mut against_server = 0;
    for profile in PROFILES {
        let id = profile.id;
        let cases: Vec<(Value, CaseInput)> =
            common::corpus_files(|n| n.starts_with(id) && (n.contains("-cases.") || n.contains("-upstream.")))
                .iter()
                .flat_map(|p| common::read(p).lines().map(str::to_owned).collect::<Vec<_>>())
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let v: Value = serde_json::from_str(&l).unwrap();
                    let c: CaseInput = serde_json::from_value(v.clone()).unwrap();
                    (v, c)
                })
                .collect();
        assert!(!cases.is_empty(), "no recorded cases for {id}");
        let mut pool: Vec<Vec<Vec<u8>>> =
            cases.iter().map(|(_, c)| c.command.iter().map(|a| a.as_bytes().to_vec()).collect()).collect();
        // Lines no case has: long and non-UTF-8 arguments, CR and LF, NUL bytes.
        let long = "k".repeat(300);
        for extra in [
            vec!["GET".as_bytes(), long.as_bytes()],
            vec![b"SET", b"app:\xff\xfe", b"v"],
            vec![b"GET", b"a\0b"],
            vec![b"NO\r\nSUCH", b"x"],
            vec![long.as_bytes()],
            vec![b"publish", b"ch\xc3", b"m"],
            vec![b"CONFIG", b"GET", b"x"],
            vec![b"config|get", b"x"],
            vec![],
            // Lines that name databases, or need them all.
            vec![b"SELECT", b"3"],
            vec![b"SWAPDB", b"0", b"15"],
            vec![b"MOVE", b"k", b"2"],
            vec![b"COPY", b"a", b"b", b"DB", b"1", b"REPLACE"],
            vec![b"FLUSHALL"],
            vec![b"DBSIZE"],
        ] {
            pool.push(extra.into_iter().map(<[u8]>::to_vec).collect());
        }
        for (i, (v, case)) in cases.iter().enumerate() {
            let Some(line) = v["acl"].as_str() else { continue };
            let pubsub_all = case
                .server_config
                .as_ref()
                .and_then(|c| c.get("acl-pubsub-default"))
                .is_some_and(|v| v == "allchannels");
            let a = analyze(&format!("{line}\n"), &opts(profile, pubsub_all));
            let name = case.user.as_bytes();
            let own: Vec<Vec<u8>> = case.command.iter().map(|a| a.as_bytes().to_vec()).collect();
            let db = case.db.map_or(1 + (i % 15) as i64, i64::from);
            compared += same_replies(&a, name, std::slice::from_ref(&own), db, &case.id);
            let others: Vec<Vec<Vec<u8>>> =
                (1..12).map(|k| pool[(i * 7919 + k * 104_729) % pool.len()].clone()).collect();
            compared += same_replies(&a, name, &others, db, &case.id);
            compared += same_replies(&a, b"nobody-by-that-name", &others[..2], db, &case.id);
            // What the server answered, when the same user loaded from a file.
            if case.pre.is_none() && v["aclload"].as_str() == Some("OK") {
                let argv: Vec<&[u8]> = case.command.iter().map(|a| a.as_bytes()).collect();
                let r = a.dryrun_in(name, &argv, case.db.map_or(0, i64::from));
                assert_eq!(r.text, v["dryrun"].as_str().unwrap(), "{}", case.id);
                assert_eq!(serde_json::to_value(r.kind).unwrap(), v["dryrun_kind"], "{}", case.id);
                against_server += 1;
            }
        }
        for path in common::corpus_files(|n| n.starts_with(id) && n.contains("-files.")) {
            for (i, l) in common::read(&path).lines().filter(|l| !l.trim().is_empty()).enumerate() {
                let v: Value = serde_json::from_str(l).unwrap();
                let a = analyze(v["file"].as_str().unwrap(), &opts(profile, false));
                let names: Vec<Vec<u8>> = a.users.iter().map(|u| u.user.name.clone()).collect();
                for (j, name) in names.iter().enumerate() {
                    let some: Vec<Vec<Vec<u8>>> =
                        (0..20).map(|k| pool[(i * 31 + j * 7 + k * 6151) % pool.len()].clone()).collect();
                    let db = ((i + j) % 16) as i64;
                    compared += same_replies(&a, name, &some, db, &format!("{} #{i}", path.display()));
                }
            }
        }
    }
    eprintln!("{compared} replies compared, {against_server} against the recorded server reply");
    assert!(compared > 100_000 && against_server > 10_000, "{compared} / {against_server}");
}
