//! Connection snippets for a chosen user: client code that reads the credentials from
//! the environment, never with the password inlined.

use super::names::Names;
use crate::action::Act;
use crate::app::App;
use yew::prelude::*;

/// A string literal for C-like languages (Python, JavaScript, Go, Java); a hidden
/// character is a `\uXXXX` escape, which all four read the same way.
fn lit(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if aclplay::visible::is_hidden(c) => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    o.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A word for a POSIX shell (bash's `$'…'` when it holds a hidden character).
fn sh(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:@".contains(&b)) {
        s.to_string()
    } else if s.chars().any(aclplay::visible::is_hidden) {
        let mut o = String::from("$'");
        for c in s.chars() {
            match c {
                '\'' | '\\' => {
                    o.push('\\');
                    o.push(c);
                }
                c if aclplay::visible::is_hidden(c) => o.push_str(&format!("\\U{:08x}", c as u32)),
                c => o.push(c),
            }
        }
        o.push('\'');
        o
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn snippets(user: &str) -> Vec<(&'static str, String)> {
    let u = lit(user);
    vec![
        (
            "Python (redis-py)",
            format!(
                "import os
import redis

r = redis.Redis(
    host=os.environ.get(\"REDIS_HOST\", \"localhost\"),
    port=int(os.environ.get(\"REDIS_PORT\", \"6379\")),
    username=os.environ.get(\"REDIS_USERNAME\", {u}),
    password=os.environ[\"REDIS_PASSWORD\"],
    decode_responses=True,
)
"
            ),
        ),
        (
            "Node.js (node-redis)",
            format!(
                "import {{ createClient }} from \"redis\";

const client = createClient({{
  socket: {{
    host: process.env.REDIS_HOST ?? \"localhost\",
    port: Number(process.env.REDIS_PORT ?? 6379),
  }},
  username: process.env.REDIS_USERNAME ?? {u},
  password: process.env.REDIS_PASSWORD,
}});
await client.connect();
"
            ),
        ),
        (
            "Go (go-redis)",
            format!(
                "username := os.Getenv(\"REDIS_USERNAME\")
if username == \"\" {{
\tusername = {u}
}}
rdb := redis.NewClient(&redis.Options{{
\tAddr:     os.Getenv(\"REDIS_ADDR\"), // host:port
\tUsername: username,
\tPassword: os.Getenv(\"REDIS_PASSWORD\"),
}})
"
            ),
        ),
        (
            "Java (Jedis)",
            format!(
                "String host = System.getenv().getOrDefault(\"REDIS_HOST\", \"localhost\");
int port = Integer.parseInt(System.getenv().getOrDefault(\"REDIS_PORT\", \"6379\"));
JedisClientConfig config = DefaultJedisClientConfig.builder()
    .user(System.getenv().getOrDefault(\"REDIS_USERNAME\", {u}))
    .password(System.getenv(\"REDIS_PASSWORD\"))
    .build();
JedisPooled jedis = new JedisPooled(new HostAndPort(host, port), config);
"
            ),
        ),
        (
            "redis-cli",
            format!(
                "# Prompts for the password: it never appears in the shell history or `ps`.
redis-cli -h \"${{REDIS_HOST:-localhost}}\" --user {} --askpass
",
                sh(user)
            ),
        ),
    ]
}

pub fn view(app: &App) -> Html {
    let d = &app.doc;
    let chosen = AttrValue::from(app.ui.snip.clone());
    // The chosen user, or the first one that is not `default`.
    let user: AttrValue = if d.names.contains(&chosen) {
        chosen
    } else {
        d.names.iter().find(|n| n.as_str() != "default").or(d.names.first()).cloned().unwrap_or("default".into())
    };
    let items = snippets(&user).into_iter().map(|(title, code)| {
        html! {
            <details class="snippet">
                <summary>{ title }</summary>
                <pre><code>{ code.clone() }</code></pre>
                <button type="button" class="small" data-a={Act::Copy.attr()} data-t={code} data-w={format!("{title} snippet")}>
                    { format!("Copy {title} snippet") }
                </button>
            </details>
        }
    });
    html! {
        <section class="snippets panel" aria-labelledby="snip-h">
            <h2 id="snip-h">{ "Connection snippets" }</h2>
            <label class="inline">{ "Connect as " }
                <Names names={d.names.clone()} selected={user} label="Connection user" act={Act::SnippetUser} />
            </label>
            <p class="muted">{ "The password comes from the environment (REDIS_PASSWORD) or a prompt, never from the code." }</p>
            { for items }
        </section>
    }
}
