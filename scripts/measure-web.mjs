// Measures the playground's budgets in headless Chromium and prints a Markdown report,
// one column per build (this one, and the previous one it is compared with):
//   1. cold-load transfer: gzip -9 size of every file in dist/ (all of them load);
//   2. navigation → interactive editor (the app's "aclplay-interactive" mark), median
//      over RUNS fresh browser contexts (cold cache);
//   3. a generated 1,000-user ACL file: keystroke → every verdict updated (the app's
//      data-update-ms), and keydown → next animation frame;
//   4. large inputs (the review of issue 14): a 1 MB paste (10,000 users of every shape,
//      thousands of findings; and one 1 MB line) → page and audit updated; keystrokes in
//      the 1 MB file (the page's own work, and keydown → frame beside a bare textarea
//      holding the same text: the browser's own floor); a reload with it saved; Apply fix
//      and Harden on a 10,000-line file.
// A step that does not finish within its cap is reported as "> cap".
// Usage: node scripts/measure-web.mjs NAME=URL=DIST [NAME=URL=DIST …] (scripts/measure-web.sh).
import { readdirSync, readFileSync, statSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createServer } from "node:http";
import os from "node:os";
import { launch } from "../tests/e2e/browser.mjs";
import { usersOfSize, mixedUsers, longLine } from "../tests/e2e/inputs.mjs";

const builds = process.argv.slice(2).map((a) => {
  const [name, url, dist] = a.split("=");
  return { name, url, dist };
});
const RUNS = Number(process.env.RUNS ?? 15);
const KEYS = Number(process.env.KEYS ?? 40);
const MB = 1 << 20;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const ms = (x) => (typeof x === "string" ? x : `${x.toFixed(x < 100 ? 1 : 0)} ms`);

function sizes(dist) {
  const files = readdirSync(dist)
    .filter((f) => !f.startsWith(".") && statSync(join(dist, f)).isFile())
    .map((f) => {
      const data = readFileSync(join(dist, f));
      return { f, raw: data.length, gz: gzipSync(data, { level: 9 }).length };
    })
    .sort((a, b) => b.gz - a.gz);
  return { files, total: files.reduce((s, x) => s + x.gz, 0) };
}

