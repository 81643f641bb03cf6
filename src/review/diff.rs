//! The semantic diff of two rule sets (`aclplay diff OLD NEW`): what each user may do
//! before and after, from the engine's users, never from the text. Users added and
//! removed, logging in (`on`/`off`, `nopass`, passwords by their SHA-256), the
//! payload-sanitising flag, commands gained and lost (categories expanded for the
//! version), and command lines that keys, channels, first arguments or selectors now allow
//! or deny. Each change is classified: **widens** (a command line the new rules allow and
//! the old deny, shown as its witness), **narrows** (the reverse, with its witness) or
//! **neutral** (the rules read differently and allow the same). Equal permissions are
//! "no change in access", whatever the text.

use super::access::{Side, Undecided, Universe, witness};
use super::shapes::Shapes;
use crate::analysis::Analysis;
use crate::bytes::{hex, lossy};
use crate::commands::Profile;
use crate::engine::acl::{Op, Selector, User};
use crate::span::Span;
use crate::verdicts::{CommandWhy, Denial, explain};
use serde::Serialize;

/// Which way a change moves access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    Widens,
    Narrows,
    Neutral,
}

/// Which input a rule is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Which {
    Old,
    New,
}

/// A rule token of one of the inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub input: Which,
    pub text: String,
    pub span: Span,
}

/// A command line that shows a change: one side allows it and the other denies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Witness {
    pub user: String,
    /// The arguments (lossy UTF-8; `line` quotes the exact bytes).
    pub argv: Vec<String>,
    /// As typed in redis-cli: `GET cache:a`, `AUTH app <its password>`.
    pub line: String,
    /// `ACL DRYRUN <user> <argv…>` shows it (false: logging in, which DRYRUN does not test).
    pub dryrun: bool,
    /// The exact arguments.
    #[serde(skip)]
    pub bytes: Vec<Vec<u8>>,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum What {
    UserAdded,
    UserRemoved,
    /// `on` / `off`.
    Enabled {
        old: bool,
        new: bool,
    },
    Nopass {
        old: bool,
        new: bool,
    },
    /// A password (by the first 16 hex digits of its SHA-256).
    PasswordAdded {
        sha256: String,
    },
    PasswordRemoved {
        sha256: String,
    },
    /// `sanitize-payload` / `skip-sanitize-payload` (RESTORE).
    Sanitize {
        old: String,
        new: String,
    },
    /// A command (or subcommand) no command line of which was allowed is now allowed.
    CommandGained {
        command: String,
    },
    CommandLost {
        command: String,
    },
    /// Commands allowed before and after, whose allowed command lines changed.
    Arguments {
        through: String,
        commands: Vec<String>,
    },
    /// The rules differ, the permissions do not.
    Rewritten,
}

/// One change of one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub class: Class,
    #[serde(flatten)]
    pub what: What,
    /// A command of the version's `@dangerous` is gained (or gets wider arguments).
    pub dangerous: bool,
    pub witness: Option<Witness>,
    /// The rule that brought it (new) or that granted what is lost (old).
    pub rule: Option<Rule>,
}

/// Everything that changed for one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserDiff {
    pub user: String,
    pub changes: Vec<Change>,
    /// What could not be decided exactly (the patterns were too intricate).
    pub undecided: Vec<String>,
}

impl UserDiff {
    pub fn has(&self, c: Class) -> bool {
        self.changes.iter().any(|x| x.class == c)
    }
}

/// The diff of two inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub old_server: &'static str,
    pub new_server: &'static str,
    /// Users compared (in either input).
    pub compared: usize,
    /// Users with a change, in the new input's order, then removed users.
    pub users: Vec<UserDiff>,
}

