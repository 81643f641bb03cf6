//! The shapes of a command's argument lists, as the ACL checks see them: which arguments
//! are keys (needing read, write, both or neither), which are channels (patterns or not),
//! and whether the first argument is free for `+cmd|arg` rules. Found by running the
//! engine's own key and channel extraction on argument lists built for each command
//! (placeholders, counts and the keywords its key specs name), one [`Template`] per
//! distinct shape. A template's key and channel arguments can then be replaced by any
//! strings: what the checks decide depends only on those strings and the shape.

use crate::commands::keys::KeyPlan;
use crate::commands::spec::Begin;
use crate::commands::{CmdId, Profile};

/// What an argument is to the ACL checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// A key, with the permissions it needs.
    Key { read: bool, write: bool },
    /// A channel; `pattern` for `PSUBSCRIBE`, whose argument must equal a channel rule.
    Channel { pattern: bool },
    /// A database id the per-database rules check (`SELECT 2`, `MOVE k 3`, `COPY a b DB
    /// 4`; Valkey 9.1): the template holds one, and any string may replace it (one that
    /// names no database is checked against nothing).
    Db,
}

/// One argument list of a command: its arguments (placeholders where the shape leaves a
/// choice) and the roles the engine finds in them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub argv: Vec<Vec<u8>>,
    /// Key and channel arguments, by index in `argv`.
    pub roles: Vec<(usize, Role)>,
    /// `argv[1]` is a placeholder that a first-argument rule (`+cmd|arg`) may test.
    pub free_first: bool,
}

/// The command `argv` runs in `profile` and the roles of its arguments; `None` when the
/// command is unknown or has the wrong number of arguments (DRYRUN refuses it before any
/// permission check).
pub fn roles(profile: &Profile, argv: &[&[u8]]) -> Option<(CmdId, Vec<(usize, Role)>)> {
    let (id, c) = profile.command_of(argv)?;
    if !c.arity_ok(argv.len()) {
        return None;
    }
    let mut out = Vec::new();
    if c.has_keys() {
        for k in c.keys_of(argv, profile.behavior.keynum_last) {
            out.push((k.pos, Role::Key { read: k.needs_read(), write: k.needs_write() }));
        }
    }
    if c.has_channels() {
        for (pos, pattern) in c.channels_of(argv.len()) {
            out.push((pos, Role::Channel { pattern }));
        }
    }
    if c.has_db_args() {
        c.visit_db_args(argv, |pos, _| {
            out.push((pos, Role::Db));
            true
        });
    }
    Some((id, out))
}

/// Words the argument parsers of key extraction look for (besides those the key specs
/// name): counts, and the keywords of the native extractors. A count the key specs' strict
/// parser refuses and `atoi` reads (`+1`) sends the server to its native extractor, whose
/// keys have other flags (none, for EVAL's): a shape of its own.
const NUMBERS: &[&str] = &["1", "2", "3", "0", "", "+1", "+2", "+3"];
const KEYWORDS: &[&str] = &[
    "STORE",
    "STOREDIST",
    "GET",
    "KEYS",
    "STREAMS",
    "BY",
    "LIMIT",
    "SET",
    "INCRBY",
    "OVERFLOW",
    "GROUP",
    "BLOCK",
    "COUNT",
    "NOACK",
    "COPY",
    "REPLACE",
    "AUTH",
    "AUTH2",
];
/// Extra arguments tried beyond the minimum: enough for several keys of a variadic
/// command (a witness needs at most one key per selector it must fail).
const EXTRA: usize = 6;
/// Shapes kept per command.
const MAX_TEMPLATES: usize = 32;

/// The templates of every command of one profile, found on first use.
pub struct Shapes {
    pub profile: &'static Profile,
    /// Per command: one template per shape, then one per other argument count of a shape
    /// (another version may refuse that count: ZRANK's 4th argument is Redis 7.2's).
    cache: Vec<Option<(Vec<Template>, Vec<Template>)>>,
}

impl Shapes {
    pub fn new(profile: &'static Profile) -> Shapes {
        Shapes { profile, cache: vec![None; profile.table.commands().len()] }
    }

    pub fn of(&mut self, id: CmdId) -> &[Template] {
        &self.probed(id).0
    }

    /// The templates of [`Shapes::of`], then the same shapes with the other argument
    /// counts: for comparing with another version, whose arity may differ.
    pub fn across(&mut self, id: CmdId) -> Vec<Template> {
        let (a, b) = self.probed(id);
        a.iter().chain(b).cloned().collect()
    }

    fn probed(&mut self, id: CmdId) -> &(Vec<Template>, Vec<Template>) {
        self.cache[id as usize].get_or_insert_with(|| probe(self.profile, id))
    }
}

fn placeholder(i: usize) -> Vec<u8> {
    format!("k{i}").into_bytes()
}

