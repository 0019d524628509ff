// Replications in the browser: N seeds on every core (one engine per Web
// Worker), a progress bar, Cancel that stops at once, a worker that dies
// reported while the page goes on, and a table equal to the one
// `crosstalk run --replications` prints for the same seeds.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, eventually } from './app.mjs';

const bin = (root) =>
  process.env.CROSSTALK_BIN || path.join(root, 'target', 'release', process.platform === 'win32' ? 'crosstalk.exe' : 'crosstalk');
const fixture = (root) => path.join(root, 'tests', 'fixtures', 'v1', 'model-example.json');

/** Opens the example scenario and the Replications tab. */
async function openReplications(app, page, root, changes = {}) {
  await app.open();
  const scenario = { ...JSON.parse(fs.readFileSync(fixture(root), 'utf8')), ...changes };
  await app.importJson(JSON.stringify(scenario), 'example.json');
  await page.waitForFunction(() => document.querySelector('#scenario-name')?.value === 'Payments with SMS over a queue');
  await page.getByRole('tab', { name: 'Replications' }).click();
  return page.getByRole('form', { name: 'Replications' });
}

/** The table's rows as [metric, mean, ci, n]. */
async function tableRows(page) {
  return page.$$eval('.reps-table tbody tr', (trs) =>
    trs.map((tr) => [tr.querySelector('th'), ...tr.querySelectorAll('td')].map((c) => c.textContent.trim())),
  );
}

/** The native table's rows: the lines after the header, columns split on 2+ spaces. */
function nativeRows(text) {
  const lines = text.split('\n');
  const head = lines.findIndex((l) => l.startsWith('metric'));
  return lines
    .slice(head + 1)
    .filter((l) => l.trim() && !/stopped early/.test(l))
    .map((l) => l.trim().split(/\s{2,}/));
}

export const tests = [
  {
    name: 'the table equals crosstalk run --replications, with one engine per core',
    async run({ app, page, root, step, shot, skip }) {
      if (!fs.existsSync(bin(root))) skip('target/release/crosstalk is not built (cargo build --release --bin crosstalk)');
      const workers = [];
      page.on('worker', (w) => workers.push(w));
      const form = await openReplications(app, page, root);
      step('ask for 6 replications with a 5 s warm-up');
      expect((await form.getByLabel('Replications').inputValue()) === '10', 'ten by default');
      await form.getByLabel('Replications').fill('6');
      await form.getByLabel('Warm-up (ms)').fill('5000');
      await form.getByRole('button', { name: 'Run replications' }).click();
      step('the table appears');
      await page.locator('.reps-table').waitFor({ timeout: 60_000 });
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      expect(workers.length === Math.min(cores, 6), `${workers.length} workers for ${cores} cores`);
      const caption = await page.locator('.reps-table caption').textContent();
      expect(caption.includes('6 replications, seeds 7 to 12, warm-up 5000 ms left out'), caption);
      const browser = await tableRows(page);
      step('the same seeds natively');
      const native = nativeRows(
        execFileSync(bin(root), ['run', fixture(root), '--replications', '6', '--warmup-ms', '5000', '--jobs', '2'], { encoding: 'utf8' }),
      );
      expect(browser.length === 5, `five metrics: ${JSON.stringify(browser)}`);
      expect(JSON.stringify(browser) === JSON.stringify(native), `browser ${JSON.stringify(browser)}\nnative  ${JSON.stringify(native)}`);
      expect(browser[0][0] === 'client success rate' && /%$/.test(browser[0][1]), JSON.stringify(browser[0]));
      await shot('table');
    },
  },
  {
    name: 'Cancel stops the replications at once and the page keeps working',
    async run({ app, page, root, step }) {
      const form = await openReplications(app, page, root, { duration_ms: 600000 });
      await form.getByLabel('Replications').fill('1000');
      await form.getByRole('button', { name: 'Run replications' }).click();
      step('a progress bar counts the replications');
      const bar = page.getByRole('progressbar', { name: 'Replications done' });
      await bar.waitFor();
      expect((await bar.getAttribute('max')) === '1000', 'out of 1000');
      step('Cancel');
      await app.button('Cancel').click();
      const message = page.locator('.reps-message');
      await message.waitFor({ timeout: 2000 });
      expect(/^Cancelled after \d+ of 1000 replications\.$/.test(await message.textContent()), await message.textContent());
      expect(!(await bar.isVisible()), 'no progress bar after Cancel');
      expect(await form.getByRole('button', { name: 'Run replications' }).isEnabled(), 'can start again');
      step('the page still runs scenarios');
      await app.button('Run to end').click();
      await app.waitForHash(120_000);
    },
  },
  {
    name: 'a worker that dies is reported and the page keeps working',
    async run({ app, page, root, step }) {
      // Every worker crashes on its first task (as one out of memory would).
      await page.route('**/worker.js*', (route) =>
        route.fulfill({ contentType: 'text/javascript', body: "self.onmessage = () => { throw new Error('out of memory'); };" }),
      );
      const form = await openReplications(app, page, root, { duration_ms: 5000 });
      await form.getByLabel('Replications').fill('4');
      await form.getByRole('button', { name: 'Run replications' }).click();
      step('the death is reported');
      const alert = page.locator('.reps-message[role="alert"]');
      await alert.waitFor({ timeout: 10_000 });
      const text = await alert.textContent();
      expect(/A worker stopped while running seed \d+ \(.*out of memory.*\)/.test(text), text);
      expect(text.includes('the page keeps working'), text);
      step('the page still runs scenarios (with workers that live)');
      await page.unroute('**/worker.js*');
      await app.button('Run to end').click();
      await app.waitForHash(60_000);
    },
  },
  {
    name: 'a count of 0 or above 1,000 is refused with the limit',
    async run({ app, page, root }) {
      const form = await openReplications(app, page, root);
      for (const [n, says] of [
        ['0', 'at least 1'],
        ['1001', 'at most 1000'],
      ]) {
        await form.getByLabel('Replications').fill(n);
        await form.getByRole('button', { name: 'Run replications' }).click();
        const alert = page.locator('.reps-message[role="alert"]');
        await eventually(async () => (await alert.textContent()).includes(says), `${n}: ${says}`);
      }
      expect((await page.locator('.reps-table').count()) === 0, 'no table');
    },
  },
];

export { nativeRows, tableRows, openReplications };
