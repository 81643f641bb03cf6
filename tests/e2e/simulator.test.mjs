// 3. Simulator: a verdict per redis-cli line with the exact ACL DRYRUN reply, the keys
// and channels found, the explanation, and the deciding rule marked in the editor.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, open } from "./browser.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const RULES = [
  "user default off",
  "user app on >pw ~app:* &app:* +@all -@dangerous",
  "user rep on >pw ~app:* +@read (~audit:* +xadd)",
].join("\n");

test("a denial with the server's exact text, explained, its rule highlighted", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  // Redis 7.0's texts (the denials below do not name the user).
  await page.getByLabel("Server version").selectOption("redis-7.0");
  await page.getByLabel("ACL rules", { exact: true }).fill(RULES);
  await page.getByLabel("User", { exact: true }).selectOption("app");
  await page.getByLabel("Commands", { exact: true }).fill('GET app:1\nFLUSHALL\nSET "app:a b" x\nGET other\nPUBLISH app:news hi\nSET x');
  const rows = page.locator(".sim-row");
  assert.equal(await rows.count(), 6);
  const row = (i) => rows.nth(i);

  assert.equal(await row(0).getAttribute("data-verdict"), "allowed");
  assert.equal(await row(0).locator(".reply").textContent(), "OK");
  assert.match(await row(0).locator(".why").textContent(), /Allowed by the root permissions: \+@all allows GET/);
  assert.match(await row(0).locator(".why").textContent(), /key 'app:1' \(read\): allowed by ~app:\*/);

  assert.equal(await row(1).getAttribute("data-verdict"), "denied");
  assert.equal(await row(1).locator(".reply").textContent(), `"This user has no permissions to run the 'flushall' command"`);
  assert.match(await row(1).locator(".why").textContent(), /-@dangerous removes FLUSHALL/);
  // Click: the deciding rule is highlighted in the editor.
  await row(1).getByRole("button", { name: /Show deciding rule/ }).click();
  assert.equal(await page.locator(".mirror .mark").textContent(), "-@dangerous");
  assert.equal(await row(1).getByRole("button", { name: /Show deciding rule/ }).getAttribute("aria-pressed"), "true");

  // Quotes work as in redis-cli; keys found with their access.
  assert.equal(await row(2).getAttribute("data-verdict"), "allowed");
  assert.match(await row(2).locator(".found").textContent(), /key 'app:a b' \(write\)/);

  assert.equal(await row(3).locator(".reply").textContent(), `"This user has no permissions to access the 'other' key"`);
  assert.match(await row(3).locator(".why").textContent(), /Its key patterns: ~app:\*\./);
  await row(3).getByRole("button", { name: /Show deciding rule/ }).click();
  // No key pattern matched: the pattern that did not match is marked.
  assert.equal(await page.locator(".mirror .mark").textContent(), "~app:*");

  assert.match(await row(4).locator(".found").textContent(), /channel 'app:news'/);
  assert.equal(await row(4).getAttribute("data-verdict"), "allowed");

  assert.equal(await row(5).getAttribute("data-verdict"), "error");
  assert.equal(await row(5).locator(".reply").textContent(), "(error) ERR wrong number of arguments for 'set' command");
  assert.match(await page.getByTestId("sim-verdict").textContent(), /3 allowed, 2 denied/);
  await ctx.close();
});

test("selectors: the selector that allowed it is the deciding rule", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.getByLabel("ACL rules", { exact: true }).fill(RULES);
  await page.getByLabel("User", { exact: true }).selectOption("rep");
  await page.getByLabel("Commands", { exact: true }).fill("XADD audit:log * a 1\nXADD app:log * a 1");
  const rows = page.locator(".sim-row");
  assert.equal(await rows.nth(0).getAttribute("data-verdict"), "allowed");
  assert.match(await rows.nth(0).locator(".why").textContent(), /Allowed by the selector 1: \+xadd allows XADD/);
  await rows.nth(0).getByRole("button", { name: /Show deciding rule/ }).click();
  assert.equal(await page.locator(".mirror .mark").textContent(), "+xadd");
  assert.equal(await rows.nth(1).getAttribute("data-verdict"), "denied");
  assert.match(await rows.nth(1).locator(".why").textContent(), /None of the 2 permission sets allows it/);
  await ctx.close();
});

test("unknown users and commands get the server's errors", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.getByLabel("ACL rules", { exact: true }).fill(RULES);
  await page.getByLabel("User", { exact: true }).selectOption("app");
  await page.getByLabel("Commands", { exact: true }).fill("NOSUCH x\nGET 'unbalanced");
  const rows = page.locator(".sim-row");
  assert.equal(await rows.nth(0).locator(".reply").textContent(), "(error) ERR Command 'NOSUCH' not found");
  assert.match(await rows.nth(1).locator(".reply").textContent(), /unbalanced quotes/);
  await ctx.close();
});
