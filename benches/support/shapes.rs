//! Inputs of every shape the playground's users paste, at any size: many users (an open
//! default above them, a mix with findings, a mix with typos), comment lines, and one
//! long line of patterns, commands, words or selectors. Shared by `benches/pipeline.rs`
//! and `examples/stages.rs`.

#![allow(dead_code)]

/// The shapes of input the playground's users paste (and the review's findings used).
pub const SHAPES: &[&str] = &[
    "users-open-default",
    "users-mix",
    "users-typo",
    "comments",
    "line-keys",
    "line-same-keys",
    "line-commands",
    "line-words",
    "line-hash-paren",
];

fn hex(i: usize) -> String {
    let x = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    format!("{x:016x}").repeat(4)
}

/// About `bytes` of input of `shape`.
pub fn input(shape: &str, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 200);
    match shape {
        "users-open-default" => {
            s.push_str("user default on nopass ~* &* +@all\n");
            let mut i = 0;
            while s.len() < bytes {
                s.push_str(&format!("user u{i} on #{} ~u{i}:* +@all -@dangerous\n", hex(i)));
                i += 1;
            }
        }
        "users-mix" | "users-typo" => {
            s.push_str("user default off\n");
            let mut i = 1;
            while s.len() < bytes {
                let h = hex(i);
                let typo = shape == "users-typo" && i % 10 == 3;
                let get = if typo { "+gett" } else { "+get" };
                s.push_str(&match i % 6 {
                    0 => format!("user app{i} on #{h} ~app{i}:* &app{i}:* +@all -@dangerous\n"),
                    1 => format!("user cache{i} on #{h} ~cache:{i}:* resetchannels -@all {get} +set +del +expire\n"),
                    2 => format!("user ro{i} on >pw{i} %R~* resetchannels -@all +@read -@dangerous\n"),
                    3 => format!("user mon{i} on #{h} resetkeys resetchannels -@all +info +ping {get} +client|list\n"),
                    4 => format!("user open{i} on nopass ~* &* +@all\n"),
                    _ => format!("user sel{i} on #{h} ~a{i}:* {get} (~b{i}:* +set) (%R~c:* +@read)\n"),
                });
                i += 1;
            }
        }
        "comments" => {
            let mut i = 0;
            while s.len() < bytes {
                s.push_str(&format!("# user {i}: the application's account\nuser u{i} on #{} ~u{i}:* +get\n", hex(i)));
                i += 1;
            }
        }
        "line-keys" | "line-same-keys" | "line-commands" | "line-words" | "line-hash-paren" => {
            s.push_str("user default off\nuser big on #");
            s.push_str(&hex(0));
            let mut i = 0;
            while s.len() < bytes {
                match shape {
                    "line-keys" => s.push_str(&format!(" ~k{i}:*")),
                    "line-same-keys" => s.push_str(" ~k:*"),
                    "line-commands" => s.push_str([" +get", " -get", " +@read", " -@write", " +set"][i % 5]),
                    "line-words" => s.push_str(&format!(" word{i}")),
                    _ => s.push_str(&format!(" (~x{i}:* +get)")),
                }
                i += 1;
            }
            s.push('\n');
        }
        _ => panic!("unknown shape {shape}; one of {SHAPES:?}"),
    }
    s
}
