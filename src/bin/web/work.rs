//! The work (what the autosave and share links keep), the theme, the messages above the
//! page, and the work as JSON.

use crate::action::Act;
use crate::platform::storage;
use aclplay::{Kind, Profile};
use yew::AttrValue;

/// What the user works on: everything a share link or the autosave keeps.
#[derive(Clone, PartialEq)]
pub struct Work {
    pub rules: String,
    pub commands: String,
    pub profile: &'static Profile,
    /// `None`: detect the kind of input.
    pub kind: Option<Kind>,
    /// The simulator's user (empty: the first one defined).
    pub user: String,
}

impl Work {
    pub fn new(rules: &str, commands: &str, user: &str) -> Work {
        Work {
            rules: rules.to_string(),
            commands: commands.to_string(),
            profile: Profile::default_profile(),
            kind: None,
            user: user.to_string(),
        }
    }
}

/// Light, dark, or whatever the system prefers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn id(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
    pub fn by_id(id: &str) -> Theme {
        match id {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }
    pub fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }
    pub fn load() -> Theme {
        storage::get(storage::THEME).map_or(Theme::System, |t| Theme::by_id(&t))
    }
    pub fn save(self) {
        storage::set(storage::THEME, self.id());
    }
}

/// A message shown above the work, with the buttons that answer it.
#[derive(Clone, PartialEq)]
pub struct Notice {
    pub error: bool,
    pub text: AttrValue,
    pub actions: Vec<(Act, &'static str)>,
}

impl Notice {
    pub fn info(text: impl Into<AttrValue>) -> Notice {
        Notice { error: false, text: text.into(), actions: Vec::new() }
    }
    pub fn error(text: impl Into<AttrValue>) -> Notice {
        Notice { error: true, text: text.into(), actions: Vec::new() }
    }
    pub fn with(mut self, act: Act, label: &'static str) -> Notice {
        self.actions.push((act, label));
        self
    }
}

/// Work as a JSON object (for the autosave and share links): built with the browser's
/// JSON so that no serializer ships in the wasm.
pub fn to_json(w: &Work) -> String {
    let o = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        let _ = js_sys::Reflect::set(&o, &k.into(), &v.into());
    };
    set("v", "1");
    set("rules", &w.rules);
    set("commands", &w.commands);
    set("server", w.profile.id);
    set("kind", w.kind.map_or("auto", |k| k.id()));
    set("user", &w.user);
    js_sys::JSON::stringify(&o).ok().and_then(|s| s.as_string()).unwrap_or_default()
}

/// The inverse of [`to_json`]; `Err` says what is wrong.
pub fn from_json(text: &str) -> Result<Work, String> {
    let o = js_sys::JSON::parse(text).map_err(|_| "it is not valid JSON".to_string())?;
    if !o.is_object() {
        return Err("it holds no playground state".into());
    }
    let get = |k: &str| js_sys::Reflect::get(&o, &k.into()).ok().and_then(|v| v.as_string());
    if get("v").as_deref() != Some("1") {
        return Err("it was made by an unknown version of the playground".into());
    }
    let rules = get("rules").ok_or("it has no rules")?;
    let profile = get("server").and_then(|id| Profile::by_id(&id)).ok_or("it names no known server version")?;
    let kind = match get("kind").as_deref() {
        None | Some("auto") => None,
        Some(id) => Some(Kind::by_id(id).ok_or("it names an unknown kind of input")?),
    };
    Ok(Work {
        rules,
        commands: get("commands").unwrap_or_default(),
        profile,
        kind,
        user: get("user").unwrap_or_default(),
    })
}

/// The saved work (or the one kept under `key`).
pub fn load(key: &str) -> Option<Work> {
    from_json(&storage::get(key)?).ok()
}

pub fn save(key: &str, w: &Work) {
    storage::set(key, &to_json(w));
}
