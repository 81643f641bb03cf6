// 1. Rules editor: kinds (detected and overridden), colouring, diagnostics at line and
// column with the server's text, native undo, opening and dropping files, versions.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, open } from "./browser.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const BROKEN = [
  "user default off",
  "user app on ~app:* +get",
  "user ops on allkeys ~ops:* +@admin",
].join("\n");

test("an error is marked at its line and column with the server's exact text", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.getByLabel("ACL rules", { exact: true }).fill(BROKEN);
  const diag = page.locator(".diag").first();
  await diag.waitFor();
  const loc = diag.locator(".loc");
  assert.equal(await loc.getAttribute("data-line"), "3");
  assert.equal(await loc.getAttribute("data-column"), "21");
  assert.equal(await loc.textContent(), "Line 3, column 21");
  assert.equal(
    await diag.locator(".server code").textContent(),
    "users.acl:3: Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns."
  );
  assert.match(await diag.locator(".help").textContent(), /resetkeys/);
  // Underlined in the editor, and marked in the gutter with the text as tooltip.
  assert.equal(await page.locator(".mirror .u-err").textContent(), "~ops:*");
  const marker = page.locator(".gutter .g-err");
  assert.equal(await marker.textContent(), "3");
  assert.match(await marker.getAttribute("title"), /^3:21 users\.acl:3: Adding a pattern/);
  // The outcome: ACL LOAD's exact error reply.
  assert.match(await page.locator(".outcome").textContent(), /ACL LOAD → \(error\) ERR users\.acl:3: Adding a pattern/);
  // Clicking the location selects the token in the textarea.
  await loc.click();
  const sel = await page.evaluate(() => {
    const t = document.getElementById("rules");
    return t.value.slice(t.selectionStart, t.selectionEnd);
  });
  assert.equal(sel, "~ops:*");
  await ctx.close();
});

test("rule kinds are coloured", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.getByLabel("ACL rules", { exact: true }).fill("user app on >pw #" + "a".repeat(64) + " ~app:* &ch +get -del (~x +set)");
  const cls = async (c) => page.locator(`.mirror .${c}`).allTextContents();
  assert.deepEqual(await cls("t-kw"), ["user"]);
  assert.deepEqual(await cls("t-user"), ["app"]);
  assert.deepEqual(await cls("t-flag"), ["on"]);
  assert.deepEqual(await cls("t-pass"), [">pw"]);
  assert.deepEqual(await cls("t-hash"), ["#" + "a".repeat(64)]);
  assert.deepEqual(await cls("t-keys"), ["~app:*"]);
  assert.deepEqual(await cls("t-chan"), ["&ch"]);
  assert.deepEqual(await cls("t-allow"), ["+get"]);
  assert.deepEqual(await cls("t-deny"), ["-del"]);
  // An ACL file splits on spaces: the selector is two tokens.
  assert.deepEqual(await cls("t-sel"), ["(~x", "+set)"]);
  await ctx.close();
});

test("the kind of input is detected, and can be overridden", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  const rules = page.getByLabel("ACL rules", { exact: true });
  const kind = page.getByLabel("Input kind");
  await rules.fill("requirepass foobared\nuser app on >pw ~app:* +get\n");
  assert.match(await kind.locator("option:checked").textContent(), /Auto-detect \(redis\.conf\)/);
  assert.match(await page.locator(".outcome").textContent(), /starts with this configuration/);
  await rules.fill('ACL SETUSER app on >pw ~app:* +get\nACL SETUSER app +nosuch\n');
  assert.match(await kind.locator("option:checked").textContent(), /Auto-detect \(redis-cli commands\)/);
  assert.match(await page.locator(".outcome").textContent(), /line 2: \(error\) ERR Error in ACL SETUSER modifier '\+nosuch': Unknown command or category name in ACL/);
  await rules.fill('1) "user default on nopass sanitize-payload ~* &* +@all"');
  assert.match(await kind.locator("option:checked").textContent(), /Auto-detect \(ACL LIST output\)/);
  // Override: the same text read as an ACL file is not a user line.
  await kind.selectOption("acl-file");
  assert.match(await page.locator(".outcome").textContent(), /ACL LOAD → \(error\)/);
  await ctx.close();
});

test("the server version picker re-evaluates everything", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.getByLabel("ACL rules", { exact: true }).fill("user app on >pw ~app:* +get");
  await page.getByLabel("User", { exact: true }).selectOption("app");
  await page.getByLabel("Commands", { exact: true }).fill("GET other");
  const reply = page.locator(".sim-row .reply");
  // The default (redis-7.2) names the user in its denials; Redis 7.0 does not.
  assert.equal(await reply.textContent(), `"User app has no permissions to access the 'other' key"`);
  await page.getByLabel("Server version").selectOption("redis-7.0");
  assert.equal(await reply.textContent(), `"This user has no permissions to access the 'other' key"`);
  await page.getByLabel("Server version").selectOption("valkey-8.1");
  assert.equal(await reply.textContent(), `"User app has no permissions to access the 'other' key"`);
  // ACL LIST differs too: Valkey adds sanitize-payload.
  assert.match(await page.locator('[data-user="app"] .acl-list code').textContent(), /^user app on sanitize-payload #/);
  await ctx.close();
});

test("native undo works after typing", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  const rules = page.getByLabel("ACL rules", { exact: true });
  await rules.fill("user app on");
  await rules.press("End");
  await page.keyboard.type("X");
  assert.equal(await rules.inputValue(), "user app onX");
  assert.equal(await page.locator(".mirror .t-unk").textContent(), "onX");
  await page.keyboard.press("Control+Z");
  assert.equal(await rules.inputValue(), "user app on");
  // The analysis follows the undo.
  assert.equal(await page.locator(".mirror .t-unk").count(), 0);
  assert.equal(await page.locator(".mirror .t-flag").textContent(), "on");
  await ctx.close();
});

test("a file can be opened or dropped on the editor", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.locator('input[type="file"]').setInputFiles({
    name: "users.acl",
    mimeType: "text/plain",
    buffer: Buffer.from("user opened on nopass ~* +@all\n"),
  });
  await page.locator('[data-user="opened"]').waitFor();
  assert.equal(await page.getByLabel("ACL rules", { exact: true }).inputValue(), "user opened on nopass ~* +@all\n");
  const dt = await page.evaluateHandle(() => {
    const d = new DataTransfer();
    d.items.add(new File(["user dropped on nopass ~* +@all\n"], "dropped.acl", { type: "text/plain" }));
    return d;
  });
  await page.dispatchEvent(".editor", "drop", { dataTransfer: dt });
  await page.locator('[data-user="dropped"]').waitFor();
  assert.match(await page.locator("#live").textContent(), /Opened dropped\.acl/);
  await ctx.close();
});
