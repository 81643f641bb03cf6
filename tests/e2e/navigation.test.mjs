// Review finding 6: "Show deciding rule" and the "Line N, column M" links bring the
// token itself into view — the editor scrolled to its line and column, the page scrolled
// to the editor — at a laptop's size and a phone's; the deciding line is quoted beside
// the result.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, open } from "./browser.mjs";
import { hex } from "./inputs.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

/** 120 users; the one we ask about is on line 100, its deciding rule past column 119. */
function file() {
  const lines = ["user default off"];
  for (let i = 1; i < 120; i++) {
    const pad = i === 99 ? " ~pad:a ~pad:b ~pad:c ~pad:d ~pad:e ~pad:f ~pad:g" : "";
    lines.push(`user u${i} on #${hex(i)} ~u${i}:*${pad} -@all +get -@dangerous`);
  }
  return lines.join("\n") + "\n";
}

/** The marked token's box lies inside the window and inside the editor's visible part. */
async function inView(page, locator) {
  const box = await page.locator(locator).boundingBox();
  const ta = await page.locator("#rules").boundingBox();
  const vp = page.viewportSize();
  assert.ok(box, `${locator} is drawn`);
  const where = JSON.stringify({ box, ta, vp });
  assert.ok(box.y >= 0 && box.y + box.height <= vp.height, `inside the window vertically: ${where}`);
  assert.ok(box.x >= 0 && box.x + box.width <= vp.width, `inside the window sideways: ${where}`);
  assert.ok(box.y >= ta.y && box.y + box.height <= ta.y + ta.height, `inside the editor vertically: ${where}`);
  assert.ok(box.x >= ta.x && box.x + box.width <= ta.x + ta.width + 1, `inside the editor sideways: ${where}`);
}

for (const [name, viewport] of [["laptop", { width: 1366, height: 768 }], ["phone", { width: 390, height: 844 }]]) {
  test(`the deciding rule is inside the viewport after "Show deciding rule" (${name})`, async () => {
    const ctx = await browser.newContext({ viewport, isMobile: name === "phone" });
    const page = await open(ctx);
    await page.getByLabel("ACL rules", { exact: true }).fill(file());
    await page.getByLabel("User", { exact: true }).selectOption("u99");
    await page.getByLabel("Commands", { exact: true }).fill("FLUSHALL");
    const row = page.locator(".sim-row").first();
    // The deciding line, quoted beside the result.
    assert.match(await row.locator(".quote").textContent(), /^line 100: …?.*-@all \+get -@dangerous/);
    assert.equal(await row.locator(".quote mark").textContent(), "-@dangerous");
    await row.getByRole("button", { name: /Show deciding rule/ }).click();
    assert.equal(await page.locator(".mirror .mark").textContent(), "-@dangerous");
    await inView(page, ".mirror .mark");
    await ctx.close();
  });

  test(`a finding's "Line N, column M" brings its token into view (${name})`, async () => {
    const ctx = await browser.newContext({ viewport, isMobile: name === "phone" });
    const page = await open(ctx);
    // A plaintext password far down and far right: the finding points at it.
    const text = file().replace("~pad:g -@all", "~pad:g >Xk9mQ2vL7pR4tW8zN3bF6hJ1cD5gS0aE -@all");
    await page.getByLabel("ACL rules", { exact: true }).fill(text);
    const group = page.locator('.group[data-codes~="plaintext-password"]');
    const loc = group.locator(".loc");
    assert.equal(await loc.getAttribute("data-line"), "100");
    assert.ok(Number(await loc.getAttribute("data-column")) > 119);
    await loc.click();
    const sel = await page.evaluate(() => {
      const t = document.getElementById("rules");
      return t.value.slice(t.selectionStart, t.selectionEnd);
    });
    assert.equal(sel, ">Xk9mQ2vL7pR4tW8zN3bF6hJ1cD5gS0aE");
    await inView(page, ".mirror .t-pass");
    await ctx.close();
  });
}
