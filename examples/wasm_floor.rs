//! The playground's size floor: the engine behind a one-textarea Yew page, with none of
//! the playground's panels. It calls what the playground calls (analyze, lint, highlight,
//! the diagnostics' messages, ACL LIST, the summaries, DRYRUN and its explanation, the
//! password generator and SHA-256), so the same engine code and data end up in the wasm.
//! `scripts/wasm-size.sh --floor` builds it and prints its transfer size.

use yew::prelude::*;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[function_component]
fn Floor() -> Html {
    let text = use_state(String::new);
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let t: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            text.set(t.value());
        })
    };
    let mut out = Vec::new();
    for p in aclplay::PROFILES {
        let a = aclplay::analyze(&text, &aclplay::Options::new(p));
        let findings = aclplay::audit::lint(&a, &text);
        let tokens = aclplay::input::highlight::highlight(&text, &a.document);
        out.push(format!("{} users, {} findings, {} tokens", a.users.len(), findings.len(), tokens.len()));
        out.extend(a.diagnostics.iter().map(|d| d.message()));
        out.extend(findings.iter().map(|f| f.message.clone()));
        let argv: Vec<&[u8]> = text.split(' ').map(str::as_bytes).collect();
        for r in &a.users {
            out.push(a.acl_list(&r.user).unwrap_or_default());
            out.extend(aclplay::verdicts::summary::sentences(&aclplay::verdicts::summary::user(&r.user, p)));
            let allowed = a.dryrun(r.name().as_bytes(), &argv).is_ok();
            let x = aclplay::verdicts::explain(p, r.name().as_bytes(), Some(&r.user), &argv);
            out.push(format!("{allowed} {}", x.deciding_span().map_or(0, |s| s.start)));
        }
    }
    out.push(aclplay::password::genpass(256).unwrap_or_default());
    out.push(aclplay::password::sha256_hex(text.as_bytes()));
    html! { <main><textarea aria-label="ACL rules" {oninput} /><pre>{ out.join("\n") }</pre></main> }
}

fn main() {
    yew::Renderer::<Floor>::new().render();
}
