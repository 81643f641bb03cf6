// 7. Embed mode: ?embed shows the editor and the simulator only; ?embed&readonly locks
// the rules. Embedded copies neither read nor overwrite the visitor's saved work.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, open, BASE } from "./browser.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test("?embed is compact: editor and simulator", async () => {
  const ctx = await browser.newContext({ viewport: { width: 800, height: 500 } });
  const own = await open(ctx);
  await own.getByLabel("ACL rules", { exact: true }).fill("user mine on nopass ~* +@all");
  const page = await open(ctx, "?embed");
  assert.ok(await page.locator(".app.embed").isVisible());
  assert.ok(await page.getByLabel("ACL rules", { exact: true }).isVisible());
  assert.ok(await page.getByLabel("Commands", { exact: true }).isVisible());
  for (const gone of [".gallery", ".users", ".passwords", ".findings", ".share"]) {
    assert.equal(await page.locator(gone).count(), 0, gone);
  }
  assert.doesNotMatch(await page.getByLabel("ACL rules", { exact: true }).inputValue(), /mine/);
  await page.getByLabel("ACL rules", { exact: true }).fill("user embedded on");
  await own.reload();
  await own.waitForSelector("#app[data-ready]");
  assert.equal(await own.getByLabel("ACL rules", { exact: true }).inputValue(), "user mine on nopass ~* +@all");
  // Fits the iframe's width.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth));
  await ctx.close();
});

test("?embed&readonly locks the rules but keeps the simulator", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx, "?embed&readonly");
  // The rules are shown, not edited: no textarea to type into.
  const rules = page.getByLabel("ACL rules (read-only)", { exact: true });
  const before = await rules.textContent();
  assert.match(before, /user default off/);
  await rules.click();
  await page.keyboard.type("xyz");
  assert.equal(await rules.textContent(), before);
  assert.equal(await page.locator("textarea#rules").count(), 0);
  assert.equal(await page.locator('input[type="file"]').count(), 0);
  await page.getByLabel("Commands", { exact: true }).fill("FLUSHALL");
  assert.equal(await page.locator(".sim-row").getAttribute("data-verdict"), "denied");
  await ctx.close();
});

// Review finding 9: in a 700×500 iframe, the first result is inside the frame; no banner;
// long hashes shortened in display; a visible read-only state; an "Open in aclplay" link.
test("a read-only embed in a 700x500 iframe shows its first result", async () => {
  const ctx = await browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await ctx.newPage();
  await page.setContent(`<iframe id="f" src="${BASE}?embed&readonly" width="700" height="500" style="border:0"></iframe>`);
  const frame = page.frameLocator("#f");
  await frame.locator("#app[data-ready]").waitFor();
  const el = await page.locator("#f").elementHandle();
  const f = await el.contentFrame();
  const first = await f.locator(".sim-row").first().boundingBox();
  const box = await page.locator("#f").boundingBox();
  assert.ok(first && first.y + first.height <= box.y + 500, `the first result ends at ${first?.y + first?.height - box.y} px of 500`);
  assert.equal(await f.locator(".notice").count(), 0, "no banner");
  assert.ok(await f.getByTestId("readonly").isVisible(), "read-only is shown");
  const open = f.getByRole("link", { name: /Open in aclplay/ });
  assert.ok(await open.isVisible());
  assert.doesNotMatch(await open.getAttribute("href"), /embed|readonly/);
  // Hashes shortened in the rules view, whole in their tooltip.
  const hash = f.locator(".static-rules .t-hash").first();
  assert.match(await hash.textContent(), /^#[0-9a-f]{6}…[0-9a-f]{4}$/);
  assert.match(await hash.getAttribute("title"), /^#[0-9a-f]{64}$/);
  assert.ok(await f.evaluate(() => document.documentElement.scrollWidth <= innerWidth), "no sideways scroll");
  await ctx.close();
});

test("an embed opened from a share link keeps the link for Open in aclplay, and shows no banner", async () => {
  const ctx = await browser.newContext();
  const own = await open(ctx);
  await own.getByLabel("ACL rules", { exact: true }).fill("user default off\nuser app on #" + "c".repeat(64) + " ~app:* +get\n");
  await own.getByLabel("User", { exact: true }).selectOption("app");
  await own.getByLabel("Commands", { exact: true }).fill("GET app:1\nSET app:1 x");
  await own.getByRole("button", { name: "Copy share link" }).click();
  const link = await own.getByLabel("Share link", { exact: true }).inputValue();
  const fragment = link.slice(link.indexOf("#"));
  const page = await open(ctx, "?embed&readonly" + fragment);
  await page.locator(".sim-row").nth(1).waitFor();
  assert.equal(await page.locator(".notice").count(), 0);
  assert.equal(await page.getByRole("link", { name: /Open in aclplay/ }).getAttribute("href"), new URL(BASE).pathname + fragment);
  assert.equal(await page.locator(".sim-row").nth(1).getAttribute("data-verdict"), "denied");
  await ctx.close();
});
