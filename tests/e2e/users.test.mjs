// 2. Users: accepted or the exact error or a crash, the ACL LIST line (copyable), and
// what the user may do in plain words.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, open } from "./browser.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test("each user's verdict, ACL LIST line and plain words", async () => {
  const ctx = await browser.newContext();
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = await open(ctx);
  await page.getByLabel("ACL rules", { exact: true }).fill(
    [
      "user app on >one >two ~app:* &news:* +@all -@dangerous",
      "user bad on +nosuch",
      "user sel on #" + "b".repeat(64) + " ~a:* +get (%R~b:* +@read)",
    ].join("\n")
  );
  // `bad` makes ACL LOAD refuse the file: the other lines are fine, but not loaded.
  const app = page.locator('[data-user="app"]');
  assert.equal(await app.locator(".badge").textContent(), "not loaded");
  const line = await app.locator(".acl-list code").textContent();
  // The default (Redis 7.2) lists sanitize-payload on every user.
  assert.match(line, /^user app on sanitize-payload #[0-9a-f]{64} #[0-9a-f]{64} ~app:\* resetchannels &news:\* \+@all -@dangerous/);
  assert.doesNotMatch(line, /one|two/);
  const words = await app.locator(".words").textContent();
  assert.match(words, /can log in with any of its 2 passwords/);
  assert.match(words, /2 passwords \(never shown\)/);
  assert.match(words, /keys: app:\* \(read and write\); channels: news:\*/);

  const bad = page.locator('[data-user="bad"]');
  assert.equal(await bad.locator(".badge").textContent(), "rejected");
  assert.equal(
    await bad.locator(".status-detail").textContent(),
    "users.acl:2: Error in applying operation '+nosuch': Unknown command or category name in ACL."
  );
  assert.match(await page.getByTestId("users-verdict").textContent(), /3 users, none loaded: ACL LOAD refuses the file \(1 not accepted\)/);

  const sel = page.locator('[data-user="sel"]');
  assert.match(await sel.locator(".words").textContent(), /through selector 1: .*keys: b:\* \(read only\)/);

  // Command list with the dangerous ones marked.
  await app.getByRole("button", { name: /Show commands/ }).click();
  assert.ok((await app.locator(".commands li").count()) > 100);
  assert.equal(await app.locator(".commands .danger").count(), 0);
  await page.getByLabel("ACL rules", { exact: true }).fill("user root on >pw ~* +@all");
  const root = page.locator('[data-user="root"]');
  await root.getByRole("button", { name: /Show commands/ }).click();
  const danger = await root.locator(".commands .danger").allTextContents();
  assert.ok(danger.some((t) => t.startsWith("FLUSHALL")), "FLUSHALL is marked dangerous");

  // Copy the ACL LIST line.
  await root.getByRole("button", { name: "Copy the ACL LIST line of root" }).click();
  await page.waitForFunction(() => document.getElementById("live").textContent.startsWith("Copied"));
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(clip, await root.locator(".acl-list code").textContent());
  await ctx.close();
});

test("a user the server would crash on is said so", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.getByLabel("Server version").selectOption("valkey-8.1");
  await page.getByLabel("ACL rules", { exact: true }).fill('ACL SETUSER u on "+select|0 1"');
  const u = page.locator('[data-user="u"]');
  assert.equal(await u.locator(".badge").textContent(), "ACL LIST crashes");
  assert.match(await u.locator(".status-detail").textContent(), /crashes on ACL LIST/);
  await ctx.close();
});
