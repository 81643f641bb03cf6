// Headless Chromium (Debian's /usr/bin/chromium) through playwright-core: never a
// downloaded browser. Shared by the end-to-end tests and scripts/measure-web.mjs.
import { chromium } from "playwright-core";

export const BASE = process.env.ACLPLAY_URL ?? "http://127.0.0.1:8080/";

export function launch() {
  const args = [
    "--headless=new",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
  ];
  if (process.getuid?.() === 0) args.push("--no-sandbox");
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args,
  });
}

/** Opens the playground (optionally with a query or fragment) and waits for the app. */
export async function open(context, suffix = "") {
  const page = await context.newPage();
  await page.goto(BASE + suffix);
  await page.waitForSelector("#app[data-ready]");
  return page;
}

/** Pastes `text` into the rules editor as a user does (Ctrl+V: one input event), over
 * what it holds. The context needs the clipboard permissions. */
export async function paste(page, text, selector = "#rules") {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.locator(selector).focus();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Control+V");
}

/** Waits until the security audit is that of the current rules. */
export async function audited(page, timeout = 30000) {
  await page.waitForSelector('#app[data-audit="current"]', { timeout });
}

/** Milliseconds until the next frame has been drawn, from inside the page. */
export function nextFrame(page) {
  return page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
}