impl Diff {
    pub fn widens(&self) -> bool {
        self.users.iter().any(|u| u.has(Class::Widens))
    }
    pub fn narrows(&self) -> bool {
        self.users.iter().any(|u| u.has(Class::Narrows))
    }
    /// A dangerous command gained, or a dangerous command's arguments widened.
    pub fn dangerous(&self) -> bool {
        self.users.iter().flat_map(|u| &u.changes).any(|c| c.class == Class::Widens && c.dangerous)
    }
    /// Nobody's access changed (neutral rewrites aside), and everything was decided.
    pub fn no_change_in_access(&self) -> bool {
        self.users.iter().all(|u| u.undecided.is_empty() && u.changes.iter().all(|c| c.class == Class::Neutral))
    }
    pub fn count(&self, c: Class) -> usize {
        self.users.iter().flat_map(|u| &u.changes).filter(|x| x.class == c).count()
    }
}

/// One input to diff: its analysis and text (for the rules' words).
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub analysis: &'a Analysis,
    pub text: &'a str,
}

/// An argument as redis-cli reads it back: bare when it can be, else quoted.
pub fn cli_arg(b: &[u8]) -> String {
    if !b.is_empty() && b.iter().all(|&c| c.is_ascii_graphic() && !matches!(c, b'"' | b'\'' | b'\\')) {
        lossy(b)
    } else {
        crate::analysis::repr(b)
    }
}

fn witness_of(user: &[u8], argv: Vec<Vec<u8>>) -> Witness {
    Witness {
        user: lossy(user),
        argv: argv.iter().map(|a| lossy(a)).collect(),
        line: argv.iter().map(|a| cli_arg(a)).collect::<Vec<_>>().join(" "),
        dryrun: true,
        bytes: argv,
    }
}

fn login_witness(user: &[u8], line: String) -> Witness {
    Witness { user: lossy(user), argv: Vec::new(), line, dryrun: false, bytes: Vec::new() }
}

/// The profiles' templates, one set per profile.
struct ShapeSet(Vec<Shapes>);

impl ShapeSet {
    fn of(&mut self, p: &'static Profile) -> &mut Shapes {
        let i = match self.0.iter().position(|s| std::ptr::eq(s.profile, p)) {
            Some(i) => i,
            None => {
                self.0.push(Shapes::new(p));
                self.0.len() - 1
            }
        };
        &mut self.0[i]
    }
}

/// What the ACL checks read of a selector (its origins and rule record aside).
fn same_selector(a: &Selector, b: &Selector) -> bool {
    let keys = |s: &Selector| s.keys.iter().map(|k| (k.pattern.clone(), k.read, k.write)).collect::<Vec<_>>();
    let chans = |s: &Selector| s.channels.iter().map(|c| c.pattern.clone()).collect::<Vec<_>>();
    a.commands == b.commands
        && a.first_args == b.first_args
        && a.all_keys == b.all_keys
        && keys(a) == keys(b)
        && a.all_channels == b.all_channels
        && chans(a) == chans(b)
        && a.all_dbs == b.all_dbs
        && a.dbs == b.dbs
}

/// Every command name of the profiles, in table order (the first profile's, then the
/// names only the others have).
fn names(profiles: &[&'static Profile]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for p in profiles {
        for c in p.table.commands() {
            if !out.contains(&c.name) {
                out.push(c.name);
            }
        }
    }
    out
}

fn in_category(p: &Profile, name: &str, cat: &str) -> bool {
    match (p.lookup(name.as_bytes()), p.table.category_index(cat.as_bytes())) {
        (Some(id), Some(c)) => p.command(id).in_category(c),
        _ => false,
    }
}

fn rule(input: Which, text: &str, span: Option<Span>) -> Option<Rule> {
    let s = span?;
    Some(Rule { input, text: text.get(s.start..s.end)?.to_string(), span: s })
}

