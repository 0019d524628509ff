// Run to end in a Web Worker (issue 12, point 2): the page only waits,
// Pause stops a long run at once (the worker is terminated), and the result
// is the same run as natively: same hash, requests and traces.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, eventually } from './app.mjs';
import { heavyScenario } from './running.test.mjs';

const bin = (root) =>
  process.env.CROSSTALK_BIN || path.join(root, 'target', 'release', process.platform === 'win32' ? 'crosstalk.exe' : 'crosstalk');

async function openHeavy(app, page, ms) {
  await app.open();
  await app.importJson(JSON.stringify(heavyScenario(ms)), 'heavy.json');
  await page.waitForFunction(() => document.querySelector('#scenario-name')?.value === 'Heavy');
}

export const tests = [
  {
    name: 'Run to end runs in a worker; Pause stops it at once and the page goes on',
    async run({ app, page, step }) {
      const workers = [];
      page.on('worker', (w) => workers.push(w));
      // Ten simulated minutes at 2000 requests a second: far longer than
      // this test waits.
      await openHeavy(app, page, 600000);
      step('Run to end starts a worker');
      await app.button('Run to end').click();
      await eventually(async () => workers.length === 1, 'one worker runs the run');
      expect(await app.button('Pause').isEnabled(), 'Pause is offered while it runs');
      step('the page answers while the worker runs');
      await page.getByRole('tab', { name: 'Nodes' }).click();
      await page.locator('.node-table').waitFor({ timeout: 2000 });
      expect(workers.length === 1 && (await app.runHash()) === '', 'still running in the worker');
      step('Pause stops it at once');
      const closed = new Promise((r) => workers[0].once('close', () => r(true)));
      await app.button('Pause').click();
      expect(await closed, 'the worker is terminated');
      expect((await app.runHash()) === '', 'no hash: the run did not end');
      expect(await app.button('Run to end').isEnabled(), 'Run to end again is offered');
    },
  },
  {
    name: 'a run to the end in the worker is the native run: hash, requests, traces',
    async run({ app, page, root, step, skip }) {
      if (!fs.existsSync(bin(root))) skip('target/release/crosstalk is not built (cargo build --release --bin crosstalk)');
      const workers = [];
      page.on('worker', (w) => workers.push(w));
      await openHeavy(app, page, 10000);
      await app.button('Run to end').click();
      const hash = await app.waitForHash();
      expect(workers.length === 1, `ran in a worker (${workers.length})`);
      step('the same hash natively');
      const file = path.join(root, 'tests', 'e2e', 'out', 'worker-heavy.json');
      fs.writeFileSync(file, JSON.stringify(heavyScenario(10000)));
      const report = JSON.parse(execFileSync(bin(root), ['run', file, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
      expect(report.run_hash === hash, `native ${report.run_hash}, worker ${hash}`);
      step('the figures are the native ones');
      const sent = Number(await page.locator('[data-stat="requests.started"]').getAttribute('data-value'));
      expect(sent === report.requests.started, `requests started: app ${sent}, native ${report.requests.started}`);
      step('the kept requests are listed and their traces open');
      await page.getByRole('tab', { name: 'Requests' }).click();
      await page.locator('.request-table tbody tr[data-id]').first().waitFor();
      const rows = await page.locator('.request-table tbody tr[data-id]').count();
      expect(rows > 0, 'requests listed');
      await page.locator('.request-table tbody tr[data-id]').first().click();
      await page.getByRole('img', { name: 'Timeline of the request' }).waitFor({ timeout: 5000 });
    },
  },
];
