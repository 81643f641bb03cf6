// Review finding 1: a file the server refuses has no users on the server. The simulator
// answers as the server does after the failed ACL LOAD (against the users it keeps: a
// fresh server's built-in default), says so at the top of the users and simulator
// panels, and keeps "as if the file loaded" apart, labelled hypothetical.
//
// Checked against redis-server 7.0.15 and valkey-server 8.1 (their oracles): after
// `ACL LOAD` of a file with `+gett` fails, `ACL DRYRUN app SET app:1 x` answers
// `ERR User 'app' not found` and `ACL DRYRUN default FLUSHALL` answers OK (the built-in
// default user is all there is).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, open } from "./browser.mjs";
import { thirtyLines } from "./inputs.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test("a file ACL LOAD refuses: the server's own answers, the hypothetical apart", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  const rules = thirtyLines();
  assert.equal(rules.split("\n")[9].includes("+gett"), true, "the typo is on line 10");
  await page.getByLabel("ACL rules", { exact: true }).fill(rules);
  assert.match(await page.locator(".outcome").textContent(), /ACL LOAD → \(error\) ERR users\.acl:10: Error in applying operation '\+gett'.*no change to the previously active ACL rules was performed/);
  // Both panels say the server has none of these users.
  assert.match(await page.getByTestId("sim-not-loaded").textContent(), /ACL LOAD refuses this file, so the server has none of these users/);
  assert.match(await page.getByTestId("users-not-loaded").textContent(), /the server has none of these users/);
  assert.match(await page.getByTestId("users-verdict").textContent(), /none loaded/);

  await page.getByLabel("User", { exact: true }).selectOption("app");
  await page.getByLabel("Commands", { exact: true }).fill("SET app:1 x\nGET app:1");
  const rows = page.locator(".sim-row");
  // What DRYRUN answers on the server where the load failed.
  assert.equal(await rows.nth(0).getAttribute("data-verdict"), "error");
  assert.equal(await rows.nth(0).locator(".reply").textContent(), "(error) ERR User 'app' not found");
  assert.doesNotMatch(await rows.nth(0).locator(".sim-head").textContent(), /allowed/i);
  // As if the file loaded: labelled hypothetical.
  assert.equal(await rows.nth(0).getAttribute("data-hypothetical"), "allowed");
  assert.match(await rows.nth(0).locator(".hypo-head").textContent(), /hypothetical if the file loaded: allowed → OK/);
  // The denial names the rule that failed, on line 10.
  assert.equal(await rows.nth(1).getAttribute("data-hypothetical"), "denied");
  const why = await rows.nth(1).locator(".why").textContent();
  assert.match(why, /-@all removes GET/);
  assert.match(why, /The server refused `\+gett` \(line 10, column \d+\)/);
  assert.match(why, /did you mean `\+get`\?/);

  // The card: not loaded, its ACL LIST line labelled as what would be if it loaded.
  const card = page.locator('[data-user="app"]');
  assert.equal(await card.locator(".badge").textContent(), "rejected");
  const svc = page.locator('[data-user="svc3"]');
  assert.equal(await svc.locator(".badge").textContent(), "not loaded");
  assert.match(await svc.locator(".hypo-label").textContent(), /If the input loaded, ACL LIST would show/);

  // The server keeps its built-in default user: it answers for it, as itself.
  await page.getByLabel("User", { exact: true }).selectOption("default");
  await page.getByLabel("Commands", { exact: true }).fill("FLUSHALL");
  assert.equal(await rows.nth(0).getAttribute("data-verdict"), "allowed");
  assert.equal(await rows.nth(0).locator(".reply").textContent(), "OK");
  assert.equal(await rows.nth(0).getAttribute("data-hypothetical"), "denied");
  await ctx.close();
});

test("a file that loads has no hypothetical part", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await page.getByLabel("ACL rules", { exact: true }).fill(thirtyLines().replace("+gett", "+get"));
  assert.equal(await page.getByTestId("sim-not-loaded").count(), 0);
  assert.equal(await page.getByTestId("users-not-loaded").count(), 0);
  await page.getByLabel("User", { exact: true }).selectOption("app");
  await page.getByLabel("Commands", { exact: true }).fill("SET app:1 x");
  const row = page.locator(".sim-row").first();
  assert.equal(await row.getAttribute("data-verdict"), "allowed");
  assert.equal(await row.getAttribute("data-hypothetical"), null);
  assert.equal(await row.locator(".hypo-head").count(), 0);
  await ctx.close();
});

test("a crash or a config that does not start: nothing answers", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  // The line with the unclosed selector defines no user: `default` is the one asked.
  await page.getByLabel("ACL rules", { exact: true }).fill("user default off\nuser app on ~a:* (~x +get\n");
  await page.getByLabel("Commands", { exact: true }).fill("GET a:1");
  assert.match(await page.getByTestId("sim-not-loaded").textContent(), /crashes/);
  assert.equal(await page.locator(".sim-row").first().getAttribute("data-verdict"), "no reply");
  await page.getByLabel("ACL rules", { exact: true }).fill("user default off\nuser app on +nosuch\n");
  await page.getByLabel("Input kind").selectOption("config");
  assert.match(await page.getByTestId("sim-not-loaded").textContent(), /does not start/);
  await ctx.close();
});
