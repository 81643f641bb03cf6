// 8. Feel: themes (system, toggle), a phone's width, keyboard only, labels on every
// control, results announced through aria-live.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, open } from "./browser.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const bg = (page) => page.evaluate(() => getComputedStyle(document.body).getPropertyValue("--bg") || getComputedStyle(document.documentElement).getPropertyValue("--bg"));

test("light and dark themes follow the system, with a toggle that is remembered", async () => {
  const ctx = await browser.newContext({ colorScheme: "dark" });
  const page = await open(ctx);
  assert.equal((await bg(page)).trim(), "#17181a");
  const toggle = page.getByRole("button", { name: /^Theme: / });
  assert.equal(await toggle.textContent(), "Theme: system");
  await toggle.click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "light");
  assert.equal((await bg(page)).trim(), "#fbfbfa");
  await toggle.click();
  assert.equal((await bg(page)).trim(), "#17181a");
  await page.reload();
  await page.waitForSelector("#app[data-ready]");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
  await ctx.close();
  const light = await browser.newContext({ colorScheme: "light" });
  const p2 = await open(light);
  assert.equal((await bg(p2)).trim(), "#fbfbfa");
  await light.close();
});

test("responsive down to a phone's width", async () => {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
  const page = await open(ctx);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth + 1), "no horizontal page scroll");
  const box = await page.getByLabel("ACL rules", { exact: true }).boundingBox();
  assert.ok(box.width > 200 && box.x >= 0);
  // Panels stack in one column.
  const sim = await page.locator(".simulator").boundingBox();
  const rules = await page.locator(".rules").boundingBox();
  assert.ok(sim.y > rules.y + rules.height - 1);
  await ctx.close();
});

test("keyboard only: reach and use the controls; results are announced", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  // Tab from the top until the generator button has focus, then press Enter.
  let found = false;
  for (let i = 0; i < 80 && !found; i++) {
    await page.keyboard.press("Tab");
    found = await page.evaluate(() => document.activeElement?.textContent === "Generate password");
  }
  assert.ok(found, "Generate password is reachable with Tab");
  await page.keyboard.press("Enter");
  assert.match(await page.locator("#pw-out").inputValue(), /^[0-9a-f]{64}$/);
  const live = page.locator("[aria-live]#live");
  assert.match(await live.textContent(), /Generated a password with 256 bits of entropy/);
  // The editor is reachable and typing into it works.
  await page.getByLabel("ACL rules", { exact: true }).focus();
  await page.keyboard.press("Control+A");
  await page.keyboard.type("user k on nopass ~* +@all");
  await page.locator('[data-user="k"]').waitFor();
  // Verdicts sit in aria-live regions.
  assert.equal(await page.getByTestId("users-verdict").getAttribute("aria-live"), "polite");
  assert.equal(await page.getByTestId("sim-verdict").getAttribute("aria-live"), "polite");
  await ctx.close();
});

test("every control has an accessible name", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  for (const name of ["ACL rules", "Server version", "User", "Commands"]) {
    assert.equal(await page.getByLabel(name, { exact: true }).count(), 1, name);
  }
  for (const name of ["Generate password", "Copy share link"]) {
    assert.equal(await page.getByRole("button", { name, exact: true }).count(), 1, name);
  }
  const unnamed = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll("button, input, select, textarea")) {
      const named =
        el.getAttribute("aria-label") ||
        (el.id && document.querySelector(`label[for="${el.id}"]`)) ||
        el.closest("label") ||
        (el.tagName === "BUTTON" && el.textContent.trim());
      if (!named) out.push(el.outerHTML.slice(0, 80));
    }
    return out;
  });
  assert.deepEqual(unnamed, []);
  await ctx.close();
});

// Review finding 10: on a phone the editor is on the first screen; the examples are a
// menu, not a gallery above it.
test("on a 390x844 phone the editor is above the fold", async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await open(ctx);
  const box = await page.locator("#rules").boundingBox();
  assert.ok(box.y + 120 <= 844, `the editor starts at y = ${box.y}`);
  assert.ok(box.width > 250);
  // Examples: a menu in the header.
  assert.equal(await page.locator(".gallery").isVisible(), false);
  await page.locator(".examples summary").click();
  assert.ok(await page.locator('[data-example="cache"]').isVisible());
  await page.locator('[data-example="cache"]').click();
  assert.equal(await page.locator(".gallery").isVisible(), false, "the menu closes");
  await page.waitForFunction(() => document.getElementById("rules").value.includes("user cache"));
  await ctx.close();
});
