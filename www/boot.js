// Loads the wasm app. An external module (not Trunk's inline script) so that the
// Content-Security-Policy can forbid inline scripts. Trunk fills in the hashed names.
const boot = document.getElementById("boot");
const glue = await import(new URL(boot.dataset.js, document.baseURI).href);
await glue.default({ module_or_path: new URL(boot.dataset.wasm, document.baseURI) });
