//! A `<select>` of user names: its own component so that a 1,000-user list is rebuilt
//! only when the names change, not on every keystroke.

use std::rc::Rc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct UserSelectProps {
    /// Compared by value: equal lists render nothing new.
    pub names: Rc<Vec<AttrValue>>,
    pub selected: AttrValue,
    pub label: AttrValue,
    pub onchange: Callback<AttrValue>,
}

#[function_component]
pub fn UserSelect(props: &UserSelectProps) -> Html {
    let onchange = {
        let cb = props.onchange.clone();
        Callback::from(move |e: Event| cb.emit(e.target_unchecked_into::<HtmlSelectElement>().value().into()))
    };
    let options = props.names.iter().map(|n| {
        html! { <option key={n.as_str()} value={n.clone()} selected={*n == props.selected}>{ n.clone() }</option> }
    });
    html! { <select {onchange} aria-label={props.label.clone()}>{ for options }</select> }
}
