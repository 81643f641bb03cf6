// The security audit beside the users (issue 4's lint): findings marked in the editor,
// "Apply fix", "Harden", and connection snippets that never inline a password.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, open } from "./browser.mjs";
import { thirtyLines } from "./inputs.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test("findings, fixes and Harden", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  const rules = page.getByLabel("ACL rules", { exact: true });
  await rules.fill("user default on nopass ~* &* +@all\nuser app on >app-secret-password ~app:* +@all\n");
  const codes = await page.locator(".finding").evaluateAll((els) => els.map((e) => e.dataset.code));
  assert.ok(codes.includes("default-user-open"), codes.join());
  assert.ok(codes.includes("plaintext-password"), codes.join());
  // Marked in the editor.
  assert.ok((await page.locator(".mirror .u-warn").count()) > 0);
  const plaintext = page.locator('.group[data-codes~="plaintext-password"]');
  await plaintext.getByRole("button", { name: /^Apply fix: replace it with/ }).click();
  assert.doesNotMatch(await rules.inputValue(), /app-secret-password/);
  assert.match(await rules.inputValue(), /user app on #[0-9a-f]{64}/);
  await page.keyboard.press("Control+Z");
  assert.match(await rules.inputValue(), /app-secret-password/, "a fix is one undoable edit");
  await page.getByRole("button", { name: "Harden" }).click();
  const hardened = await rules.inputValue();
  assert.doesNotMatch(hardened, /app-secret-password/);
  assert.ok(!(await page.locator(".finding").evaluateAll((els) => els.map((e) => e.dataset.code))).includes("default-user-open"));
  await ctx.close();
});

test("connection snippets read the password from the environment", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.getByLabel("ACL rules", { exact: true }).fill("user default off\nuser billing on >pw123456 ~bill:* +@all\n");
  await page.getByLabel("Connection user").selectOption("billing");
  const text = (await page.locator(".snippet pre").allTextContents()).join("\n");
  assert.match(text, /username=os\.environ\.get\("REDIS_USERNAME", "billing"\)/);
  assert.match(text, /password=os\.environ\["REDIS_PASSWORD"\]/);
  assert.match(text, /redis-cli .* --user billing --askpass/);
  assert.match(text, /process\.env\.REDIS_PASSWORD/);
  assert.match(text, /os\.Getenv\("REDIS_PASSWORD"\)/);
  assert.match(text, /System\.getenv\("REDIS_PASSWORD"\)/);
  assert.doesNotMatch(text, /pw123456/);
  await ctx.close();
});

// Review finding 7: what stops a file loading comes first, with fixes: a comment line
// removed (ACL files have none; the editor colours it as an error), "did you mean" for a
// misspelt command from the version's own table. After Harden and every fix, it loads.
test("fixes reach what stops the file loading: did you mean, comment lines", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  const rules = page.getByLabel("ACL rules", { exact: true });
  await rules.fill(
    [
      "# users of the shop",
      "user default on nopass ~* &* +@all",
      "user app on >app-secret-password ~app:* -@all +gett +set +@raed",
      "# the admin",
      "user admin on #" + "a".repeat(64) + " ~* +@all",
    ].join("\n") + "\n"
  );
  assert.match(await page.locator(".outcome").textContent(), /ACL LOAD → \(error\)/);
  // Coloured as what the server rejects.
  assert.equal(await page.locator(".mirror .t-com").count(), 0);
  assert.deepEqual(await page.locator(".mirror .t-unk").allTextContents(), ["# users of the shop", "# the admin"]);
  // Listed first, each with its fix.
  const first = page.locator(".finding-list .group").first();
  assert.match(await first.getAttribute("data-codes"), /load-error/);
  const gett = page.locator(".diag", { hasText: "+gett" });
  assert.match(await gett.locator(".help").textContent(), /did you mean `\+get`\?/);
  await gett.getByRole("button", { name: "Apply fix: replace `+gett` with `+get`" }).click();
  assert.match(await rules.inputValue(), / -@all \+get \+set /);
  // Harden removes the comment lines (and hides the password); the last typo is a fix.
  await page.getByRole("button", { name: "Harden" }).click();
  assert.doesNotMatch(await rules.inputValue(), /^#/m);
  await page.getByRole("button", { name: "Apply fix: replace `+@raed` with `+@read`" }).first().click();
  assert.match(await page.locator(".outcome").textContent(), /^ACL LOAD → OK/);
  const codes = await page.locator(".finding").evaluateAll((els) => els.map((e) => e.dataset.code));
  assert.ok(!codes.includes("load-error"), codes.join());
  await ctx.close();
});

// Review finding 8: a finding per user and rule, not five; a filter per severity; an
// honest count.
test("findings are grouped per user and rule, filtered by severity", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await open(ctx);
  await page.getByLabel("ACL rules", { exact: true }).fill(thirtyLines().replace("+gett", "+get"));
  const count = await page.getByTestId("findings-count").textContent();
  const [, findings, groups] = count.match(/^(\d+) findings in (\d+) groups/).map(Number);
  assert.ok(findings > groups, count);
  assert.equal(await page.locator(".finding").count(), findings, "every finding is listed");
  assert.equal(await page.locator(".finding-list .group").count(), groups);
  // One group for each +@all user's findings about `+@all`.
  const svc = page.locator(".group", { has: page.locator(".who", { hasText: /^svc3$/ }) });
  assert.equal(await svc.count(), 1);
  assert.ok((await svc.getAttribute("data-codes")).split(" ").length >= 2);
  // The panel stays short: groups fold their findings.
  const h = (await page.locator(".findings").boundingBox()).height;
  assert.ok(h < 2600, `the audit panel is ${h} px tall`);
  // Filter: warnings off.
  const warnings = page.getByRole("button", { name: /^Warnings \(\d+\)$/ });
  await warnings.click();
  assert.equal(await warnings.getAttribute("aria-pressed"), "false");
  const left = await page.locator(".finding-list .group").evaluateAll((els) => els.map((e) => e.className));
  assert.ok(left.every((c) => !/\bwarning\b/.test(c)), left.join());
  await ctx.close();
});