/// The last rule of the user's trail for which `pick` says true: its span, with the
/// words to show (`pick` names it, never with a plaintext password).
fn trail_rule(input: Which, text: &str, u: &User, pick: impl Fn(&Op) -> Option<String>) -> Option<Rule> {
    u.trail.iter().rev().find_map(|s| {
        let shown = pick(&s.op)?;
        let span = s.span?;
        let shown = if shown.is_empty() { text.get(span.start..span.end)?.to_string() } else { shown };
        Some(Rule { input, text: shown, span })
    })
}

/// A user's whole definition, named by the user only (its text may hold a plaintext
/// password, which a diff never prints).
fn line_rule(input: Which, u: &User, span: Option<Span>) -> Option<Rule> {
    Some(Rule { input, text: format!("user {}", lossy(&u.name)), span: span? })
}

/// The command rule that decided for the selector that allowed `argv` (or, when denied,
/// for the selector the server reports).
fn command_rule(side: Side, input: Which, text: &str, argv: &[&[u8]]) -> Option<Rule> {
    let e = explain(side.profile, &side.user.name, Some(side.user), argv);
    let sel = &e.selectors[e.allowed_by.or(e.reported)?];
    match &sel.command {
        CommandWhy::Rule { span, .. } | CommandWhy::FirstArg { span, .. } => rule(input, text, *span),
        _ => None,
    }
}

/// Why `deny` refuses a line `allow` accepts: the key, channel or command check, said
/// from the allowing side (the pattern or rule that lets it through).
fn through(allow: Side, deny: Side, input: Which, text: &str, argv: &[&[u8]]) -> (String, Option<Rule>) {
    let d = explain(deny.profile, &deny.user.name, Some(deny.user), argv);
    let a = explain(allow.profile, &allow.user.name, Some(allow.user), argv);
    let Some(sel) = a.allowed_by.map(|i| &a.selectors[i]) else { return ("arguments".into(), None) };
    let denial = d.reported.and_then(|i| d.selectors[i].denied);
    let where_ = if sel.index == 0 { String::new() } else { format!(" in selector {}", sel.index) };
    match denial {
        Some((Denial::Key, pos)) => match sel.keys.iter().find(|k| k.pos == pos) {
            Some(k) => {
                let needs = if k.needs.is_empty() { "access".to_string() } else { k.needs.join("+") };
                match &k.matched {
                    Some((p, span)) => (format!("{needs} on keys matching `{p}`{where_}"), rule(input, text, *span)),
                    None => (format!("{needs} on every key{where_}"), None),
                }
            }
            None => ("keys".into(), None),
        },
        Some((Denial::Channel, pos)) => match sel.channels.iter().find(|k| k.pos == pos) {
            Some(c) => match &c.matched {
                Some((p, span)) if c.literal => {
                    (format!("the channel pattern `{p}`{where_}"), rule(input, text, *span))
                }
                Some((p, span)) => (format!("channels matching `{p}`{where_}"), rule(input, text, *span)),
                None => (format!("every channel{where_}"), None),
            },
            None => ("channels".into(), None),
        },
        Some((Denial::Database, _)) => match &sel.db_rule {
            Some((dbs, span @ Some(_))) => (format!("the databases `{dbs}`{where_}"), rule(input, text, *span)),
            _ => (format!("every database{where_}"), None),
        },
        Some((Denial::Command, _)) | None => match &sel.command {
            CommandWhy::Rule { rule: r, span, .. } => {
                // The other side allowed the command for some first arguments only, or in
                // other selectors with other keys: the selector now allows this line.
                (format!("`{r}`{where_}"), rule(input, text, *span))
            }
            CommandWhy::FirstArg { rule: r, span } => (format!("`{r}`{where_}"), rule(input, text, *span)),
            _ => (format!("the selector{where_}"), None),
        },
    }
}

struct Ctx<'a> {
    shapes: ShapeSet,
    old: Input<'a>,
    new: Input<'a>,
}

