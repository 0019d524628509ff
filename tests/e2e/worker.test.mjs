// The run in a Web Worker (issue 12, point 2): Run and Run to end both run
// there, the page only draws; Pause keeps the run where it got to, Reset
// stops it at once (the worker is terminated), and the result is the same
// run as natively: same hash, requests and traces.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, eventually } from './app.mjs';
import { heavyScenario } from './running.test.mjs';
import { bigDiagram } from './bench-scenarios.mjs';

const bin = (root) =>
  process.env.CROSSTALK_BIN || path.join(root, 'target', 'release', process.platform === 'win32' ? 'crosstalk.exe' : 'crosstalk');

async function openHeavy(app, page, ms) {
  await app.open();
  await app.importJson(JSON.stringify(heavyScenario(ms)), 'heavy.json');
  await page.waitForFunction(() => document.querySelector('#scenario-name')?.value === 'Heavy');
}

const stat = async (page, key) => Number(await page.locator(`[data-stat="${key}"]`).getAttribute('data-value'));

export const tests = [
  {
    // The worker's answer for a big run is compact (series as numbers, the
    // requests list as rows, no traces) and its checkpoints are made after
    // it: none of that may change what the page shows.
    name: 'Run to end of a 400-node diagram: the native hash and figures, charts, requests, and any instant after',
    async run({ app, page, root, step, skip }) {
      if (!fs.existsSync(bin(root))) skip('target/release/crosstalk is not built (cargo build --release --bin crosstalk)');
      const big = bigDiagram();
      await app.open();
      await app.importJson(JSON.stringify(big), 'big.json');
      await page.waitForFunction(() => document.querySelectorAll('g[data-kind]').length === 400, null, { timeout: 30000 });
      await app.button('Run to end').click();
      const hash = await app.waitForHash(60000);
      const file = path.join(root, 'tests', 'e2e', 'out', 'worker-big.json');
      fs.writeFileSync(file, JSON.stringify(big));
      const native = (ms) =>
        JSON.parse(execFileSync(bin(root), ['run', file, '--json', ...(ms ? ['--duration-ms', String(ms)] : [])], { encoding: 'utf8', maxBuffer: 256 << 20 }));
      const report = native();
      step('the hash and figures of crosstalk run');
      expect(report.run_hash === hash, `native ${report.run_hash}, worker ${hash}`);
      for (const key of ['requests.started', 'requests.ok', 'messages.delivered']) {
        const [app_, nat] = [await stat(page, key), key.split('.').reduce((o, k) => o?.[k], report)];
        expect(app_ === nat, `${key}: app ${app_}, native ${nat}`);
      }
      step('the charts draw the run');
      await page.getByRole('tab', { name: 'Charts' }).click();
      await eventually(async () => (await page.locator('.charts polyline, .charts path').count()) > 0, 'lines on the charts');
      step('the requests are listed and a trace opens (the worker keeps them)');
      await page.getByRole('tab', { name: 'Requests' }).click();
      await page.locator('.request-table tbody tr[data-id]').first().waitFor();
      await page.locator('.request-table tbody tr[data-id]').first().click();
      await page.getByRole('img', { name: 'Timeline of the request' }).waitFor({ timeout: 10000 });
      step('an instant of the run after it: the native figures there');
      await page.getByRole('slider', { name: 'Simulated time' }).fill('30000');
      const at30 = native(30000);
      await eventually(async () => (await stat(page, 'requests.started')) === at30.requests.started, `requests started at 30 s: app ${await stat(page, 'requests.started')}, native ${at30.requests.started}`);
      step('and Run to end from there: the same hash');
      await app.button('Run to end').click();
      expect((await app.waitForHash(60000)) === hash, 'the same hash again');
    },
  },
  {
    name: 'Run to end runs in a worker; Pause keeps the run where it got to, Reset stops it at once',
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
      step('the page answers while the worker runs, and the clock moves');
      await page.getByRole('tab', { name: 'Nodes' }).click();
      await page.locator('.node-table').waitFor({ timeout: 2000 });
      await eventually(async () => (await app.clock())?.now > 0, 'the clock moves');
      expect(workers.length === 1 && (await app.runHash()) === '', 'still running in the worker');
      step('Pause stops it midway, and the run stays there');
      let closed = false;
      workers[0].once('close', () => (closed = true));
      await app.button('Pause').click();
      await eventually(async () => /Paused/.test(await page.locator('.hud').textContent()), 'paused');
      const at = (await app.clock()).now;
      expect(at > 0 && at < 600, `paused midway (${at} s)`);
      await page.waitForTimeout(300);
      expect((await app.clock()).now === at, 'the clock stands still while paused');
      expect(!closed && (await app.runHash()) === '', 'the worker keeps the run; no hash');
      step('Run to end goes on from there');
      await app.button('Run to end').click();
      await eventually(async () => (await app.clock()).now > at, 'it goes on from where it was');
      expect(workers.length === 1, 'in the same worker');
      step('Reset stops it at once: the worker is terminated');
      const gone = new Promise((r) => workers[0].once('close', () => r(true)));
      await app.button('Reset').click();
      expect(await gone, 'the worker is terminated');
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
  {
    name: 'the live run animates from the worker, pauses, resumes and ends on the hash of crosstalk run',
    async run({ app, page, root, step, skip, shot }) {
      if (!fs.existsSync(bin(root))) skip('target/release/crosstalk is not built (cargo build --release --bin crosstalk)');
      const workers = [];
      page.on('worker', (w) => workers.push(w));
      await app.open();
      await app.example('Payments, SMS over a queue');
      await page.getByLabel('Speed').fill('5');
      await page.getByLabel('Speed').press('Enter');
      step('Run: the worker runs it and the page draws its tokens');
      await app.button('Run').click();
      await eventually(async () => workers.length === 1, 'a worker runs the live run');
      await eventually(async () => Number(await page.locator('main.stage').getAttribute('data-tokens')) > 0, 'tokens drawn on the links', 10000);
      await eventually(async () => (await app.clock())?.now >= 2, 'the clock moves', 10000);
      await eventually(async () => Number(await page.locator('[data-stat="requests.started"]').getAttribute('data-value')) > 0, 'the figures follow the run');
      await shot('live-in-worker');
      step('Pause keeps it where it is');
      await app.button('Pause').click();
      await eventually(async () => /Paused/.test(await page.locator('.hud').textContent()), 'paused');
      await page.waitForTimeout(200);
      const at = (await app.clock()).now;
      await page.waitForTimeout(300);
      expect((await app.clock()).now === at, 'the clock stands still while paused');
      step('Run resumes from there, in the same worker');
      await app.button('Run').click();
      await eventually(async () => (await app.clock()).now > at, 'the run goes on');
      expect(workers.length === 1, `one worker all along (${workers.length})`);
      step('Run to end: the hash of crosstalk run');
      await app.button('Run to end').click();
      const hash = await app.waitForHash();
      const file = path.join(root, 'tests', 'e2e', 'out', 'worker-live.json');
      fs.writeFileSync(file, JSON.stringify(await app.saved()));
      const report = JSON.parse(execFileSync(bin(root), ['run', file, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
      expect(report.run_hash === hash, `native ${report.run_hash}, watched ${hash}`);
      step('a what-if right after it says where to fork from');
      await page.getByRole('button', { name: 'What if…' }).click();
      await page.getByRole('dialog', { name: 'What if' }).getByRole('button', { name: 'Run the branch' }).click();
      const said = await page.getByRole('dialog', { name: 'What if' }).getByRole('alert').textContent();
      expect(/move the timeline back/.test(said) && !/run the scenario first/.test(said), said);
    },
  },
  {
    name: 'a runaway live run stops at once on Reset and the page keeps answering',
    async run({ app, page, step }) {
      const workers = [];
      page.on('worker', (w) => workers.push(w));
      await openHeavy(app, page, 600000);
      await page.getByLabel('Speed').fill('1000');
      await page.getByLabel('Speed').press('Enter');
      await app.button('Run').click();
      await eventually(async () => workers.length === 1, 'a worker runs it');
      await eventually(async () => (await app.clock())?.now > 0, 'it runs');
      step('the page answers while it runs');
      await page.getByRole('tab', { name: 'Charts' }).click();
      await page.getByRole('tab', { name: 'Nodes' }).click();
      await page.locator('.node-table').waitFor({ timeout: 2000 });
      step('Reset terminates the worker');
      const gone = new Promise((r) => workers[0].once('close', () => r(true)));
      await app.button('Reset').click();
      expect(await gone, 'the worker is terminated');
      expect(/Ready/.test(await page.locator('.hud').textContent()), 'ready again');
    },
  },
];
