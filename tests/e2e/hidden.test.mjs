// Review finding 5: characters that hide or reorder text ("Trojan Source": U+202E and
// friends, zero-width characters) are shown as visible escapes wherever a name or rule
// is displayed, user text is isolated, and the audit flags them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, open } from "./browser.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test("a U+202E user is shown escaped and flagged", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.getByLabel("Server version").selectOption("valkey-8.1");
  await page.getByLabel("ACL rules", { exact: true }).fill("user default off\nuser \u202Etnega on nopass ~a\u200B:* +get\n");
  const card = page.locator('.user[data-user="\u202Etnega"]');
  assert.equal(await card.locator("h3").textContent(), "\\u{202e}tnega");
  assert.match(await card.locator(".acl-list code").textContent(), /^user \\u\{202e\}tnega on nopass sanitize-payload ~a\\u\{200b\}:\*/);
  assert.match(await card.locator(".words").textContent(), /`?a\\u\{200b\}:\*`?/);
  // The audit finding, with the characters named.
  const codes = await page.locator(".finding").evaluateAll((els) => els.map((e) => e.dataset.code));
  assert.ok(codes.includes("hidden-characters"), codes.join());
  const msgs = await page.locator('.finding[data-code="hidden-characters"] .msg').allTextContents();
  assert.ok(msgs.some((m) => m.includes("`\\u{202e}tnega` holds a right-to-left override (U+202E)")), msgs.join("\n"));
  assert.ok(msgs.some((m) => m.includes("a zero-width space (U+200B)")), msgs.join("\n"));
  // The simulator: the user picker, the reply (Valkey names the user).
  const option = page.getByLabel("User", { exact: true }).locator("option").nth(1);
  assert.equal(await option.textContent(), "\\u{202e}tnega");
  await page.getByLabel("User", { exact: true }).selectOption({ index: 1 });
  await page.getByLabel("Commands", { exact: true }).fill("SET b x");
  assert.equal(await page.locator(".sim-row .reply").textContent(), `"User \\u{202e}tnega has no permissions to run the 'set' command"`);
  // Nothing on the page carries the raw characters outside the editor.
  const raw = await page.evaluate(() => {
    const walker = document.createTreeWalker(document.querySelector("#app"), NodeFilter.SHOW_TEXT);
    const out = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (/[\u202a-\u202e\u2066-\u2069\u200b-\u200d\ufeff]/.test(n.textContent) && !n.parentElement.closest(".mirror, textarea")) out.push(n.parentElement.outerHTML.slice(0, 80));
    }
    return out;
  });
  assert.deepEqual(raw, []);
  // In the editor, each hidden character is labelled (and isolated, so it reorders nothing).
  assert.deepEqual(await page.locator(".mirror .hid").evaluateAll((els) => els.map((e) => e.dataset.u)), ["U+202E", "U+200B"]);
  assert.equal(await page.locator(".mirror .hid").first().evaluate((e) => getComputedStyle(e).unicodeBidi), "isolate");
  assert.equal(await card.locator("h3").evaluate((e) => getComputedStyle(e).unicodeBidi), "isolate");
  await ctx.close();
});