/// Diffs two inputs. Each is analysed with its own profile (the same one, or two
/// versions for an upgrade); commands are matched by name across versions.
pub fn diff(old: Input, new: Input) -> Diff {
    let mut ctx = Ctx { shapes: ShapeSet(Vec::new()), old, new };
    let mut order: Vec<&[u8]> = Vec::new();
    for r in new.analysis.users.iter().chain(&old.analysis.users) {
        if !order.contains(&r.user.name.as_slice()) {
            order.push(&r.user.name);
        }
    }
    let mut users = Vec::new();
    for name in &order {
        let o = old.analysis.users.iter().find(|r| r.user.name == *name);
        let n = new.analysis.users.iter().find(|r| r.user.name == *name);
        let d = match (o, n) {
            (Some(o), Some(n)) => ctx.user(&o.user, &n.user, o.span, n.span),
            (None, Some(n)) => ctx.one_side(&n.user, Which::New),
            (Some(o), None) => ctx.one_side(&o.user, Which::Old),
            (None, None) => continue,
        };
        if !d.changes.is_empty() || !d.undecided.is_empty() {
            users.push(d);
        }
    }
    Diff { old_server: old.analysis.profile.id, new_server: new.analysis.profile.id, compared: order.len(), users }
}

impl<'a> Ctx<'a> {
    fn input(&self, w: Which) -> Input<'a> {
        match w {
            Which::Old => self.old,
            Which::New => self.new,
        }
    }

    /// A user only one input has: added (widens, with a command line it allows) or
    /// removed (narrows).
    fn one_side(&mut self, u: &User, w: Which) -> UserDiff {
        let input = self.input(w);
        let side = Side { profile: input.analysis.profile, user: u };
        let mut undecided = Vec::new();
        let found = match Universe::new([u]) {
            Ok(uni) => {
                let shapes = self.shapes.of(side.profile);
                let prepared = uni.prepare(side);
                // A command that is not always allowed (no AUTH/HELLO) says more.
                let mut first = None;
                for name in names(&[side.profile]) {
                    match witness(&uni, shapes, &prepared, &[], name) {
                        Ok(Some(f)) => {
                            let id = side.profile.lookup(name.as_bytes()).expect("a name of its table");
                            let free = side.profile.command(id).has_flag(crate::commands::flag::NO_AUTH);
                            if !free {
                                first = Some(f);
                                break;
                            }
                            first.get_or_insert(f);
                        }
                        Ok(None) => {}
                        Err(e) => undecided.push(e.to_string()),
                    }
                }
                first
            }
            Err(e) => {
                undecided.push(e.to_string());
                None
            }
        };
        let (class, what) = match w {
            Which::New => (Class::Widens, What::UserAdded),
            Which::Old => (Class::Narrows, What::UserRemoved),
        };
        let witness = found.map(|f| witness_of(&u.name, f.argv));
        let rule = input.analysis.users.iter().find(|r| r.user.name == u.name).and_then(|r| line_rule(w, u, r.span));
        UserDiff {
            user: lossy(&u.name),
            changes: vec![Change { class, what, dangerous: false, witness, rule }],
            undecided,
        }
    }

    fn user(&mut self, o: &User, n: &User, ospan: Option<Span>, nspan: Option<Span>) -> UserDiff {
        let name = &n.name;
        let mut changes = Vec::new();
        let mut undecided = Vec::new();
        let flag = |old: bool, new: bool, what: What, line: &str| {
            (old != new).then(|| Change {
                class: if new { Class::Widens } else { Class::Narrows },
                what,
                dangerous: false,
                witness: new.then(|| login_witness(name, line.to_string())),
                rule: None,
            })
        };
        let user = lossy(name);
        let (ot, nt) = (self.old.text, self.new.text);
        let flag_rule = |want: bool, ops: &[Op]| {
            let pick = |op: &Op| ops.contains(op).then(String::new);
            if want { trail_rule(Which::New, nt, n, pick) } else { trail_rule(Which::Old, ot, o, pick) }
        };
        let mut with_rule = |c: Option<Change>, r: Option<Rule>| {
            if let Some(mut c) = c {
                c.rule = r;
                changes.push(c);
            }
        };
        with_rule(
            flag(
                o.enabled,
                n.enabled,
                What::Enabled { old: o.enabled, new: n.enabled },
                &format!("AUTH {} <its password>", cli_arg(name)),
            ),
            if n.enabled { flag_rule(true, &[Op::On]) } else { flag_rule(true, &[Op::Off, Op::Reset]) },
        );
        with_rule(
            flag(
                o.nopass,
                n.nopass,
                What::Nopass { old: o.nopass, new: n.nopass },
                &format!("AUTH {} <any password>", cli_arg(name)),
            ),
            if n.nopass { flag_rule(true, &[Op::Nopass]) } else { flag_rule(false, &[Op::Nopass]) },
        );
        // A password rule, named without its plaintext.
        let password = |input: Which, text: &str, u: &User, d: &[u8; 32]| {
            trail_rule(input, text, u, |op| match op {
                Op::Password { add: true, plaintext, digest } if digest == d => {
                    Some(if *plaintext { ">…".to_string() } else { String::new() })
                }
                _ => None,
            })
        };
        for p in &n.passwords {
            if !o.passwords.contains(p) {
                let h = hex(p);
                changes.push(Change {
                    class: Class::Widens,
                    what: What::PasswordAdded { sha256: h[..16].to_string() },
                    dangerous: false,
                    witness: Some(login_witness(
                        name,
                        format!("AUTH {} <the password whose SHA-256 starts {}>", cli_arg(name), &h[..16]),
                    )),
                    rule: password(Which::New, nt, n, p),
                });
            }
        }
        for p in &o.passwords {
            if !n.passwords.contains(p) {
                changes.push(Change {
                    class: Class::Narrows,
                    what: What::PasswordRemoved { sha256: hex(p)[..16].to_string() },
                    dangerous: false,
                    witness: None,
                    rule: password(Which::Old, ot, o, p),
                });
            }
        }
        if o.sanitize != n.sanitize {
            let word = |s: crate::engine::acl::Sanitize| match s {
                crate::engine::acl::Sanitize::Unset => "unset",
                crate::engine::acl::Sanitize::Sanitize => "sanitize-payload",
                crate::engine::acl::Sanitize::Skip => "skip-sanitize-payload",
            };
            let skip = n.sanitize == crate::engine::acl::Sanitize::Skip;
            changes.push(Change {
                // Skipping the check lets RESTORE load payloads the server would refuse
                // (with `sanitize-dump-payload clients`).
                class: if skip {
                    Class::Widens
                } else if o.sanitize == crate::engine::acl::Sanitize::Skip {
                    Class::Narrows
                } else {
                    Class::Neutral
                },
                what: What::Sanitize { old: word(o.sanitize).into(), new: word(n.sanitize).into() },
                dangerous: false,
                witness: skip
                    .then(|| login_witness(name, "RESTORE <key> 0 <a payload deep sanitisation would refuse>".into())),
                rule: None,
            });
        }
        let (op, np) = (self.old.analysis.profile, self.new.analysis.profile);
        let same = std::ptr::eq(op, np)
            && o.selectors.len() == n.selectors.len()
            && o.selectors.iter().zip(&n.selectors).all(|(a, b)| same_selector(a, b));
        if !same {
            match self.permissions(o, n) {
                Ok(c) => changes.extend(c),
                Err(e) => undecided.push(e.to_string()),
            }
        }
        if changes.is_empty() && undecided.is_empty() {
            fn text<'t>(i: Input<'t>, s: Option<Span>) -> Option<&'t str> {
                s.and_then(|s| i.text.get(s.start..s.end)).map(str::trim)
            }
            if text(self.old, ospan) != text(self.new, nspan) {
                changes.push(Change {
                    class: Class::Neutral,
                    what: What::Rewritten,
                    dangerous: false,
                    witness: None,
                    rule: line_rule(Which::New, n, nspan),
                });
            }
        }
        UserDiff { user, changes, undecided }
    }

    /// Commands gained and lost, and commands whose allowed lines changed (grouped by
    /// what lets them through), each with its witness.
    fn permissions(&mut self, o: &User, n: &User) -> Result<Vec<Change>, Undecided> {
        let (op, np) = (self.old.analysis.profile, self.new.analysis.profile);
        let uni = Universe::new([o, n])?;
        let old = Side { profile: op, user: o };
        let new = Side { profile: np, user: n };
        let (po, pn) = (uni.prepare(old), uni.prepare(new));
        let mut gained = Vec::new();
        let mut lost = Vec::new();
        // (class, through) → change
        let mut groups: Vec<Change> = Vec::new();
        let dangerous = |p: &Profile, name: &str| in_category(p, name, "dangerous");
        for name in names(&[np, op]) {
            if unchanged_command(op, np, o, n, name) {
                continue;
            }
            // Widening: the new side allows, the old denies; narrowing: the reverse.
            let sides = [
                (Class::Widens, (&pn, new, np, Which::New, self.new.text), (&po, old, op)),
                (Class::Narrows, (&po, old, op, Which::Old, self.old.text), (&pn, new, np)),
            ];
            for (class, (pa, a, ap, which, text), (pd, d, dp)) in sides {
                let Some(f) = witness(&uni, self.shapes.of(ap), pa, &[pd], name)? else { continue };
                let refs: Vec<&[u8]> = f.argv.iter().map(Vec::as_slice).collect();
                // The other side allows no line of the command at all: gained or lost.
                if witness(&uni, self.shapes.of(dp), pd, &[], name)?.is_none() {
                    let command = name.to_string();
                    let (what, list) = match class {
                        Class::Widens => (What::CommandGained { command }, &mut gained),
                        _ => (What::CommandLost { command }, &mut lost),
                    };
                    list.push(Change {
                        class,
                        what,
                        dangerous: dangerous(ap, name),
                        rule: command_rule(a, which, text, &refs),
                        witness: Some(witness_of(&a.user.name, f.argv)),
                    });
                } else {
                    let (why, r) = through(a, d, which, text, &refs);
                    add_group(&mut groups, class, why, r, name, dangerous(ap, name), &a.user.name, f.argv);
                }
            }
        }
        let mut out = gained;
        out.extend(lost);
        out.extend(groups);
        Ok(out)
    }
}

