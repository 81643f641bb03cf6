// 7. Embed mode: ?embed shows the editor and the simulator only; ?embed&readonly locks
// the rules. Embedded copies neither read nor overwrite the visitor's saved work.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, open } from "./browser.mjs";

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
  const rules = page.getByLabel("ACL rules", { exact: true });
  assert.notEqual(await rules.getAttribute("readonly"), null);
  const before = await rules.inputValue();
  await rules.click();
  await page.keyboard.type("xyz");
  assert.equal(await rules.inputValue(), before);
  assert.equal(await page.locator('input[type="file"]').count(), 0);
  await page.getByLabel("Commands", { exact: true }).fill("FLUSHALL");
  assert.equal(await page.locator(".sim-row").getAttribute("data-verdict"), "denied");
  await ctx.close();
});
