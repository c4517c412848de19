// Fills in the survey form with the keyboard only, on a phone-sized window, in headless
// Chromium, and saves screenshots to look at. Not part of `cargo test` (it needs Chromium and
// playwright-core); run by hand:
//   npm install playwright-core@1 && node tests/browser/form_keyboard.mjs <survey link> <out dir>
import { chromium } from 'playwright-core';

const [link, out = '.'] = process.argv.slice(2);
if (!link) { console.error('usage: form_keyboard.mjs <survey link> [out dir]'); process.exit(2); }

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2 });
await page.goto(link);
await page.screenshot({ path: `${out}/form-top.png` });

// Skip the first item on purpose to see the validation message; answer the rest with arrows.
const items = await page.locator('fieldset').count();
const active = () => page.evaluate(() => document.activeElement && (document.activeElement.name || document.activeElement.tagName));
const tabTo = async (want) => {
  for (let n = 0; n < 40; n++) {
    await page.keyboard.press('Tab');
    if ((await active()) === want || (await active())?.startsWith?.(want)) return;
  }
  throw new Error(`could not reach ${want} by Tab`);
};
const names = await page.locator('fieldset input[type=radio]').evaluateAll(
  (els) => [...new Set(els.map((e) => e.name))]);
for (let i = 1; i < names.length; i++) {
  await tabTo(names[i]);
  // Arrow keys move and select within a radio group; each press moves one option.
  for (let k = 0; k < 3 + (i % 2); k++) await page.keyboard.press('ArrowDown');
  if (i === 1) await page.screenshot({ path: `${out}/form-focus.png` });
}
await tabTo('open.');
await page.keyboard.type('More joint planning, please.');
await tabTo('BUTTON');
await page.keyboard.press('Enter');
await page.waitForLoadState('load');
await page.screenshot({ path: `${out}/form-error.png`, fullPage: false });
const status1 = await page.locator('#problems').count();

// Fix it by keyboard: the summary link jumps to the item.
await page.locator('#problems a').first().focus();
await page.keyboard.press('Enter');
await tabTo(names[0]);
await page.keyboard.press('ArrowDown');
await page.keyboard.press('ArrowDown');
await tabTo('BUTTON');
await page.keyboard.press('Enter');
await page.waitForLoadState('load');
await page.screenshot({ path: `${out}/form-thanks.png` });
const title = await page.locator('h1').innerText();
console.log(JSON.stringify({ items, errorSummaryShown: status1 === 1, finalHeading: title }));
await browser.close();
