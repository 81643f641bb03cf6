//! What a user may do, in plain words (`aclplay explain`, the playground's user cards).

use crate::bytes::lossy;
use crate::commands::{CmdId, Profile};
use crate::engine::acl::{Selector, User};
use crate::visible::escape;
use serde::Serialize;

/// One selector, summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SelectorSummary {
    /// Runnable commands and subcommands allowed (containers themselves not counted).
    pub allowed: usize,
    pub total: usize,
    /// `+@all` is in force (also commands added to the server later).
    pub future: bool,
    /// Categories whose every member is allowed.
    pub categories: Vec<&'static str>,
    /// Allowed commands of `@dangerous`.
    pub dangerous: Vec<&'static str>,
    /// Allowed commands of `@admin`.
    pub admin: Vec<&'static str>,
    /// Every allowed command or subcommand, by name.
    pub commands: Vec<&'static str>,
    /// `+cmd|arg` exceptions.
    pub first_args: Vec<String>,
    pub all_keys: bool,
    /// (pattern, read, write)
    pub keys: Vec<(String, bool, bool)>,
    pub all_channels: bool,
    pub channels: Vec<String>,
    /// The databases it may use: `None` for every one (`alldbs`, and always on versions
    /// without database rules), else the `db=` ids (empty after `resetdbs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub databases: Option<Vec<u32>>,
}

/// A user, summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserSummary {
    pub name: String,
    pub enabled: bool,
    pub nopass: bool,
    pub passwords: usize,
    pub selectors: Vec<SelectorSummary>,
}

impl UserSummary {
    /// Whether anyone can log in as this user without a password.
    pub fn open(&self) -> bool {
        self.enabled && self.nopass
    }
}

fn runnable(profile: &Profile, id: CmdId) -> bool {
    let c = profile.command(id);
    !c.container || c.name == "command"
}

pub fn selector(s: &Selector, profile: &Profile) -> SelectorSummary {
    let table = profile.table;
    let ids = || (0..table.commands().len() as CmdId).filter(|&i| runnable(profile, i));
    let allowed_ids: Vec<CmdId> = ids().filter(|&i| s.commands.get(i)).collect();
    let cat = |name: &str| table.category_index(name.as_bytes());
    let in_cat = |id: CmdId, c: Option<usize>| c.is_some_and(|c| profile.command(id).in_category(c));
    let (dangerous, admin) = (cat("dangerous"), cat("admin"));
    let categories = (0..table.categories.len())
        .filter(|&c| {
            let mask = profile.category_mask(c);
            mask.and_count(&s.commands) == mask.count()
        })
        .map(|c| table.categories[c])
        .collect();
    SelectorSummary {
        allowed: allowed_ids.len(),
        total: ids().count(),
        future: s.future,
        categories,
        dangerous: allowed_ids.iter().filter(|&&i| in_cat(i, dangerous)).map(|&i| profile.command(i).name).collect(),
        admin: allowed_ids.iter().filter(|&&i| in_cat(i, admin)).map(|&i| profile.command(i).name).collect(),
        commands: allowed_ids.iter().map(|&i| profile.command(i).name).collect(),
        first_args: s
            .first_args
            .iter()
            .flat_map(|(id, args)| args.iter().map(move |a| format!("{}|{}", profile.command(*id).name, lossy(a))))
            .collect(),
        all_keys: s.all_keys,
        keys: s.keys.iter().map(|k| (lossy(&k.pattern), k.read, k.write)).collect(),
        all_channels: s.all_channels,
        channels: s.channels.iter().map(|c| lossy(&c.pattern)).collect(),
        databases: (profile.behavior.set_selector_database_rules && !s.all_dbs).then(|| s.dbs.clone()),
    }
}

pub fn user(u: &User, profile: &Profile) -> UserSummary {
    UserSummary {
        name: lossy(&u.name),
        enabled: u.enabled,
        nopass: u.nopass,
        passwords: u.passwords.len(),
        selectors: u.selectors.iter().map(|s| selector(s, profile)).collect(),
    }
}

fn list(items: &[&str], max: usize) -> String {
    let mut s = items.iter().take(max).map(|i| i.to_ascii_uppercase()).collect::<Vec<_>>().join(", ");
    if items.len() > max {
        s.push_str(&format!(" and {} more", items.len() - max));
    }
    s
}

/// The summary as sentences (patterns shown with their hidden characters escaped).
pub fn sentences(s: &UserSummary) -> Vec<String> {
    let mut out = Vec::new();
    out.push(match (s.enabled, s.nopass, s.passwords) {
        (false, ..) => "cannot log in (`off`); it can still be tested with ACL DRYRUN".to_string(),
        (true, true, _) => "can log in with any password or none (`nopass`)".to_string(),
        (true, false, 0) => "cannot log in: it is `on` but has no password".to_string(),
        (true, false, 1) => "can log in with its password".to_string(),
        (true, false, n) => format!("can log in with any of its {n} passwords"),
    });
    for (i, sel) in s.selectors.iter().enumerate() {
        let lead = if i == 0 { String::new() } else { format!("or, through selector {i}: ") };
        let commands = if sel.allowed == sel.total && sel.future {
            "may run every command, including ones added to the server later".to_string()
        } else if sel.allowed == 0 && sel.first_args.is_empty() {
            "may run no command".to_string()
        } else {
            let mut c = format!("may run {} of {} commands", sel.allowed, sel.total);
            if !sel.categories.is_empty() && sel.categories.len() <= 6 {
                c.push_str(&format!(" (all of @{})", sel.categories.join(", @")));
            }
            if sel.allowed <= 8 && sel.allowed > 0 {
                c = format!("may run {}", list(&sel.commands, 8));
            }
            if !sel.first_args.is_empty() {
                let args: Vec<_> = sel.first_args.iter().map(|a| escape(a)).collect();
                c.push_str(&format!("; with a given first argument: {}", args.join(", ")));
            }
            c
        };
        out.push(format!("{lead}{commands}"));
        if !sel.dangerous.is_empty() && sel.allowed > 0 {
            out.push(format!("  dangerous commands allowed: {}", list(&sel.dangerous, 10)));
        }
        let keys = if sel.all_keys {
            "every key".to_string()
        } else if sel.keys.is_empty() {
            "no key".to_string()
        } else {
            sel.keys
                .iter()
                .map(|(p, r, w)| {
                    let how = match (r, w) {
                        (true, true) => "read and write",
                        (true, false) => "read only",
                        (false, true) => "write only",
                        // A pattern without `R`/`W` (`key_permissions`): it grants nothing.
                        (false, false) => "no access",
                    };
                    format!("`{}` ({how})", escape(p))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let channels = if sel.all_channels {
            "every channel".to_string()
        } else if sel.channels.is_empty() {
            "no channel".to_string()
        } else {
            sel.channels.iter().map(|c| format!("`{}`", escape(c))).collect::<Vec<_>>().join(", ")
        };
        let databases = match &sel.databases {
            None => String::new(),
            Some(ids) if ids.is_empty() => "; databases: none (`resetdbs`): only commands that use no database".into(),
            Some(ids) => {
                let ids: Vec<String> = ids.iter().map(u32::to_string).collect();
                format!("; databases: {} only", ids.join(", "))
            }
        };
        out.push(format!("  keys: {keys}; channels: {channels}{databases}"));
    }
    out
}
