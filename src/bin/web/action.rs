//! What a control asks for. Every control carries `data-a`, the name of its [`Act`], and
//! for its argument `data-i` (a number), `data-s` (a span: "start end"), `data-t` (a
//! text) and `data-w` (what to call it); [`Action::read`] turns an element into an
//! [`Action`], here and nowhere else. One native listener on the page root forwards every
//! event (see `app`), which is what keeps the wasm small: no closure per button.

use aclplay::span::Span;
use web_sys::Element;
use yew::AttrValue;

macro_rules! acts {
    ($($act:ident = $name:literal,)*) => {
        /// The controls' names (`data-a`).
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub enum Act { $($act,)* }

        impl Act {
            pub const fn name(self) -> &'static str {
                match self { $(Act::$act => $name,)* }
            }
            fn by_name(name: &str) -> Option<Act> {
                match name { $($name => Some(Act::$act),)* _ => None }
            }
        }
    };
}

acts! {
    // Buttons.
    Theme = "theme",
    Dismiss = "dismiss",
    Example = "ex",
    At = "at",
    Mark = "mark",
    Fix = "fix",
    Harden = "harden",
    Copy = "copy",
    Insert = "ins",
    Share = "share",
    Generate = "gen",
    MoreUsers = "more",
    Commands = "cmds",
    Severity = "sev",
    BackToSaved = "back",
    KeepShared = "keep",
    RestorePrevious = "prev",
    RestoreSaved = "restore",
    DiscardSaved = "discard",
    // Inputs (their `input` or `change` events).
    Rules = "rules",
    CommandLines = "commands",
    Filter = "filter",
    Version = "profile",
    InputKind = "kind",
    User = "user",
    SnippetUser = "snip",
    PlainSecrets = "plain",
    OpenFile = "file",
    PwStyle = "style",
    PwBits = "bits",
    PwAlphabet = "alpha",
    PwLength = "len",
}

impl Act {
    /// `data-a`'s value.
    pub fn attr(self) -> AttrValue {
        AttrValue::Static(self.name())
    }
}

/// A click, with its argument.
pub enum Action {
    Theme,
    Dismiss,
    Example(usize),
    /// Select a span in the editor and bring it into view.
    At(Span),
    /// Mark (or unmark) the simulator's deciding rule.
    Mark(Span),
    /// Apply the fix of finding `i`.
    Fix(usize),
    Harden,
    Copy {
        text: String,
        what: String,
    },
    /// Insert a rule at the editor's caret.
    Insert {
        text: String,
        what: String,
    },
    Share,
    Generate,
    MoreUsers,
    /// Show or hide a user's command list.
    Commands(String),
    /// Show or hide the findings of a severity (0 info, 1 warning, 2 error).
    Severity(usize),
    BackToSaved,
    KeepShared,
    RestorePrevious,
    RestoreSaved,
    DiscardSaved,
}

/// A span as a `data-s` attribute ("start end").
pub fn span_attr(s: Span) -> AttrValue {
    let mut a = s.start.to_string();
    a.push(' ');
    a.push_str(&s.end.to_string());
    a.into()
}

fn parse_span(a: &str) -> Option<Span> {
    let (s, e) = a.split_once(' ')?;
    Some(Span::new(s.parse().ok()?, e.parse().ok()?))
}

impl Action {
    /// The action of a clicked control (the nearest element with `data-a`).
    pub fn read(el: &Element) -> Option<Action> {
        let attr = |k: &str| el.get_attribute(k).unwrap_or_default();
        let index = || attr("data-i").parse::<usize>().ok();
        let span = || parse_span(&attr("data-s"));
        Some(match Act::by_name(&attr("data-a"))? {
            Act::Theme => Action::Theme,
            Act::Dismiss => Action::Dismiss,
            Act::Example => Action::Example(index()?),
            Act::At => Action::At(span()?),
            Act::Mark => Action::Mark(span()?),
            Act::Fix => Action::Fix(index()?),
            Act::Harden => Action::Harden,
            Act::Copy => Action::Copy { text: attr("data-t"), what: attr("data-w") },
            Act::Insert => Action::Insert { text: attr("data-t"), what: attr("data-w") },
            Act::Share => Action::Share,
            Act::Generate => Action::Generate,
            Act::MoreUsers => Action::MoreUsers,
            Act::Commands => Action::Commands(attr("data-t")),
            Act::Severity => Action::Severity(index()?),
            Act::BackToSaved => Action::BackToSaved,
            Act::KeepShared => Action::KeepShared,
            Act::RestorePrevious => Action::RestorePrevious,
            Act::RestoreSaved => Action::RestoreSaved,
            Act::DiscardSaved => Action::DiscardSaved,
            _ => return None,
        })
    }

    /// The input whose `input` / `change` event this is.
    pub fn input_of(el: &Element) -> Option<Act> {
        Act::by_name(&el.get_attribute("data-a")?)
    }
}
