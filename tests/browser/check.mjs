// What a person checks in a browser, asserted, from a running `tandem demo` (headless Chromium
// via playwright-core). Run it with tests/browser/run.sh, which starts the demo for it.
//   node tests/browser/check.mjs <base url> <demo data dir> <admin token> <out dir>
// Each check compares what the page shows with the JSON API (the same numbers), and every
// page must load without a console error. Screenshots of each step go to <out dir>.
// Exit status 1 with the list of failed checks, 0 when all passed.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [base, dataDir, adminToken, out = '.'] = process.argv.slice(2);
if (!base || !dataDir || !adminToken) {
  console.error('usage: check.mjs <base url> <demo data dir> <admin token> [out dir]');
  process.exit(2);
}
const failures = [];
let passed = 0;
const check = (ok, what) => { if (ok) passed++; else failures.push(what); };
const api = async (path) => {
  const r = await fetch(base + path, { headers: { Authorization: `Bearer ${adminToken}` } });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
};
const password = {};
for (const line of readFileSync(`${dataDir}/demo-credentials.txt`, 'utf8').split('\n')) {
  const m = line.match(/(\S+@demo\.example)\s+password\s+(\S+)/);
  if (m) password[m[1]] = m[2];
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
// A page whose console errors and uncaught exceptions are failures of the step it is on.
// `expected`: console messages the step checks itself (Chromium logs a 422 page as a failed
// resource; the form's answer to a skipped question is one, and its status is checked).
async function newPage(viewport, label, expected = null) {
  const page = await (await browser.newContext({ viewport })).newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !(expected && expected.test(m.text()))) {
      failures.push(`${label}: console error ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => failures.push(`${label}: page error ${e.message}`));
  return page;
}
async function signedIn(email, viewport = { width: 1280, height: 900 }) {
  const page = await newPage(viewport, email);
  await page.goto(base + '/login');
  await page.fill('#email', email);
  await page.fill('#password', password[email]);
  await Promise.all([page.waitForNavigation(), page.click('form.card button[type=submit]')]);
  check(!page.url().endsWith('/login'), `${email} is signed in (at ${page.url()})`);
  return page;
}
const fixed = (x) => x.toFixed(2);

// 1. The manager's dashboard: the heading, and each dimension's newest row as the report.
const [partnership] = (await api('/api/partnerships')).filter((p) => p.id === 1);
const report = await api('/api/partnerships/1/report');
const m = await signedIn('manager@demo.example');
const r1 = await m.goto(base + '/partnerships/1');
check(r1.status() === 200, `dashboard answers 200 (got ${r1.status()})`);
check((await m.locator('h1').innerText()).trim() === partnership.name,
  `dashboard heading is the partnership's name "${partnership.name}"`);
check((await m.locator('#dimensions').innerText()).includes('both firms'),
  'a both-firm manager reads "both firms over time"');
const dims = [...new Set(report.dimensions.map((d) => d.dimension))];
for (const dim of dims) {
  const rows = m.locator(`#dim-${dim} table.data tbody tr`);
  const count = await rows.count();
  check(count > 0, `${dim}: the data table has rows`);
  for (let i = 0; i < count; i++) {
    const row = rows.nth(i);
    const wave = Number(await row.locator('th').innerText());
    const cells = await row.locator('td').allInnerTexts();
    for (const [k, side] of ['customer', 'supplier'].entries()) {
      const rec = report.dimensions.find((d) => d.wave === wave && d.side === side
        && d.segment_kind === 'all' && d.dimension === dim);
      if (!rec || rec.mean === undefined) continue;
      check(cells[k].startsWith(`${fixed(rec.mean)} (${fixed(rec.mean_ci95[0])}–${fixed(rec.mean_ci95[1])})`),
        `${dim} wave ${wave} ${side}: page "${cells[k]}" shows the report's mean ${fixed(rec.mean)}`);
    }
  }
}
// Withheld cells show why, never a number other than the minimum size.
const min = partnership.min_reporting_size;
const withheld = await m.locator('td.withheld').allTextContents();
for (const text of withheld) {
  check(text.startsWith('withheld') && !/\d/.test(text.replaceAll(String(min), '')),
    `a withheld cell says why and shows no number: "${text}"`);
}
await m.screenshot({ path: `${out}/dashboard-top.png` });
await m.locator('#segments').scrollIntoViewIfNeeded();
await m.screenshot({ path: `${out}/dashboard-segments.png` });

// 2. The review pack prints.
const r2 = await m.goto(base + '/partnerships/1/review');
check(r2.status() === 200, 'review pack answers 200');
check((await m.content()).includes('Questions for the review meeting'), 'review pack has its questions');
await m.emulateMedia({ media: 'print' });
await m.pdf({ path: `${out}/review.pdf`, format: 'A4' });
check(statSync(`${out}/review.pdf`).size > 20000, 'the review pack prints to a PDF of some substance');

// 3. A customer-side manager (of the demo's second partnership) sees one firm.
const c = await signedIn('customer.manager@demo.example');
const r3 = await c.goto(base + '/partnerships/2');
check(r3.status() === 200, `the one-side manager's dashboard answers 200 (got ${r3.status()})`);
check((await c.locator('#dimensions').innerText()).includes('your firm'),
  'a one-side manager reads "your firm over time"');
const oneSideCells = await c.locator('section[id^="dim-"] table.data tbody tr').first().locator('td').count();
check(oneSideCells === 1, `a one-side manager's data table has one firm column (got ${oneSideCells})`);
await c.screenshot({ path: `${out}/dashboard-one-side.png` });

// 4. The ombudsman's inbox lists the open flags the API lists, and a flag page opens.
const flags = await api('/api/flags');
const o = await signedIn('ombudsman@demo.example');
await o.goto(base + '/flags');
check((await o.locator('h1').innerText()).trim() === 'Flag inbox', 'the inbox is headed "Flag inbox"');
const listed = await o.locator('a.rule').count();
check(listed === flags.length, `the inbox lists ${flags.length} flags as the API does (got ${listed})`);
await o.screenshot({ path: `${out}/inbox-top.png` });
const first = await o.locator('a.rule').first().getAttribute('href');
const flag = await api(`/api${first}`);
await o.goto(base + first);
check((await o.locator('h1').innerText()).trim() === flag.rule_words,
  `the flag page is headed with the rule in words "${flag.rule_words}"`);
await o.screenshot({ path: `${out}/flag.png`, fullPage: true });
const phone = await signedIn('ombudsman@demo.example', { width: 375, height: 800 });
await phone.goto(base + '/flags');
const overflow = await phone.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
check(overflow <= 1, `the inbox fits a phone's width (overflows by ${overflow}px)`);
await phone.screenshot({ path: `${out}/inbox-phone.png` });

// 5. A respondent answers with the keyboard only, on a phone: a skipped question is named in
// the error summary, its link leads back to it, and the answer is counted.
const mails = readdirSync(`${dataDir}/mail`).filter((f) => f.endsWith('.eml'))
  .map((f) => readFileSync(`${dataDir}/mail/${f}`, 'utf8').replace(/=\r?\n/g, ''));
const link = mails.map((t) => (t.match(/https?:\/\/[^\s"<>]+\/s\/[A-Za-z0-9_-]{20,}/) || [])[0]).find(Boolean);
check(Boolean(link), 'an invitation mail holds a personal link');
// Responses counted in every open wave (the link may belong to either partnership).
const responded = async () => {
  let n = 0;
  for (const p of await api('/api/partnerships')) {
    for (const w of await api(`/api/partnerships/${p.id}/waves`)) if (w.state === 'open') n += w.responded;
  }
  return n;
};
const before = await responded();
const f = await newPage({ width: 375, height: 812 }, 'form', /status of 422/);
await f.goto(link);
check((await f.locator('h1').innerText()).startsWith('How is the partnership with'), 'the form has its heading');
const active = () => f.evaluate(() => document.activeElement && (document.activeElement.name || document.activeElement.tagName));
const tabTo = async (want) => {
  for (let n = 0; n < 60; n++) {
    await f.keyboard.press('Tab');
    const a = await active();
    if (a === want || a?.startsWith?.(want)) return true;
  }
  failures.push(`form: could not reach ${want} with Tab`);
  return false;
};
const names = await f.locator('fieldset input[type=radio]').evaluateAll(
  (els) => [...new Set(els.map((e) => e.name))]);
for (let i = 1; i < names.length; i++) {
  if (!(await tabTo(names[i]))) break;
  for (let k = 0; k < 3 + (i % 2); k++) await f.keyboard.press('ArrowDown');
}
await tabTo('BUTTON');
const [refused] = await Promise.all([f.waitForNavigation(), f.keyboard.press('Enter')]);
check(refused.status() === 422, `a form with a skipped question answers 422 (got ${refused.status()})`);
check(await f.locator('#problems').count() === 1, 'the skipped question is named in an error summary');
await f.screenshot({ path: `${out}/form-error.png` });
await f.locator('#problems a').first().focus();
await f.keyboard.press('Enter');
await tabTo(names[0]);
await f.keyboard.press('ArrowDown');
await tabTo('BUTTON');
await Promise.all([f.waitForNavigation(), f.keyboard.press('Enter')]);
check(/\/thanks$/.test(f.url()), `the answers are saved and the thanks page shown (at ${f.url()})`);
await f.screenshot({ path: `${out}/form-thanks.png` });
const after = await responded();
check(after === before + 1, `the open waves count one more response (${before} → ${after})`);

await browser.close();
console.log(`${passed} checks passed, ${failures.length} failed; screenshots in ${out}`);
if (failures.length) {
  for (const f of failures) console.error('FAILED:', f);
  process.exit(1);
}
