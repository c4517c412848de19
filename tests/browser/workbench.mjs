// Screenshots of an ombudsman's day (docs/flags.md): the portfolio overview, raising a
// manual flag, adding actions to it, and the inbox with it. From a running `tandem demo`.
// Not part of `cargo test` (it needs Chromium and playwright-core); run by hand:
//   TANDEM_DATA_DIR=/tmp/demo tandem demo --bind 127.0.0.1:18100 &
//   npm install playwright-core@1 && node tests/browser/workbench.mjs http://127.0.0.1:18100 /tmp/demo/demo-credentials.txt docs/screenshots
// Fails (exit 1) when a page shows a console error or a step does not land where it should.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [base, credentials, out = '.'] = process.argv.slice(2);
if (!base || !credentials) {
  console.error('usage: workbench.mjs <base url> <demo-credentials.txt> [out dir]');
  process.exit(2);
}
const password = {};
for (const line of readFileSync(credentials, 'utf8').split('\n')) {
  const m = line.match(/(\S+@demo\.example)\s+password\s+(\S+)/);
  if (m) password[m[1]] = m[2];
}
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const errors = [];
const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
await page.goto(base + '/login');
await page.fill('#email', 'ombudsman@demo.example');
await page.fill('#password', password['ombudsman@demo.example']);
await page.click('form.card button[type=submit]');
await page.waitForLoadState('networkidle');

await page.goto(base + '/portfolio');
await page.screenshot({ path: `${out}/portfolio-overview.png`, fullPage: true });

await page.goto(base + '/flags/new?partnership=1');
await page.fill('#title', 'Supplier engineers say decisions are reversed');
await page.fill('#note', 'Heard in the joint steering meeting; not yet in the numbers.');
await page.selectOption('#side', 'supplier');
await page.fill('#dimension', 'shared_objectives');
await page.selectOption('#severity', 'high');
await page.screenshot({ path: `${out}/flag-raise.png`, fullPage: true });
await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]:not(.secondary)')]);
const url = page.url();
if (!/\/flags\/\d+$/.test(url)) { console.error('raising did not land on the flag:', url); process.exit(1); }

const due = new Date(Date.now() + 14 * 864e5).toISOString().slice(0, 10);
for (const [what, i] of [['Joint decision log, reviewed monthly', 1], ['Call with both sponsors', 2]]) {
  await page.fill('#action-what', what);
  await page.selectOption('#action-owner', { index: i });
  await page.fill('#action-due', due);
  await Promise.all([page.waitForNavigation(), page.click('form[action$="/actions"] button')]);
}
await page.screenshot({ path: `${out}/flag-manual-actions.png`, fullPage: true });

await page.goto(base + '/flags');
await page.screenshot({ path: `${out}/inbox-workbench.png`, fullPage: true });
await browser.close();
if (errors.length) { console.error('console errors:', errors); process.exit(1); }
console.log('screenshots written to', out);
