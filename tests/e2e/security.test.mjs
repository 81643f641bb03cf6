// 9. Security: a CSP that forbids other origins, no request after load, pasted text
// never interpreted as HTML.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, open, BASE } from "./browser.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test("the page declares a CSP that keeps everything on its own origin", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  for (const d of ["default-src 'self'", "connect-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'"]) {
    assert.ok(csp.includes(d), d);
  }
  assert.ok(!/unsafe-inline|unsafe-eval'/.test(csp.replace("wasm-unsafe-eval", "")));
  // And the browser enforces it: a fetch elsewhere is refused.
  const refused = await page.evaluate(async () => {
    try {
      await fetch("http://example.invalid/");
      return false;
    } catch {
      return true;
    }
  });
  assert.ok(refused);
  await ctx.close();
});

test("every request is same-origin, and none happens after load", async () => {
  const ctx = await browser.newContext();
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = await ctx.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(BASE);
  await page.waitForSelector("#app[data-ready]");
  await page.waitForLoadState("networkidle");
  const origin = new URL(BASE).origin;
  assert.ok(requests.length > 0);
  for (const u of requests) assert.equal(new URL(u).origin, origin, u);
  const atLoad = requests.length;
  // Use everything: examples, typing, the simulator, passwords, share links, themes.
  for (const id of ["app", "selectors", "mistakes"]) {
    await page.locator(".examples summary").click();
    await page.locator(`[data-example="${id}"]`).click();
  }
  await page.getByLabel("ACL rules", { exact: true }).fill("user app on >pw ~app:* +@all");
  await page.getByLabel("Commands", { exact: true }).fill("GET app:1\nFLUSHALL");
  await page.getByRole("button", { name: "Generate password" }).click();
  await page.getByRole("button", { name: "Insert #hash into rules" }).click();
  await page.getByRole("button", { name: "Copy share link" }).click();
  await page.getByLabel("Share link", { exact: true }).waitFor();
  await page.getByRole("button", { name: /^Theme/ }).click();
  await page.getByLabel("Server version").selectOption("valkey-8.1");
  await page.waitForTimeout(300);
  assert.deepEqual(requests.slice(atLoad), []);
  await ctx.close();
});

test("pasted HTML is shown as text, never run", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  // No spaces: ACL files split on them, and the HTML parser accepts "/" instead.
  const evil = "<img/src=x/onerror=window.__pwned=1>";
  await page.getByLabel("ACL rules", { exact: true }).fill(`user app on nopass ~${evil} +get\nuser ${evil} on`);
  await page.getByLabel("User", { exact: true }).selectOption("app");
  await page.getByLabel("Commands", { exact: true }).fill(`GET ${evil}\nGET "<img src=x onerror=window.__pwned=1>"`);
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator("#app img").count(), 0);
  assert.equal(await page.locator(".mirror .t-keys").first().textContent(), `~${evil}`);
  assert.match(await page.locator('[data-user="app"] .acl-list code').textContent(), /~<img\/src=x\/onerror=window\.__pwned=1>/);
  assert.match(await page.locator(".sim-row").first().locator(".found").textContent(), /key '<img\/src=x\/onerror=window\.__pwned=1>'/);
  await ctx.close();
});
