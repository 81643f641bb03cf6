//! A `<select>` of user names: a component of its own so that a 1,000-user list is
//! rebuilt only when the names change, not on every keystroke.

use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NamesProps {
    /// Compared by value: equal lists render nothing new.
    pub names: Rc<Vec<AttrValue>>,
    pub selected: AttrValue,
    pub label: &'static str,
    /// The `data-a` action of its `change` event.
    pub act: &'static str,
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
            html! { <option key={n.as_str()} value={n.clone()} selected={*n == p.selected}>{ n.clone() }</option> }
        });
        html! { <select data-a={p.act} aria-label={p.label}>{ for options }</select> }
    }
}
