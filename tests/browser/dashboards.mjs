// Screenshots of the manager's dashboard (goals, comments), the goal form with its errors,
// the review pack printed to PDF, and the ombudsman's inbox and one flag (desktop and
// phone), from a running `tandem demo`. Not part of `cargo test` (it needs Chromium and
// playwright-core); run by hand:
//   TANDEM_DATA_DIR=/tmp/demo tandem demo --bind 127.0.0.1:18100 &
//   npm install playwright-core@1 && node tests/browser/dashboards.mjs http://127.0.0.1:18100 /tmp/demo/demo-credentials.txt /tmp/shots
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [base, credentials, out = '.'] = process.argv.slice(2);
if (!base || !credentials) {
  console.error('usage: dashboards.mjs <base url> <demo-credentials.txt> [out dir]');
  process.exit(2);
}
const password = {};
for (const line of readFileSync(credentials, 'utf8').split('\n')) {
  const m = line.match(/(\S+@demo\.example)\s+password\s+(\S+)/);
  if (m) password[m[1]] = m[2];
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
async function signedIn(email, viewport) {
  const page = await (await browser.newContext({ viewport })).newPage();
  await page.goto(base + '/login');
  await page.fill('#email', email);
  await page.fill('#password', password[email]);
  await page.click('form.card button[type=submit]');
  await page.waitForLoadState('networkidle');
  return page;
}
const desktop = { width: 1280, height: 900 };

const m = await signedIn('manager@demo.example', desktop);
await m.goto(base + '/partnerships/1');
await m.screenshot({ path: `${out}/dashboard-top.png` });
await m.locator('#goals').scrollIntoViewIfNeeded();
await m.screenshot({ path: `${out}/dashboard-goals.png` });
await m.locator('#comments').scrollIntoViewIfNeeded();
await m.screenshot({ path: `${out}/dashboard-comments.png` });
await m.goto(base + '/partnerships/1/goals/new');
await m.fill('#target', '9');
await m.fill('#due_on', '2020-01-01');
await m.click('form.goal-form button[type=submit]');
await m.waitForLoadState('networkidle');
await m.screenshot({ path: `${out}/goal-form-errors.png`, fullPage: true });
await m.goto(base + '/partnerships/1/review');
await m.emulateMedia({ media: 'print' });
await m.pdf({ path: `${out}/review.pdf`, format: 'A4' });

const o = await signedIn('ombudsman@demo.example', desktop);
await o.goto(base + '/flags');
await o.screenshot({ path: `${out}/inbox-top.png` });
await o.goto(base + (await o.locator('a.rule').first().getAttribute('href')));
await o.screenshot({ path: `${out}/flag.png`, fullPage: true });
const phone = await signedIn('ombudsman@demo.example', { width: 375, height: 800 });
await phone.goto(base + '/flags');
await phone.screenshot({ path: `${out}/inbox-phone-top.png` });
await browser.close();
