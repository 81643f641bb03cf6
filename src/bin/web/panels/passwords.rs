//! Password generator: the browser's CSPRNG (getrandom → crypto.getRandomValues),
//! unbiased, in `ACL GENPASS` style (hex) or from an alphabet. Shows the entropy and the
//! SHA-256 to put in files as `#<hash>`.

use crate::action::Act;
use crate::app::App;
use crate::platform::dom;
use aclplay::password::{entropy_bits, genpass, random_from, sha256_hex};
use yew::prelude::*;

const ALPHABETS: &[(&str, &str, &str)] = &[
    ("alnum", "Letters and digits (62)", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
    ("lower", "Lowercase letters and digits (36)", "abcdefghijklmnopqrstuvwxyz0123456789"),
    (
        "symbols",
        "Letters, digits and symbols (86)",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&*+-./:;=?@^_~|",
    ),
];

/// The generator's settings and its last password.
pub struct Pw {
    /// `ACL GENPASS` style (else: from an alphabet).
    genpass: bool,
    bits: u32,
    alphabet: usize,
    length: usize,
    /// Password, its SHA-256 (hex), its entropy in bits.
    out: Option<(String, String, u64)>,
    error: Option<String>,
}

impl Default for Pw {
    fn default() -> Pw {
        Pw { genpass: true, bits: 256, alphabet: 0, length: 32, out: None, error: None }
    }
}

impl Pw {
    /// A `change` of one of the settings.
    pub fn set(&mut self, what: Act, v: &str) {
        match what {
            Act::PwStyle => self.genpass = v == "genpass",
            Act::PwBits => self.bits = v.parse::<u32>().unwrap_or(256).clamp(1, 4096),
            Act::PwAlphabet => self.alphabet = ALPHABETS.iter().position(|a| a.0 == v).unwrap_or(0),
            _ => self.length = v.parse::<usize>().unwrap_or(32).clamp(1, 1024),
        }
    }

    /// Makes a password; returns what to announce.
    pub fn generate(&mut self) -> Option<String> {
        let r = if self.genpass {
            genpass(self.bits).map(|p| (p, u64::from(self.bits.div_ceil(4) * 4)))
        } else {
            let chars: Vec<char> = ALPHABETS[self.alphabet].2.chars().collect();
            random_from(&chars, self.length).map(|p| (p, entropy_bits(chars.len(), self.length).round() as u64))
        };
        match r {
            Ok((p, bits)) => {
                self.out = Some((p.clone(), sha256_hex(p.as_bytes()), bits));
                self.error = None;
                Some(format!("Generated a password with {bits} bits of entropy"))
            }
            Err(e) => {
                self.error = Some(e.to_string());
                None
            }
        }
    }
}

/// Inserts `text` at the editor's caret (with spaces around it), as typing would;
/// `value` is the editor's text.
pub fn insert(value: &str, text: &str) {
    let Some(t) = dom::textarea("rules") else { return };
    let caret = t.selection_end().ok().flatten().unwrap_or(0);
    let at = dom::byte_offset(value, caret);
    let spaced = |c: Option<char>| if c.is_some_and(|c| !c.is_whitespace()) { " " } else { "" };
    let padded = [spaced(value[..at].chars().last()), text, spaced(value[at..].chars().next())].concat();
    dom::replace_range(&t, caret, caret, &padded);
}

pub fn view(app: &App) -> Html {
    let pw = &app.ui.pw;
    let result = pw.out.as_ref().map(|(password, hash, bits)| {
        html! {
            <div class="pw-result">
                <label class="label" for="pw-out">{ "Password" }</label>
                <div class="row">
                    <input id="pw-out" class="mono" readonly=true value={password.clone()} />
                    <button type="button" data-a={Act::Copy.attr()} data-t={password.clone()} data-w="password">{ "Copy password" }</button>
                </div>
                <p><strong data-testid="entropy">{ format!("{bits} bits") }</strong>{ " of entropy" }</p>
                <label class="label" for="pw-hash">{ "SHA-256 (for " }<code>{ "#<hash>" }</code>{ " rules)" }</label>
                <div class="row">
                    <input id="pw-hash" class="mono" readonly=true value={hash.clone()} />
                    <button type="button" data-a={Act::Copy.attr()} data-t={hash.clone()} data-w="SHA-256 hash">{ "Copy hash" }</button>
                </div>
                if !app.readonly {
                    <div class="row">
                        <button type="button" data-a={Act::Insert.attr()} data-t={format!("#{hash}")} data-w="Inserted the hash into the rules">
                            { "Insert #hash into rules" }
                        </button>
                        <button type="button" class="warn" data-a={Act::Insert.attr()} data-t={format!(">{password}")}
                            data-w="Inserted the plaintext password into the rules" aria-describedby="plain-warning">
                            { "Insert >password into rules" }
                        </button>
                    </div>
                    <p id="plain-warning" class="warning">{ "A >password rule stores the password in plaintext in the file: anyone who reads the file or a share link of it learns it. Prefer #hash in files; give the password to the application through its environment." }</p>
                }
            </div>
        }
    });
    let alphabets = ALPHABETS.iter().enumerate().map(|(i, a)| {
        html! { <option value={a.0} selected={i == pw.alphabet}>{ a.1 }</option> }
    });

    html! {
        <section class="passwords panel" aria-labelledby="pw-h">
            <h2 id="pw-h">{ "Passwords" }</h2>
            <p class="muted">{ "Made in this page with the browser's cryptographic random generator; nothing is sent anywhere." }</p>
            <fieldset>
                <legend>{ "Style" }</legend>
                <label class="inline"><input type="radio" name="pw-style" value="genpass" checked={pw.genpass} data-a={Act::PwStyle.attr()} />{ " ACL GENPASS (hex)" }</label>
                <label class="inline"><input type="radio" name="pw-style" value="alphabet" checked={!pw.genpass} data-a={Act::PwStyle.attr()} />{ " Alphabet and length" }</label>
            </fieldset>
            if pw.genpass {
                <label class="inline">{ "Bits " }<input type="number" min="1" max="4096" value={pw.bits.to_string()} data-a={Act::PwBits.attr()} /></label>
            } else {
                <div class="row">
                    <label class="inline">{ "Alphabet " }<select data-a={Act::PwAlphabet.attr()}>{ for alphabets }</select></label>
                    <label class="inline">{ "Length " }<input type="number" min="1" max="1024" value={pw.length.to_string()} data-a={Act::PwLength.attr()} /></label>
                </div>
            }
            <button type="button" class="primary" data-a={Act::Generate.attr()}>{ "Generate password" }</button>
            if let Some(e) = &pw.error {
                <p class="warning">{ e.clone() }</p>
            }
            { result }
        </section>
    }
}