// A 1,000-user ACL file in the shapes our users write.
function thousandUsers() {
  const lines = ["user default off"];
  const hex = (i) => (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(16, "0").repeat(4).slice(0, 64);
  for (let i = 1; i < 1000; i++) {
    const h = `#${hex(i)}`;
    switch (i % 5) {
      case 0: lines.push(`user app${i} on ${h} ~app${i}:* &app${i}:* +@all -@dangerous`); break;
      case 1: lines.push(`user cache${i} on ${h} ~cache:${i}:* resetchannels -@all +get +set +del +expire +ttl`); break;
      case 2: lines.push(`user ro${i} on ${h} %R~* resetchannels -@all +@read -@dangerous`); break;
      case 3: lines.push(`user mon${i} on ${h} resetkeys resetchannels -@all +info +ping +slowlog|get +client|list`); break;
      default: lines.push(`user sel${i} on ${h} ~a${i}:* +get (~b${i}:* +set) (%R~c:* +@read)`);
    }
  }
  return lines.join("\n") + "\n";
}

// "Users shown and audited": in this build the app says so (data-audit); the previous
// one shows "(updating…)" until its audit is done.
// (A function with its argument, not a string: the page's CSP forbids evaluating strings.)
function settledIn(users) {
  const v = document.querySelector('[data-testid="users-verdict"]');
  if (!v || !v.textContent.startsWith(`${users} users`)) return false;
  const app = document.querySelector("#app");
  if (app.dataset.audit) return app.dataset.audit === "current";
  const f = document.querySelector(".findings");
  return !!f && !/updating|Auditing/.test(f.textContent);
}
const settled = (users) => [settledIn, users];

async function page(browser, url, viewport = { width: 1400, height: 900 }) {
  const ctx = await browser.newContext({ viewport });
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"]);
  const p = await ctx.newPage();
  await p.goto(url);
  await p.waitForSelector("#app[data-ready]");
  return { ctx, p };
}

/** Ctrl+V of `text` over the editor's content; ms until `done` (or "> cap"). */
async function pasteTimed(p, text, done, capMs) {
  await p.evaluate((t) => navigator.clipboard.writeText(t), text);
  await p.locator("#rules").focus();
  await p.keyboard.press("Control+A");
  const t0 = Date.now();
  await p.keyboard.press("Control+V");
  try {
    await p.waitForFunction(done[0], done[1], { timeout: capMs, polling: 10 });
    return Date.now() - t0;
  } catch {
    return `> ${capMs / 1000} s`;
  }
}

/** Keystrokes at `at`: the page's own time (data-update-ms) and keydown → frame. */
async function keystrokes(p, at, n, check) {
  await p.locator("#rules").evaluate((t, at) => {
    t.focus();
    t.setSelectionRange(at, at);
    window.__frames = [];
    t.addEventListener("keydown", (e) => {
      const t0 = e.timeStamp;
      requestAnimationFrame(() => window.__frames.push(performance.now() - t0));
    });
  }, at);
  const updates = [];
  for (let i = 0; i < n; i++) {
    await p.keyboard.press(i % 2 ? "Backspace" : "X");
    await p.waitForFunction((k) => window.__frames.length > k, i, { timeout: 120000 });
    await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    if (check) await check(i);
    // (The bare textarea of `floor` has no app, hence no figure of its own.)
    const u = Number(await p.evaluate(() => document.querySelector("#app")?.dataset.updateMs ?? 0));
    if (u) updates.push(u);
  }
  return { updates, frames: await p.evaluate(() => window.__frames) };
}

async function measure(browser, b) {
  const r = {};
  // 2. Load.
  const loads = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(b.url);
    await p.waitForSelector("#app[data-ready]");
    loads.push(await p.evaluate(() => performance.getEntriesByName("aclplay-interactive")[0].startTime));
    await ctx.close();
  }
  r.load = `${ms(median(loads))} (${ms(Math.min(...loads))}–${ms(Math.max(...loads))})`;

  // 3. Keystrokes on 1,000 users.
  {
    const { ctx, p } = await page(browser, b.url);
    const text = thousandUsers();
    await p.getByLabel("ACL rules", { exact: true }).fill(text);
    await p.waitForFunction(() => document.querySelector('[data-testid="users-verdict"]').textContent.startsWith("1000 users"));
    await p.getByLabel("User", { exact: true }).selectOption("app500");
    await p.getByLabel("Commands", { exact: true }).fill("GET app500:1\nFLUSHALL\nSET other x");
    // The caret after "+ping" on line 499 (user mon498): typing X makes it "+pingX", an
    // unknown command, so that user's verdict and the file's ACL LOAD flip each time.
    const at = text.indexOf("+ping", text.indexOf("user mon498 ")) + 5;
    const { updates, frames } = await keystrokes(p, at, KEYS, async (i) => {
      const verdict = await p.getByTestId("users-verdict").textContent();
      if (!verdict.startsWith("1000 users")) throw new Error(`after keystroke ${i}: "${verdict}"`);
    });
    r.k1000 = `${ms(median(updates))}; ${ms(pct(updates, 95))}; ${ms(Math.max(...updates))}`;
    r.k1000frame = `${ms(median(frames))}; ${ms(pct(frames, 95))}`;
    await ctx.close();
  }

  // 4. Large inputs.
  const big = usersOfSize(MB, (n) => mixedUsers(n, { typos: true }));
  const bigUsers = big.split("\n").filter((l) => l.startsWith("user ")).length;
  {
    const { ctx, p } = await page(browser, b.url);
    r.paste = ms(await pasteTimed(p, big, settled(bigUsers), 120000));
    // Keystrokes in the middle of the 1 MB file.
    const at = big.indexOf("\n", big.length >> 1);
    const k = await keystrokes(p, at, 10);
    r.kmb = k.updates.length ? ms(median(k.updates)) : "—";
    r.kmbframe = ms(median(k.frames));
    // A reload with it saved (after the autosave's pause).
    await p.waitForTimeout(1000);
    const t0 = Date.now();
    await p.reload();
    await p.waitForSelector("#app[data-ready]", { timeout: 120000 });
    const ready = Date.now() - t0;
    try {
      await p.waitForFunction(() => document.getElementById("rules").value.length > 1000000, null, { timeout: 120000 });
      r.reload = `${ms(ready)} / ${ms(Date.now() - t0)}`;
    } catch {
      r.reload = `${ms(ready)} / > 120 s`;
    }
    await ctx.close();
  }
  {
    const { ctx, p } = await page(browser, b.url);
    r.line = ms(await pasteTimed(p, longLine(MB), settled(2), 60000));
    await ctx.close();
  }
  {
    // Apply fix and Harden on 10,000 lines.
    const text = mixedUsers(10000);
    const { ctx, p } = await page(browser, b.url);
    const pasted = await pasteTimed(p, text, settled(10000), 120000);
    if (typeof pasted === "string") {
      r.fix = r.harden = "—";
    } else {
      const click = (selector, cap) =>
        p
          .evaluate(
            async ([selector, cap]) => {
              const b = document.querySelector(selector);
              if (!b) return "no button";
              const before = document.getElementById("rules").value;
              const t0 = performance.now();
              b.click();
              // The edit is in the textarea, and the page has drawn it.
              while (document.getElementById("rules").value === before) {
                if (performance.now() - t0 > cap) return `> ${cap / 1000} s`;
                await new Promise((r) => setTimeout(r, 5));
              }
              await new Promise((r) => requestAnimationFrame(() => r()));
              return performance.now() - t0;
            },
            [selector, cap]
          )
          .catch(() => "failed");
      const fixes = [];
      for (let i = 0; i < 3; i++) {
        await p.waitForFunction(...settled(10000), { timeout: 120000 });
        fixes.push(await click('.group[data-codes~="plaintext-password"] button[data-a="fix"], .finding[data-code="plaintext-password"] button[data-a="fix"]', 60000));
      }
      const nums = fixes.filter((x) => typeof x === "number");
      r.fix = nums.length ? ms(median(nums)) : fixes[0];
      await p.waitForFunction(...settled(10000), { timeout: 120000 });
      r.harden = ms(await click('button[data-a="harden"]', 180000));
    }
    await ctx.close();
  }
  return r;
}

