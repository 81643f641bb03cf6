// 4. Passwords: CSPRNG in the page, GENPASS (hex) and alphabet styles, entropy, SHA-256,
// copy, insert `#<hash>` or `>password` (with its warning) into the rules.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { launch, open } from "./browser.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const sha256 = (s) => createHash("sha256").update(s).digest("hex");

test("GENPASS style: 256 bits of hex, its hash, inserted as #hash", async () => {
  const ctx = await browser.newContext();
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = await open(ctx);
  const rules = page.getByLabel("ACL rules", { exact: true });
  await rules.fill("user app on ~app:* +get");
  await page.getByRole("button", { name: "Generate password" }).click();
  const pw = await page.locator("#pw-out").inputValue();
  assert.match(pw, /^[0-9a-f]{64}$/);
  assert.equal(await page.getByTestId("entropy").textContent(), "256 bits");
  assert.equal(await page.locator("#pw-hash").inputValue(), sha256(pw));
  await page.getByRole("button", { name: "Generate password" }).click();
  assert.notEqual(await page.locator("#pw-out").inputValue(), pw, "a new password each time");

  const pw2 = await page.locator("#pw-out").inputValue();
  // Caret after "on", then insert the hash.
  await rules.evaluate((t) => t.setSelectionRange(11, 11));
  await page.getByRole("button", { name: "Insert #hash into rules" }).click();
  assert.equal(await rules.inputValue(), `user app on #${sha256(pw2)} ~app:* +get`);
  assert.equal(await page.locator('[data-user="app"] .badge').textContent(), "accepted");
  // The insertion is one undoable edit.
  await page.keyboard.press("Control+Z");
  assert.equal(await rules.inputValue(), "user app on ~app:* +get");

  await page.getByRole("button", { name: "Copy password" }).click();
  await page.waitForFunction(() => document.getElementById("live").textContent === "Copied the password");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), pw2);
  await ctx.close();
});

test("alphabet style: 32 letters and digits by default, unbiased, plaintext warned", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.getByLabel("Alphabet and length").check();
  const seen = new Set();
  for (let i = 0; i < 20; i++) {
    await page.getByRole("button", { name: "Generate password" }).click();
    const pw = await page.locator("#pw-out").inputValue();
    assert.match(pw, /^[A-Za-z0-9]{32}$/);
    for (const c of pw) seen.add(c);
  }
  // 640 draws from 62 characters: every class shows up.
  assert.ok([...seen].some((c) => /[A-Z]/.test(c)) && [...seen].some((c) => /[a-z]/.test(c)) && [...seen].some((c) => /[0-9]/.test(c)));
  assert.equal(await page.getByTestId("entropy").textContent(), "191 bits"); // 32·log2(62) = 190.5
  await page.getByLabel("Length", { exact: true }).fill("20");
  await page.getByLabel("Length", { exact: true }).press("Tab");
  await page.getByRole("button", { name: "Generate password" }).click();
  assert.equal((await page.locator("#pw-out").inputValue()).length, 20);

  const rules = page.getByLabel("ACL rules", { exact: true });
  await rules.fill("user app on");
  await rules.evaluate((t) => t.setSelectionRange(11, 11));
  const insert = page.getByRole("button", { name: "Insert >password into rules" });
  assert.match(await page.locator("#plain-warning").textContent(), /plaintext/);
  assert.equal(await insert.getAttribute("aria-describedby"), "plain-warning");
  await insert.click();
  const pw = await page.locator("#pw-out").inputValue();
  assert.equal(await rules.inputValue(), `user app on >${pw}`);
  await ctx.close();
});
