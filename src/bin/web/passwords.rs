//! Password generator: the browser's CSPRNG (getrandom → crypto.getRandomValues),
//! unbiased, in `ACL GENPASS` style (hex) or from an alphabet. Shows the entropy and the
//! SHA-256 to put in files as `#<hash>`.

use aclplay::password::{entropy_bits, genpass, random_from, sha256_hex};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PasswordsProps {
    /// The rules editor, to insert at its caret.
    pub textarea: NodeRef,
    pub readonly: bool,
    pub on_copy: Callback<(String, String)>,
    pub announce: Callback<String>,
}

const ALPHABETS: &[(&str, &str, &str)] = &[
    ("alnum", "Letters and digits (62)", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
    ("lower", "Lowercase letters and digits (36)", "abcdefghijklmnopqrstuvwxyz0123456789"),
    (
        "symbols",
        "Letters, digits and symbols (86)",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&*+-./:;=?@^_~|",
    ),
];

#[derive(Clone, PartialEq)]
struct Generated {
    password: String,
    bits: f64,
}

/// Inserts `text` at the editor's caret (with spaces around it), as typing would.
fn insert(ta: &NodeRef, text: &str) {
    let Some(t) = ta.cast::<HtmlTextAreaElement>() else { return };
    let value = t.value();
    let caret = t.selection_end().ok().flatten().unwrap_or(0);
    let at = crate::dom::byte_offset(&value, caret);
    let before = value[..at].chars().last();
    let after = value[at..].chars().next();
    let pad_l = if before.is_some_and(|c| !c.is_whitespace()) { " " } else { "" };
    let pad_r = if after.is_some_and(|c| !c.is_whitespace()) { " " } else { "" };
    crate::dom::insert_text(&t, caret, caret, &format!("{pad_l}{text}{pad_r}"));
}

#[function_component]
pub fn Passwords(props: &PasswordsProps) -> Html {
    let style = use_state(|| "genpass".to_string());
    let bits = use_state(|| 256u32);
    let alphabet = use_state(|| 0usize);
    let length = use_state(|| 32usize);
    let out = use_state(|| None::<Generated>);
    let error = use_state(|| None::<String>);

    let generate = {
        let (style, bits, alphabet, length, out, error) =
            (style.clone(), bits.clone(), alphabet.clone(), length.clone(), out.clone(), error.clone());
        let announce = props.announce.clone();
        Callback::from(move |_| {
            let r = if *style == "genpass" {
                genpass(*bits).map(|p| Generated { password: p, bits: (*bits).div_ceil(4) as f64 * 4.0 })
            } else {
                let chars: Vec<char> = ALPHABETS[*alphabet].2.chars().collect();
                random_from(&chars, *length)
                    .map(|p| Generated { password: p, bits: entropy_bits(chars.len(), *length) })
            };
            match r {
                Ok(g) => {
                    announce.emit(format!("Generated a password with {} bits of entropy", g.bits.round() as u64));
                    out.set(Some(g));
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        })
    };
    let on_style = {
        let style = style.clone();
        Callback::from(move |e: Event| style.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_bits = {
        let bits = bits.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            bits.set(v.parse::<u32>().unwrap_or(256).clamp(1, 4096));
        })
    };
    let on_len = {
        let length = length.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            length.set(v.parse::<usize>().unwrap_or(32).clamp(1, 1024));
        })
    };
    let on_alpha = {
        let alphabet = alphabet.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            alphabet.set(ALPHABETS.iter().position(|a| a.0 == v).unwrap_or(0));
        })
    };

    let result = (*out).clone().map(|g| {
        let hash = sha256_hex(g.password.as_bytes());
        let copy_pw = {
            let (cb, p) = (props.on_copy.clone(), g.password.clone());
            Callback::from(move |_| cb.emit((p.clone(), "password".into())))
        };
        let copy_hash = {
            let (cb, h) = (props.on_copy.clone(), hash.clone());
            Callback::from(move |_| cb.emit((h.clone(), "SHA-256 hash".into())))
        };
        let insert_hash = {
            let (ta, h, a) = (props.textarea.clone(), hash.clone(), props.announce.clone());
            Callback::from(move |_| {
                insert(&ta, &format!("#{h}"));
                a.emit("Inserted the hash into the rules".into());
            })
        };
        let insert_plain = {
            let (ta, p, a) = (props.textarea.clone(), g.password.clone(), props.announce.clone());
            Callback::from(move |_| {
                insert(&ta, &format!(">{p}"));
                a.emit("Inserted the plaintext password into the rules".into());
            })
        };
        html! {
            <div class="pw-result">
                <label class="label" for="pw-out">{ "Password" }</label>
                <div class="row">
                    <input id="pw-out" class="mono" readonly=true value={g.password.clone()} />
                    <button type="button" onclick={copy_pw}>{ "Copy password" }</button>
                </div>
                <p><strong data-testid="entropy">{ format!("{} bits", g.bits.round() as u64) }</strong>{ " of entropy" }</p>
                <label class="label" for="pw-hash">{ "SHA-256 (for " }<code>{ "#<hash>" }</code>{ " rules)" }</label>
                <div class="row">
                    <input id="pw-hash" class="mono" readonly=true value={hash.clone()} />
                    <button type="button" onclick={copy_hash}>{ "Copy hash" }</button>
                </div>
                if !props.readonly {
                    <div class="row">
                        <button type="button" onclick={insert_hash}>{ "Insert #hash into rules" }</button>
                        <button type="button" class="warn" onclick={insert_plain} aria-describedby="plain-warning">{ "Insert >password into rules" }</button>
                    </div>
                    <p id="plain-warning" class="warning">{ "A >password rule stores the password in plaintext in the file: anyone who reads the file or a share link of it learns it. Prefer #hash in files; give the password to the application through its environment." }</p>
                }
            </div>
        }
    });

    html! {
        <section class="passwords panel" aria-labelledby="pw-h">
            <h2 id="pw-h">{ "Passwords" }</h2>
            <p class="muted">{ "Made in this page with the browser's cryptographic random generator; nothing is sent anywhere." }</p>
            <fieldset>
                <legend>{ "Style" }</legend>
                <label class="inline"><input type="radio" name="pw-style" value="genpass" checked={*style == "genpass"} onchange={on_style.clone()} />{ " ACL GENPASS (hex)" }</label>
                <label class="inline"><input type="radio" name="pw-style" value="alphabet" checked={*style == "alphabet"} onchange={on_style} />{ " Alphabet and length" }</label>
            </fieldset>
            if *style == "genpass" {
                <label class="inline">{ "Bits " }<input type="number" min="1" max="4096" value={bits.to_string()} onchange={on_bits} /></label>
            } else {
                <div class="row">
                    <label class="inline">{ "Alphabet " }
                        <select onchange={on_alpha}>
                            { for ALPHABETS.iter().enumerate().map(|(i, a)| html! { <option value={a.0} selected={i == *alphabet}>{ a.1 }</option> }) }
                        </select>
                    </label>
                    <label class="inline">{ "Length " }<input type="number" min="1" max="1024" value={length.to_string()} onchange={on_len} /></label>
                </div>
            }
            <button type="button" class="primary" onclick={generate}>{ "Generate password" }</button>
            if let Some(e) = &*error {
                <p class="warning">{ e.clone() }</p>
            }
            { result }
        </section>
    }
}