/** keydown → frame in a bare textarea holding the same 1 MB text: the browser's floor. */
async function floor(browser) {
  const dir = mkdtempSync(join(os.tmpdir(), "aclplay-floor-"));
  writeFileSync(join(dir, "index.html"), '<!doctype html><textarea id="rules" wrap="off" spellcheck="false" style="width:90vw;height:60vh;font:13px/20px monospace"></textarea>');
  const server = createServer((_, res) => res.end(readFileSync(join(dir, "index.html"))));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { ctx, p } = await (async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const p = await ctx.newPage();
    await p.goto(`http://127.0.0.1:${server.address().port}/`);
    return { ctx, p };
  })();
  const big = usersOfSize(MB, (n) => mixedUsers(n, { typos: true }));
  await p.locator("#rules").evaluate((t, v) => (t.value = v), big);
  const k = await keystrokes(p, big.indexOf("\n", big.length >> 1), 10);
  await ctx.close();
  server.close();
  return ms(median(k.frames));
}

const browser = await launch();
try {
  const results = [];
  for (const b of builds) results.push({ b, s: sizes(b.dist), r: await measure(browser, b) });
  const bare = await floor(browser);
  const out = [];
  const load = os.loadavg().map((x) => x.toFixed(1)).join(", ");
  out.push(`Measured by \`scripts/measure-web.sh\` on ${new Date().toISOString().slice(0, 10)} (headless Chromium ${browser.version()}, ${RUNS} loads, ${KEYS} keystrokes; ${os.cpus().length} cores, load average ${load} at the end). Columns: ${results.map(({ b }) => `**${b.name}** (${b.dist})`).join(", ")}.`);
  out.push("");
  const [mine] = results;
  out.push("| file | bytes | gzip -9 |");
  out.push("| --- | ---: | ---: |");
  for (const x of mine.s.files) out.push(`| ${x.f} | ${x.raw} | ${x.gz} |`);
  out.push(`| **total (cold load)** | ${mine.s.files.reduce((s, x) => s + x.raw, 0)} | **${mine.s.total} (${(mine.s.total / 1024).toFixed(1)} KiB)** |`);
  out.push("");
  const row = (label, f, target) => out.push(`| ${label} | ${results.map(f).join(" | ")} | ${target} |`);
  out.push(`| budget | ${results.map(({ b }) => b.name).join(" | ")} | target |`);
  out.push(`| --- | ${results.map(() => "---:").join(" | ")} | ---: |`);
  row("cold load transfer (gzip)", ({ s }) => `${(s.total / 1024).toFixed(1)} KiB`, "≤ 150 KB");
  row("navigation → interactive editor (median of runs; min–max)", ({ r }) => r.load, "≤ 300 ms");
  row("1,000 users: input event → every verdict in the DOM (median; p95; max)", ({ r }) => r.k1000, "≤ 16 ms");
  row("1,000 users: keydown → next animation frame (median; p95)", ({ r }) => r.k1000frame, "");
  row("1 MB paste (10,000 users, thousands of findings) → users and audit updated", ({ r }) => ms(r.paste), "≤ 1 s");
  row("1 MB paste of one line → page and audit updated", ({ r }) => ms(r.line), "≤ 1 s");
  row("keystroke in the 1 MB file: input → page updated (median)", ({ r }) => r.kmb, "< 50 ms");
  row("keystroke in the 1 MB file: keydown → next frame (median)", ({ r }) => r.kmbframe, `(bare textarea: ${bare})`);
  row("reload with 1 MB saved: interactive / text restored", ({ r }) => r.reload, "");
  row("10,000 lines: Apply fix (click → edit drawn, median of 3)", ({ r }) => ms(r.fix), "< 100 ms");
  row("10,000 lines: Harden (click → edit drawn)", ({ r }) => ms(r.harden), "< 1 s");
  out.push("");
  out.push(`"Every verdict" is each user's status, the ACL LOAD outcome, the diagnostics and the simulator's replies. The 1 MB file is \`usersOfSize(1 MB, mixedUsers with typos)\` of tests/e2e/inputs.mjs (${mixedUsers.name}: open users, plaintext passwords, selectors, +@all, one typo in ten users); "keydown → next frame" includes Chromium's own editing of the textarea, which alone costs what the bare-textarea figure says.`);
  console.log(out.join("\n"));
} finally {
  await browser.close();
}
