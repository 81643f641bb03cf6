// 5. Share and keep: a link that round-trips (no plaintext password in it unless opted
// in), malformed and truncated links, autosave across a reload.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { launch, open, BASE } from "./browser.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const sha256 = (s) => createHash("sha256").update(s).digest("hex");
const RULES = "user default off\nuser app on >s3cret-Passw0rd ~app:* +@all -@dangerous\n";

async function makeLink(page, { plain = false } = {}) {
  if (plain) await page.getByLabel("include plaintext passwords").check();
  const input = page.getByLabel("Share link", { exact: true });
  const before = (await input.count()) ? await input.inputValue() : null;
  await page.getByRole("button", { name: "Copy share link" }).click();
  // The link is made asynchronously (the browser compresses it).
  await page.waitForFunction(
    (old) => {
      const el = document.querySelector(".share-url");
      return el && el.value !== old;
    },
    before
  );
  return input.inputValue();
}

test("a share link round-trips rules, commands and version, without plaintext passwords", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.getByLabel("ACL rules", { exact: true }).fill(RULES);
  await page.getByLabel("Server version").selectOption("valkey-8.1");
  await page.getByLabel("User", { exact: true }).selectOption("app");
  await page.getByLabel("Commands", { exact: true }).fill("GET app:1\nFLUSHALL");
  const link = await makeLink(page);
  assert.ok(link.startsWith(BASE + "#s="), link);
  assert.ok(!link.includes("s3cret"));
  assert.match(await page.locator("#live").textContent(), /1 plaintext secret replaced by its hash/);

  // Opened elsewhere (fresh storage): everything is back, the password only as a hash.
  const other = await browser.newContext();
  const p2 = await open(other, link.slice(BASE.length));
  const rules = p2.getByLabel("ACL rules", { exact: true });
  await p2.waitForFunction(() => document.getElementById("rules").value.includes("user app"));
  assert.equal(await rules.inputValue(), `user default off\nuser app on #${sha256("s3cret-Passw0rd")} ~app:* +@all -@dangerous\n`);
  assert.equal(await p2.getByLabel("Server version").inputValue(), "valkey-8.1");
  assert.equal(await p2.getByLabel("Commands", { exact: true }).inputValue(), "GET app:1\nFLUSHALL");
  assert.equal(await p2.getByLabel("User", { exact: true }).inputValue(), "app");
  assert.equal(await p2.locator(".sim-row").nth(1).locator(".reply").textContent(), `"User app has no permissions to run the 'flushall' command"`);
  // No saved work here: the link is shown as the shared rules, to keep or edit.
  assert.match(await p2.locator(".notice").textContent(), /You are viewing rules shared with you; edit them or keep them/);
  // The fragment is dropped from the address bar once read.
  assert.equal(new URL(p2.url()).hash, "");
  await other.close();

  // Opting in keeps the plaintext.
  const plainLink = await makeLink(page, { plain: true });
  const third = await browser.newContext();
  const p3 = await open(third, plainLink.slice(BASE.length));
  await p3.waitForFunction(() => document.getElementById("rules").value.includes(">s3cret-Passw0rd"));
  await third.close();
  await ctx.close();
});

test("a malformed or truncated link shows a clear message and overwrites nothing", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.getByLabel("ACL rules", { exact: true }).fill(RULES);
  const link = await makeLink(page);
  await page.getByLabel("ACL rules", { exact: true }).fill("user mine on nopass ~* +@all");

  for (const bad of [link.slice(0, Math.floor(link.length / 2)), BASE + "#s=@@not*base64", BASE + "#s=AAAA"]) {
    const p = await open(ctx, bad.slice(BASE.length));
    const notice = p.locator(".notice.error");
    await notice.waitFor();
    assert.equal(await notice.getAttribute("role"), "alert");
    assert.match(await notice.textContent(), /This share link cannot be opened: .+\. Nothing was changed\./);
    assert.equal(await p.getByLabel("ACL rules", { exact: true }).inputValue(), "user mine on nopass ~* +@all");
    await p.close();
  }
  await ctx.close();
});

test("the work autosaves and survives a reload", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.getByLabel("ACL rules", { exact: true }).fill("user keep on >pw ~k:* +get\n");
  await page.getByLabel("Server version").selectOption("valkey-8.1");
  await page.getByLabel("Commands", { exact: true }).fill("GET k:1");
  await page.getByLabel("Input kind").selectOption("acl-file");
  await page.reload();
  await page.waitForSelector("#app[data-ready]");
  assert.equal(await page.getByLabel("ACL rules", { exact: true }).inputValue(), "user keep on >pw ~k:* +get\n");
  assert.equal(await page.getByLabel("Server version").inputValue(), "valkey-8.1");
  assert.equal(await page.getByLabel("Commands", { exact: true }).inputValue(), "GET k:1");
  assert.equal(await page.getByLabel("Input kind").inputValue(), "acl-file");
  assert.equal(await page.locator(".sim-row .reply").textContent(), "OK");
  await ctx.close();
});

// Review finding 4: a share link opened over saved work leaves that work where it was;
// the shared rules become the saved work only when kept or edited, and the work they
// replace stays one click away.
test("opening a share link never overwrites the saved work", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.getByLabel("ACL rules", { exact: true }).fill(RULES);
  const link = await makeLink(page);
  const mine = "user mine on #" + sha256("mine") + " ~mine:* +get\n";
  await page.getByLabel("ACL rules", { exact: true }).fill(mine);

  // Open the link in the same browser (same storage): the shared rules are shown…
  const p = await open(ctx, link.slice(BASE.length));
  await p.waitForFunction(() => document.getElementById("rules").value.includes("user app"));
  const notice = p.locator(".notice");
  assert.match(await notice.textContent(), /You are viewing rules shared with you\. Your saved work is untouched/);
  // …and the saved work is still there, one click away.
  assert.equal(await p.evaluate(() => JSON.parse(localStorage.getItem("aclplay.work.v1")).rules), mine);
  await notice.getByRole("button", { name: "Back to my work" }).click();
  assert.equal(await p.getByLabel("ACL rules", { exact: true }).inputValue(), mine);
  await p.close();

  // Reloading after opening a link brings back the saved work, not the link.
  const q = await open(ctx, link.slice(BASE.length));
  await q.waitForFunction(() => document.getElementById("rules").value.includes("user app"));
  await q.reload();
  await q.waitForSelector("#app[data-ready]");
  assert.equal(await q.getByLabel("ACL rules", { exact: true }).inputValue(), mine);
  await q.close();

  // Editing the shared rules makes them the saved work; the earlier work can come back.
  const r = await open(ctx, link.slice(BASE.length));
  await r.waitForFunction(() => document.getElementById("rules").value.includes("user app"));
  await r.getByLabel("ACL rules", { exact: true }).press("End");
  await r.keyboard.type(" ");
  await r.locator(".notice").getByText(/they are now your saved work/).waitFor();
  assert.match(await r.evaluate(() => JSON.parse(localStorage.getItem("aclplay.work.v1")).rules), /user app/);
  await r.locator(".notice").getByRole("button", { name: "Restore my earlier work" }).click();
  assert.equal(await r.getByLabel("ACL rules", { exact: true }).inputValue(), mine);
  assert.equal(await r.evaluate(() => JSON.parse(localStorage.getItem("aclplay.work.v1")).rules), mine);
  await ctx.close();
});