#[allow(clippy::too_many_arguments)]
fn add_group(
    groups: &mut Vec<Change>,
    class: Class,
    why: String,
    r: Option<Rule>,
    name: &str,
    dangerous: bool,
    user: &[u8],
    argv: Vec<Vec<u8>>,
) {
    match groups
        .iter_mut()
        .find(|g| g.class == class && matches!(&g.what, What::Arguments { through, .. } if *through == why))
    {
        Some(g) => {
            if let What::Arguments { commands, .. } = &mut g.what {
                commands.push(name.to_string());
            }
            if dangerous && !g.dangerous && class == Class::Widens {
                // Show the dangerous command as the witness: it is what a reviewer must see.
                g.witness = Some(witness_of(user, argv));
            }
            g.dangerous |= dangerous;
        }
        None => groups.push(Change {
            class,
            what: What::Arguments { through: why, commands: vec![name.to_string()] },
            dangerous,
            witness: Some(witness_of(user, argv)),
            rule: r,
        }),
    }
}

/// Whether the command's checks read the same on both sides: one version, the same
/// selectors' keys and channels, and the same command bit and first arguments in each.
fn unchanged_command(op: &Profile, np: &Profile, o: &User, n: &User, name: &str) -> bool {
    if !std::ptr::eq(op, np) || o.selectors.len() != n.selectors.len() {
        return false;
    }
    let Some(id) = np.lookup(name.as_bytes()) else { return true };
    o.selectors.iter().zip(&n.selectors).all(|(a, b)| {
        a.commands.get(id) == b.commands.get(id)
            && a.first_args_of(id) == b.first_args_of(id)
            && a.all_keys == b.all_keys
            && a.all_channels == b.all_channels
            && a.keys
                .iter()
                .map(|k| (&k.pattern, k.read, k.write))
                .eq(b.keys.iter().map(|k| (&k.pattern, k.read, k.write)))
            && a.channels.iter().map(|c| &c.pattern).eq(b.channels.iter().map(|c| &c.pattern))
            && a.all_dbs == b.all_dbs
            && a.dbs == b.dbs
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, analyze};

    fn run(old: &str, new: &str) -> Diff {
        run_on(Profile::default_profile(), old, new)
    }

    fn run_on(p: &'static Profile, old: &str, new: &str) -> Diff {
        let (a, b) = (analyze(old, &Options::new(p)), analyze(new, &Options::new(p)));
        diff(Input { analysis: &a, text: old }, Input { analysis: &b, text: new })
    }

    fn witnesses(d: &Diff, class: Class) -> Vec<String> {
        let changes = d.users.iter().flat_map(|u| &u.changes).filter(|c| c.class == class);
        changes.filter_map(|c| Some(c.witness.as_ref()?.line.clone())).collect()
    }

    #[test]
    fn an_argument_count_the_other_version_refuses_narrows() {
        // ZRANK's WITHSCORE is Redis 7.2's: Redis 7.0 refuses ZRANK with 3 arguments.
        let (Some(a), Some(b)) = (Profile::by_id("valkey-8.0"), Profile::by_id("redis-7.0")) else { return };
        let t = "user x on nopass ~* -@all +zrank\n";
        let (o, n) = (analyze(t, &Options::new(a)), analyze(t, &Options::new(b)));
        let d = diff(Input { analysis: &o, text: t }, Input { analysis: &n, text: t });
        let x = d.users.iter().find(|u| u.user == "x").unwrap();
        let w: Vec<&Witness> =
            x.changes.iter().filter(|c| c.class == Class::Narrows).filter_map(|c| c.witness.as_ref()).collect();
        assert!(w.iter().any(|w| w.argv.len() == 4 && w.argv[0] == "ZRANK"), "{d:#?}");
    }

    #[test]
    fn database_rules_change_access() {
        // Only a version with per-database rules reads `db=`: the one the registry says.
        let Some(p) = crate::commands::PROFILES.iter().find(|p| p.behavior.set_selector_database_rules) else {
            return;
        };
        // A DRYRUN line runs in database 0: moving GET to database 1 narrows.
        let d = run_on(p, "user a on nopass ~* +get db=0\n", "user a on nopass ~* +get db=1\n");
        assert!(d.narrows() && !d.widens(), "{d:#?}");
        assert!(witnesses(&d, Class::Narrows).iter().any(|w| w.starts_with("GET ")), "{d:#?}");
        // SELECT's argument is a database the rules check.
        let d = run_on(p, "user a on nopass +select db=0,1\n", "user a on nopass +select db=0,1,2\n");
        assert!(d.widens() && !d.narrows(), "{d:#?}");
        assert_eq!(witnesses(&d, Class::Widens), ["SELECT 2"], "{d:#?}");
        // FLUSHALL needs every database.
        let every = (0..16).map(|d| d.to_string()).collect::<Vec<_>>().join(",");
        let d = run_on(p, "user a on nopass +flushall db=0,1\n", &format!("user a on nopass +flushall db={every}\n"));
        assert_eq!(witnesses(&d, Class::Widens), ["FLUSHALL"], "{d:#?}");
        // The same databases written otherwise change nothing.
        let d = run_on(p, "user a on nopass ~* +get db=1,0\n", "user a on nopass ~* +get db=0 db=0,1\n");
        assert!(d.no_change_in_access(), "{d:#?}");
    }

    #[test]
    fn hidden_categories_are_expanded() {
        // `+@all -@dangerous` and `+@read +@write` look alike and are not: FLUSHALL is
        // @write and @dangerous; PING and EVAL are neither @read nor @write (nor is PUBLISH, but
        // no channel is allowed either way).
        let d = run("user app on nopass ~app:* +@all -@dangerous\n", "user app on nopass ~app:* +@read +@write\n");
        assert!(d.narrows() && d.widens() && d.dangerous(), "{d:#?}");
        let of = |k: fn(&What) -> Option<&str>| -> Vec<String> {
            d.users[0].changes.iter().filter_map(|c| k(&c.what).map(String::from)).collect()
        };
        let lost = of(|w| match w {
            What::CommandLost { command } => Some(command),
            _ => None,
        });
        let gained = of(|w| match w {
            What::CommandGained { command } => Some(command),
            _ => None,
        });
        assert!(
            lost.contains(&"ping".into()) && lost.contains(&"eval".into()) && !lost.contains(&"publish".into()),
            "{lost:?}"
        );
        assert!(gained.contains(&"flushall".into()), "{gained:?}");
        let c = d.users[0]
            .changes
            .iter()
            .find(|c| matches!(&c.what, What::CommandGained { command } if command == "flushall"));
        let c = c.unwrap();
        assert!(
            c.dangerous && c.rule.as_ref().unwrap().text == "+@write" && c.witness.as_ref().unwrap().line == "FLUSHALL"
        );
    }

    #[test]
    fn reordering_that_changes_nothing_is_neutral() {
        let d = run("user a on nopass ~x:* +get +set\n", "user a on nopass +set ~x:* +get\n");
        assert!(d.no_change_in_access(), "{d:#?}");
        assert!(matches!(d.users[0].changes[0].what, What::Rewritten));
        let d = run("user a on nopass ~x:* +get\n", "user a on nopass ~x:* ~x:1 +get\n");
        assert!(d.no_change_in_access(), "{d:#?}");
    }

    #[test]
    fn a_moved_resetkeys_widens_with_a_witness() {
        let d = run("user a on nopass ~x:* resetkeys ~y:* +get\n", "user a on nopass resetkeys ~x:* ~y:* +get\n");
        assert!(d.widens() && !d.narrows(), "{d:#?}");
        let w = d.users[0].changes.iter().find(|c| c.class == Class::Widens).unwrap().witness.clone().unwrap();
        assert!(w.line.starts_with("GET x:"), "{w:?}");
    }

    #[test]
    fn selectors_do_not_combine() {
        let d = run("user a on nopass ~a:* ~b:* +mset\n", "user a on nopass (~a:* +mset) (~b:* +mset)\n");
        assert!(d.narrows() && !d.widens(), "{d:#?}");
        let w = d.users[0].changes.iter().find(|c| c.class == Class::Narrows).unwrap().witness.clone().unwrap();
        assert!(w.line.starts_with("MSET ") && w.line.contains(" a:") && w.line.contains(" b:"), "{w:?}");
        // Read and write in different selectors do not make read-write.
        let d = run("user a on nopass %R~k %W~k +@all\n", "user a on nopass (%R~k +@all) (%W~k +@all)\n");
        assert!(d.narrows() && !d.widens(), "{d:#?}");
    }

    #[test]
    fn first_args_and_users() {
        let d = run("user a on nopass +select|0\n", "user a on nopass +select\n");
        assert!(d.widens() && !d.narrows(), "{d:#?}");
        let d = run("", "user b on nopass +get ~*\n");
        assert!(matches!(d.users[0].changes[0].what, What::UserAdded));
        assert!(d.users[0].changes[0].witness.as_ref().unwrap().line.starts_with("GET "));
    }
}
