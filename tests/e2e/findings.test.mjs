// The security audit beside the users (issue 4's lint): findings marked in the editor,
// "Apply fix", "Harden", and connection snippets that never inline a password.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, open } from "./browser.mjs";

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
  const plaintext = page.locator('.finding[data-code="plaintext-password"]');
  await plaintext.getByRole("button", { name: /^Apply fix/ }).click();
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
