//! Normalisation of `ACL LIST` / `ACL GETUSER` command text for the versions that print
//! a selector's single-command tokens in the order of a command hash table seeded per
//! process (`list_style = "bitmap"`, Redis 7.0): inside every selector, the tokens after
//! the `+@…`/`-@…` ones are sorted by name (the token without its sign; ties `+` before
//! `-`). Output of the other versions is deterministic and left alone. The corpora, the
//! oracle's recorders and `aclplay verify` compare through it.

use crate::registry::ListStyle;

/// A `+x`/`-x` token that is not a category rule.
fn is_single(tok: &str) -> bool {
    let b = tok.as_bytes();
    b.len() >= 2 && (b[0] == b'+' || b[0] == b'-') && b[1] != b'@'
}

fn sort_key(tok: &str) -> (&str, u8) {
    (&tok[1..], if tok.starts_with('+') { 0 } else { 1 })
}

/// Sorts the single-command tokens of one selector's token list in place.
/// A token that does not start with `+`/`-` after the command part began is
/// a continuation of the previous one (7.0 prints a first-arg containing a
/// space verbatim), so it travels with it.
fn sort_selector(tokens: &[&str]) -> Vec<String> {
    let first_cmd = tokens.iter().position(|t| t.starts_with('+') || t.starts_with('-'));
    let Some(start) = first_cmd else {
        return tokens.iter().map(|s| s.to_string()).collect();
    };
    let mut out: Vec<String> = tokens[..start].iter().map(|s| s.to_string()).collect();
    // Group continuation tokens with their command token.
    let mut groups: Vec<String> = Vec::new();
    for t in &tokens[start..] {
        if t.starts_with('+') || t.starts_with('-') || groups.is_empty() {
            groups.push(t.to_string());
        } else if let Some(last) = groups.last_mut() {
            last.push(' ');
            last.push_str(t);
        }
    }
    let cats = groups.iter().take_while(|g| !is_single(g)).count();
    let (head, tail) = groups.split_at_mut(cats);
    // Stable: equal keys keep their printed order.
    tail.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    out.extend(head.iter().cloned());
    out.extend(tail.iter().cloned());
    out
}

/// Normalises a GETUSER `commands` string (one selector's command text).
pub fn normalize_commands(style: ListStyle, commands: &str) -> String {
    if style != ListStyle::Bitmap {
        return commands.to_string();
    }
    let toks: Vec<&str> = commands.split(' ').collect();
    sort_selector(&toks).join(" ")
}

/// Normalises a whole ACL LIST line (`user <name> ... (<selector>)...`).
pub fn normalize_acl_list(style: ListStyle, line: &str) -> String {
    if style != ListStyle::Bitmap {
        return line.to_string();
    }
    let toks: Vec<&str> = line.split(' ').collect();
    if toks.len() < 2 || toks[0] != "user" {
        return line.to_string();
    }
    // toks[1] is the name (it cannot contain spaces); selectors start at a
    // token beginning with '(' (nothing else in a description can).
    let mut out: Vec<String> = vec![toks[0].to_string(), toks[1].to_string()];
    let mut groups: Vec<Vec<&str>> = vec![Vec::new()];
    for t in &toks[2..] {
        if t.starts_with('(') {
            groups.push(Vec::new());
        }
        groups.last_mut().expect("non-empty").push(t);
    }
    for (i, g) in groups.iter().enumerate() {
        if i == 0 {
            out.extend(sort_selector(g));
            continue;
        }
        // Strip the parentheses, sort, and put them back.
        let mut inner: Vec<String> = g.iter().map(|s| s.to_string()).collect();
        let first = inner[0].split_off(1);
        inner[0] = first;
        let last = inner.len() - 1;
        if inner[last].ends_with(')') {
            inner[last].pop();
        }
        let refs: Vec<&str> = inner.iter().map(String::as_str).collect();
        let mut sorted = sort_selector(&refs);
        if let Some(f) = sorted.first_mut() {
            f.insert(0, '(');
        }
        if let Some(l) = sorted.last_mut() {
            l.push(')');
        }
        out.extend(sorted);
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    fn by_order(random: bool) -> ListStyle {
        if random { ListStyle::Bitmap } else { ListStyle::AsWritten }
    }

    #[test]
    fn sorts_single_command_tokens_per_selector() {
        let r = by_order(true);
        assert_eq!(
            normalize_acl_list(r, "user replica on #e6 ~* resetchannels -@all +@admin +swapdb +flushdb +info"),
            "user replica on #e6 ~* resetchannels -@all +@admin +flushdb +info +swapdb"
        );
        assert_eq!(
            normalize_acl_list(
                r,
                "user s off resetchannels +@all -restore -pubsub|shardnumsub (%W~x ~S:* resetchannels -@all +set +get)"
            ),
            "user s off resetchannels +@all -pubsub|shardnumsub -restore (%W~x ~S:* resetchannels -@all +get +set)"
        );
        assert_eq!(
            normalize_acl_list(r, "user a off resetchannels -@all (~x) resetchannels -@all)"),
            "user a off resetchannels -@all (~x) resetchannels -@all)"
        );
        assert_eq!(
            normalize_commands(r, "-@all +@connection +@read -scan -keys"),
            "-@all +@connection +@read -keys -scan"
        );
        assert_eq!(normalize_commands(r, "+@all"), "+@all");
        assert_eq!(normalize_commands(r, ""), "");
        assert_eq!(normalize_commands(by_order(false), "-@all +set +get"), "-@all +set +get");
    }
}
