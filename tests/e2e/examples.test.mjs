// 6. Examples: each loads a realistic setup in one click.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, open } from "./browser.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const EXPECT = {
  production: { user: "app", users: ["default", "admin", "app", "worker"], ok: true },
  app: { user: "app", users: ["default", "app"], ok: true },
  cache: { user: "cache", users: ["default", "cache"], ok: true },
  analytics: { user: "analytics", users: ["default", "analytics"], ok: true },
  monitoring: { user: "monitor", users: ["default", "monitor"], ok: true },
  selectors: { user: "reporting", users: ["default", "reporting"], ok: true },
  mistakes: { user: "reports", users: ["default", "app", "reports", "ops"], ok: false },
};

test("every example loads in one click, with a denial to explain", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  const buttons = page.locator(".gallery button");
  assert.equal(await buttons.count(), 7);
  for (const [id, want] of Object.entries(EXPECT)) {
    await page.locator(".examples summary").click();
    await page.locator(`[data-example="${id}"]`).click();
    await page.waitForFunction((u) => document.getElementById("live").textContent.startsWith("Loaded the example"), null);
    const users = await page.locator(".user").evaluateAll((els) => els.map((e) => e.dataset.user));
    assert.deepEqual(users, want.users, id);
    assert.equal(await page.getByLabel("User", { exact: true }).inputValue(), want.user, id);
    const outcome = await page.locator(".outcome").textContent();
    assert.equal(outcome.startsWith("ACL LOAD → OK"), want.ok, `${id}: ${outcome}`);
    if (id === "mistakes") {
      // The lesson: -@dangerous before +@all removes nothing, FLUSHALL would be allowed;
      // but the pattern after allkeys makes ACL LOAD refuse the file, so the server has
      // no such user at all.
      const row = page.locator(".sim-row").first();
      assert.equal(await row.getAttribute("data-hypothetical"), "allowed");
      assert.equal(await row.getAttribute("data-verdict"), "error");
      assert.equal(await row.locator(".reply").textContent(), "(error) ERR User 'reports' not found");
    } else {
      assert.ok((await page.locator('.sim-row[data-verdict="denied"]').count()) >= 1, `${id} shows a denial`);
      assert.ok((await page.locator('.sim-row[data-verdict="allowed"]').count()) >= 1, `${id} shows an allowed command`);
    }
  }
  // The mistakes example shows its lessons as findings.
  const codes = await page.locator(".finding").evaluateAll((els) => els.map((e) => e.dataset.code));
  for (const c of ["default-user-open", "plaintext-password"]) assert.ok(codes.includes(c), `${c} in ${codes}`);
  await ctx.close();
});
