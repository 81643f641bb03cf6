// Review finding 11: every text at least 4.5:1 against its background in both themes, and
// no serious accessibility violation: axe-core (pinned in package.json, loaded into the
// page from node_modules by the test, never from a CDN) on the page with findings,
// diagnostics, a simulator with denials and allowed commands, and a file that does not
// load.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { launch, open } from "./browser.mjs";
import { thirtyLines } from "./inputs.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

async function axe(page) {
  // The page's CSP forbids inline scripts; the test context bypasses it to add axe.
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`).slice(0, 5) }));
  });
}

for (const scheme of ["light", "dark"]) {
  test(`no serious accessibility violation, every text readable (${scheme} theme)`, async () => {
    const ctx = await browser.newContext({ colorScheme: scheme, bypassCSP: true, viewport: { width: 1400, height: 1000 } });
    const page = await open(ctx);
    for (const setup of ["mistakes", "broken"]) {
      if (setup === "mistakes") {
        await page.locator(".examples summary").click();
        await page.locator('[data-example="mistakes"]').click();
      } else {
        await page.getByLabel("ACL rules", { exact: true }).fill(thirtyLines() + "# a comment\nuser x on \u202Eabc +@raed\n");
        await page.getByLabel("User", { exact: true }).selectOption("app");
        await page.getByLabel("Commands", { exact: true }).fill("GET app:1\nSET app:1 x\nFLUSHALL");
      }
      await page.waitForSelector('#app[data-audit="current"]');
      const serious = (await axe(page)).filter((v) => v.impact === "serious" || v.impact === "critical");
      assert.deepEqual(serious, [], `${scheme}, ${setup}: ${JSON.stringify(serious, null, 1)}`);
    }
    await ctx.close();
  });
}
