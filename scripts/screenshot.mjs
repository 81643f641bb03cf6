// Takes docs/screenshot.png: light theme, the "App user" example loaded (its rules fit
// the editor's width, so the editor stays scrolled to the left), the users panel, and a
// denial explained with its deciding rule marked in the editor.
// Usage: node scripts/screenshot.mjs <base-url> <out.png>  (scripts/screenshot.sh).
import { launch } from "../tests/e2e/browser.mjs";

const [base, out] = process.argv.slice(2);
const browser = await launch();
try {
  const ctx = await browser.newContext({ viewport: { width: 1500, height: 1350 }, colorScheme: "light", deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  await page.goto(base);
  await page.waitForSelector("#app[data-ready]");
  await page.locator('[data-example="app"]').click();
  await page.locator(".notice button").click();
  // Three commands keep the simulator short enough for the users panel to show below.
  await page.getByLabel("Commands", { exact: true }).fill("HGETALL app:user:17\nGET other:secret\nKEYS *");
  const denied = page.locator('.sim-row[data-verdict="denied"]').filter({ hasText: "GET other:secret" });
  await denied.getByRole("button", { name: /Show deciding rule/ }).click();
  await page.locator(".mirror .mark").waitFor();
  const left = await page.evaluate(() => document.getElementById("rules").scrollLeft);
  if (left !== 0) throw new Error(`the editor is scrolled ${left}px to the right`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.mouse.move(0, 0);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
