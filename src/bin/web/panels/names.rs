//! A `<select>` of user names: a component of its own so that a 10,000-user list is
//! rebuilt only when the names change, not on every keystroke. Names are shown with their
//! hidden characters escaped (`\u{202e}tnega`, not "agent").

use crate::action::Act;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NamesProps {
    /// Compared by pointer first: the doc keeps the same list while the names stay.
    pub names: Rc<Vec<AttrValue>>,
    pub selected: AttrValue,
    pub label: &'static str,
    /// The action of its `change` event.
    pub act: Act,
}

pub struct Names;

impl Component for Names {
    type Message = ();
    type Properties = NamesProps;

    fn create(_: &Context<Self>) -> Self {
        Names
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let p = ctx.props();
        let options = p.names.iter().map(|n| {
            let shown = aclplay::visible::escape(n).into_owned();
            html! { <option key={n.as_str()} value={n.clone()} selected={*n == p.selected}>{ shown }</option> }
        });
        html! { <select data-a={p.act.attr()} aria-label={p.label}>{ for options }</select> }
    }
}
