// Takes docs/screenshot.png: light theme, the "App user" example loaded, a denial
// explained with its deciding rule marked in the editor.
// Usage: node scripts/screenshot.mjs <base-url> <out.png>  (scripts/screenshot.sh).
import { launch } from "../tests/e2e/browser.mjs";

const [base, out] = process.argv.slice(2);
const browser = await launch();
try {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 1100 }, colorScheme: "light", deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  await page.goto(base);
  await page.waitForSelector("#app[data-ready]");
  await page.locator('[data-example="app"]').click();
  await page.locator(".notice button").click();
  const denied = page.locator('.sim-row[data-verdict="denied"]').filter({ hasText: "KEYS" });
  await denied.getByRole("button", { name: /Show deciding rule/ }).click();
  await page.locator(".mirror .mark").waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.mouse.move(0, 0);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