fn probe(profile: &'static Profile, id: CmdId) -> (Vec<Template>, Vec<Template>) {
    let c = profile.command(id);
    let head: Vec<Vec<u8>> = c.name.split('|').map(|p| p.to_ascii_uppercase().into_bytes()).collect();
    let min = (c.arity.unsigned_abs() as usize).max(head.len());
    let lens: Vec<usize> = if c.arity > 0 { vec![c.arity as usize] } else { (min..=min + EXTRA).collect() };
    // Only commands whose keys (or database arguments) depend on more than the argument
    // count need words tried.
    let parsed = matches!(c.keys, KeyPlan::Specs { .. } | KeyPlan::Native(_)) || c.has_db_args();
    let mut words: Vec<&str> = Vec::new();
    if parsed {
        words.extend(NUMBERS);
        words.extend(KEYWORDS);
        if c.has_db_args() {
            // COPY's `DB <db>` option.
            words.push("DB");
        }
        for s in c.key_specs {
            if let Begin::Keyword(w, _) = s.begin
                && !words.iter().any(|x| x.eq_ignore_ascii_case(w))
            {
                words.push(w);
            }
        }
    }
    // (how many arguments of each role, free first argument, the template)
    type Shape = (Vec<(Role, usize)>, bool, Template);
    let mut out: Vec<Shape> = Vec::new();
    let mut counts: Vec<Shape> = Vec::new();
    let mut consider = |argv: Vec<Vec<u8>>, placeholders: &[bool]| {
        if out.len() >= MAX_TEMPLATES && counts.len() >= MAX_TEMPLATES {
            return;
        }
        let refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
        let Some((got, roles)) = roles(profile, &refs) else { return };
        if got != id {
            return;
        }
        let free_first = c.parent().is_none() && placeholders.get(1) == Some(&true);
        // The shape: how many arguments of each role (more than 4 alike add nothing).
        let mut sig: Vec<(Role, usize)> = Vec::new();
        for (_, r) in &roles {
            match sig.iter_mut().find(|(x, _)| x == r) {
                Some(e) => e.1 = (e.1 + 1).min(4),
                None => sig.push((*r, 1)),
            }
        }
        sig.sort();
        let first_role = roles.iter().find(|(p, _)| *p == 1).map(|(_, r)| *r);
        let sig_first = (free_first, first_role);
        let alike = |(s, f, t): &&Shape| {
            *s == sig && *f == sig_first.0 && t.roles.iter().find(|(p, _)| *p == 1).map(|(_, r)| *r) == sig_first.1
        };
        if out.iter().any(|x| alike(&x)) {
            let len = argv.len();
            let seen = out.iter().chain(&counts).filter(alike).any(|(_, _, t)| t.argv.len() == len);
            if !seen && counts.len() < MAX_TEMPLATES {
                counts.push((sig, free_first, Template { argv, roles, free_first }));
            }
            return;
        }
        if out.len() < MAX_TEMPLATES {
            out.push((sig, free_first, Template { argv, roles, free_first }));
        }
    };
    for &len in &lens {
        let base: Vec<Vec<u8>> = head.iter().cloned().chain((head.len()..len).map(placeholder)).collect();
        let free: Vec<bool> = (0..len).map(|i| i >= head.len()).collect();
        consider(base.clone(), &free);
        if !parsed {
            continue;
        }
        for i in head.len()..len {
            for w in &words {
                let mut v = base.clone();
                v[i] = w.as_bytes().to_vec();
                let mut f = free.clone();
                f[i] = false;
                consider(v, &f);
            }
        }
        for i in head.len()..len {
            for j in head.len()..len {
                if i == j {
                    continue;
                }
                for n in NUMBERS {
                    for w in &words {
                        let mut v = base.clone();
                        v[i] = n.as_bytes().to_vec();
                        v[j] = w.as_bytes().to_vec();
                        let mut f = free.clone();
                        f[i] = false;
                        f[j] = false;
                        consider(v, &f);
                    }
                }
            }
        }
    }
    let templates = |v: Vec<Shape>| v.into_iter().map(|(_, _, t)| t).collect();
    (templates(out), templates(counts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes_of(name: &str) -> Vec<Template> {
        let p = Profile::default_profile();
        let mut s = Shapes::new(p);
        s.of(p.lookup(name.as_bytes()).unwrap()).to_vec()
    }

    #[test]
    fn variadic_and_keyword_commands_have_their_shapes() {
        let mset = shapes_of("mset");
        assert!(mset.iter().any(|t| t.roles.len() == 1) && mset.iter().any(|t| t.roles.len() >= 3));
        let get = shapes_of("get");
        assert_eq!(get.len(), 1);
        assert!(get[0].free_first && get[0].roles == vec![(1, Role::Key { read: true, write: false })]);
        let eval = shapes_of("eval");
        assert!(eval.iter().any(|t| t.roles.is_empty()), "EVAL with no keys");
        assert!(eval.iter().any(|t| t.roles.len() == 2), "EVAL with two keys");
        // `EVAL s +1 k`: the key specs refuse the count, the native extractor reads it and
        // gives the key no flags (any key pattern grants it, `%W~*` too).
        assert!(
            eval.iter().any(|t| t.roles == vec![(3, Role::Key { read: false, write: false })]),
            "EVAL with a lenient count"
        );
        let sort = shapes_of("sort");
        assert!(sort.iter().any(|t| t.roles.iter().any(|(_, r)| *r == Role::Key { read: false, write: true })));
        let psub = shapes_of("psubscribe");
        assert!(psub.iter().all(|t| t.roles.iter().all(|(_, r)| *r == Role::Channel { pattern: true })));
        let set = shapes_of("set");
        assert!(set.iter().any(|t| t.roles == vec![(1, Role::Key { read: true, write: true })]), "SET … GET");
        assert!(set.iter().any(|t| t.roles == vec![(1, Role::Key { read: false, write: true })]));
        let sub = shapes_of("config|get");
        assert!(sub.iter().all(|t| !t.free_first));
    }
}
