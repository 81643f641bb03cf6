//! The examples gallery: realistic setups, loaded in one click.

use crate::action::Act;
use crate::work::Work;
use yew::prelude::*;

pub struct Example {
    pub id: &'static str,
    pub title: &'static str,
    pub about: &'static str,
    pub rules: &'static str,
    pub commands: &'static str,
    pub user: &'static str,
}

// The hashes are SHA-256 of throwaway passwords: files should hold hashes, never
// plaintext (the "common mistakes" example shows why).
pub const EXAMPLES: &[Example] = &[
    Example {
        id: "production",
        title: "Production setup",
        about: "default user off, an admin, an application and a queue worker",
        rules: "user default off resetpass resetkeys resetchannels -@all
user admin on #f6a9865e1225a96907600faec4605fe9d18ba2bae0b0d971d4c11b7e4cbfca6c ~* &* +@all
user app on #6f155b93639a8589c196da985af76d1646320797b2d9f934c48b40953e912572 ~app:* &app:* -@all +@read +@write +@hash +@list +@set +@sortedset +@string +@pubsub -@dangerous
user worker on #ecbb6f1330c091d57fc2872083c8be47d18d060e63360652af0658bab4345954 ~jobs:* resetchannels -@all +@list +@stream +ping
",
        commands: "GET app:user:42
SET app:session:9 active EX 3600
GET billing:invoice:7
FLUSHALL
PUBLISH app:events signup
",
        user: "app",
    },
    Example {
        id: "app",
        title: "App user",
        about: "limited to its key prefix, no dangerous commands",
        rules: "user default off
user app on #6f155b93639a8589c196da985af76d1646320797b2d9f934c48b40953e912572 ~app:* &app:* +@all -@dangerous -@admin
",
        commands: "SET app:cart:17 \"3 items\"
HGETALL app:user:17
GET other:secret
KEYS *
CONFIG SET maxmemory 1gb
",
        user: "app",
    },
    Example {
        id: "cache",
        title: "Cache user",
        about: "a handful of commands on cache:* keys",
        rules: "user default off
user cache on #d7f3a5d4d526528ec88405539fec3a0f7b79fb51d7927b931ebf892f34596850 ~cache:* resetchannels -@all +get +set +del +expire +ttl +exists
",
        commands: "SET cache:page:/home \"<html>…</html>\" EX 60
GET cache:page:/home
GET session:1
HSET cache:user:1 name ann
",
        user: "cache",
    },
    Example {
        id: "analytics",
        title: "Read-only analytics",
        about: "reads every key, writes none",
        rules: "user default off
user analytics on #3930063d1641cf2f1f688666923b8324fc4101a7096708583bc2e3f52975ada3 %R~* resetchannels -@all +@read -@dangerous
",
        commands: "GET report:2024-06
ZRANGE leaderboard 0 9 WITHSCORES
SET report:2024-06 tampered
KEYS *
",
        user: "analytics",
    },
    Example {
        id: "monitoring",
        title: "Monitoring user",
        about: "INFO, SLOWLOG and friends, no data",
        rules: "user default off
user monitor on #1bbfdcd11dac6b62f4c91c725e9325dc15e6b23026097269206b002f0762f14f resetkeys resetchannels -@all +info +ping +slowlog|get +slowlog|len +latency|latest +client|list +memory|stats
",
        commands: "INFO memory
SLOWLOG GET 10
CLIENT LIST
CLIENT KILL ID 5
GET app:user:1
",
        user: "monitor",
    },
    Example {
        id: "selectors",
        title: "Selectors",
        about: "extra permission sets in (…): read app:*, append to an audit stream, write exports",
        rules: "user default off
user reporting on #5c720f02a21f90c4a09caaa5c4fdea2d84d842af0fe4d1752da76fb46ce0db72 ~app:* resetchannels -@all +@read (~audit:* +xadd +xrange) (%W~exports:* +set +expire)
",
        commands: "GET app:user:1
XADD audit:log * action export
SET exports:daily done
GET exports:daily
SET app:user:1 x
",
        user: "reporting",
    },
    Example {
        id: "mistakes",
        title: "Common mistakes",
        about: "an open default user, a plaintext password, rules in the wrong order, a pattern after allkeys",
        rules: "user default on nopass ~* &* +@all
user app on >app-secret-password ~app:* +@all
user reports on #3930063d1641cf2f1f688666923b8324fc4101a7096708583bc2e3f52975ada3 ~* -@dangerous +@all
user ops on #0ab8dc3285b186d69cceb8d46e31112eab8c130853f5c46a3dcb78b0123d5780 allkeys ~ops:* +@admin
",
        commands: "FLUSHALL
CONFIG SET requirepass \"\"
GET app:1
",
        user: "reports",
    },
];

impl Example {
    pub fn work(&self) -> Work {
        Work::new(self.rules, self.commands, self.user)
    }
}

/// The examples, as a menu (a disclosure in the header): the editor comes first on a
/// phone's screen.
pub fn view() -> Html {
    let items = EXAMPLES.iter().enumerate().map(|(i, ex)| {
        html! {
            <li>
                <button type="button" class="example" data-a={Act::Example.attr()} data-i={i.to_string()} data-example={ex.id}>
                    <strong>{ ex.title }</strong>
                    <span class="muted">{ ex.about }</span>
                </button>
            </li>
        }
    });
    html! {
        <details class="examples">
            <summary class="button">{ "Examples" }</summary>
            <ul class="gallery" aria-label="Examples">{ for items }</ul>
        </details>
    }
}
