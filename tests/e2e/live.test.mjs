// Live actions kept in the run, one consistent set of numbers, and the
// design warnings panel.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, eventually } from './app.mjs';

async function shareLink(app, page) {
  await app.button('Share').click();
  const box = page.getByLabel('Share link');
  await box.waitFor();
  const link = await box.inputValue();
  await page.keyboard.press('Escape');
  return link;
}

function runner(root) {
  return process.env.CROSSTALK_BIN || path.join(root, 'target', 'release', process.platform === 'win32' ? 'crosstalk.exe' : 'crosstalk');
}

async function setSpeed(page, speed) {
  await page.getByLabel('Speed').fill(String(speed));
  await page.getByLabel('Speed').press('Enter');
}

/** Waits until the simulated clock passes `seconds`. */
async function until(app, seconds) {
  await eventually(async () => (await app.clock())?.now >= seconds, `the clock passes ${seconds} s`, 30_000);
}

const crashed = async (app, label) => /crashed/.test((await app.node(label).getAttribute('class')) || '');

/** The top figure `key` and the sum of its column in the node table. */
async function figureAndRows(page, key) {
  const top = Number(await page.locator(`[data-stat="${key}"]`).getAttribute('data-value'));
  const cells = await page.locator(`.node-table tbody td[data-col="${key}"]`).evaluateAll((tds) =>
    tds.map((td) => td.getAttribute('data-value')).filter((v) => v !== null && v !== '').map(Number),
  );
  return { top, rows: cells.reduce((a, b) => a + b, 0), count: cells.length };
}

export const tests = [
  {
    name: 'a live crash, recover and field edit are kept in the run: Share reproduces the hash watched',
    async run({ app, page, root, step, shot, skip }) {
      await app.open();
      await app.example('Payments, SMS over a queue');
      await setSpeed(page, 20);
      step('run, and crash Payments live');
      await app.select('Payments');
      await app.button('Run').click();
      await until(app, 8);
      await app.button('Crash now').click();
      await eventually(() => crashed(app, 'Payments'), 'Payments is marked crashed');
      await eventually(async () => (await app.saved())?.faults?.length === 2, 'the crash is in the scenario');
      const fault = (await app.saved()).faults[1];
      expect(fault.target === 'pay' && fault.kind === 'crash' && fault.at_ms >= 8000 && fault.for_ms === undefined, JSON.stringify(fault));
      step('the run was not reset');
      const before = (await app.clock()).now;
      await until(app, before + 3);
      step('recover live');
      await app.button('Recover').click();
      await eventually(async () => !(await crashed(app, 'Payments')), 'Payments recovered');
      await eventually(async () => (await app.saved()).faults[1].for_ms > 0, 'Recover set for_ms');
      step('edit a field while it runs: Workers 2');
      const t0 = (await app.clock()).now;
      const workers = app.inspector().getByLabel('Workers', { exact: true });
      await workers.fill('2');
      await workers.press('Enter');
      await eventually(async () => (await app.saved()).changes?.length === 1, 'the edit is a change in the scenario');
      const change = (await app.saved()).changes[0];
      expect(change.target === 'pay' && change.field === 'workers' && change.value === 2 && change.at_ms >= t0 * 1000 - 1, JSON.stringify(change));
      expect((await app.saved()).nodes[1].workers === 16, 'the node keeps the value it started with');
      expect((await app.clock()).now >= t0, 'the run went on');
      expect((await page.getByText('The run was reset').count()) === 0, 'no reset');
      await eventually(async () => (await workers.inputValue()) === '2', 'the field shows the value in force');
      step('the charts mark the live crash and the change');
      await page.getByRole('tab', { name: 'Charts' }).click();
      await eventually(async () => (await page.locator('.chart .fault-band').count()) >= 6, 'two fault bands on each of three charts');
      expect((await page.locator('.chart .change-mark').count()) >= 3, 'the change is marked on each chart');
      await shot('live-marks');
      step('run to the end');
      await app.button('Run to end').click();
      const watched = await app.waitForHash();
      await shot('finished');
      step('Share, then the runner on the link');
      const link = await shareLink(app, page);
      const bin = runner(root);
      if (!fs.existsSync(bin)) skip('target/release/crosstalk is not built (cargo build --release --bin crosstalk)');
      const report = JSON.parse(execFileSync(bin, ['run', link, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
      expect(report.run_hash === watched, `runner ${report.run_hash} vs the run watched ${watched}`);
      step('and Run again in the app replays the same run');
      await app.button('Reset').click();
      await app.button('Run to end').click();
      expect((await app.waitForHash()) === watched, 'same hash again');
    },
  },
  {
    name: 'Undo takes a live action back as one step and the run goes on',
    async run({ app, page, step }) {
      await app.open();
      await app.example('LeetCode');
      await setSpeed(page, 10);
      await app.select('Judge workers');
      await app.button('Run').click();
      await until(app, 3);
      step('crash live');
      await app.button('Crash now').click();
      await eventually(() => crashed(app, 'Judge workers'), 'crashed');
      await eventually(async () => (await app.saved()).faults.length === 2, 'recorded');
      step('Ctrl+Z');
      await page.keyboard.press('Control+z');
      await eventually(async () => (await app.saved()).faults.length === 1, 'the live crash is gone from the scenario');
      await eventually(async () => !(await crashed(app, 'Judge workers')), 'and from the run');
      const t = (await app.clock()).now;
      expect(t >= 3, `the run was replayed to where it was, not reset (${t} s)`);
      await until(app, t + 1);
      step('Ctrl+Shift+Z puts it back');
      await page.keyboard.press('Control+Shift+z');
      await eventually(async () => (await app.saved()).faults.length === 2, 'redone');
      await eventually(() => crashed(app, 'Judge workers'), 'crashed again');
    },
  },
  {
    name: 'every top figure equals the sum of its rows, and explains itself on hover and focus',
    async run({ app, page, step, shot }) {
      await app.open();
      for (const title of ['LeetCode', 'Food ordering', 'Payments, SMS over HTTP']) {
        step(title);
        await app.example(title);
        await app.button('Run to end').click();
        await app.waitForHash();
        await page.getByRole('tab', { name: 'Nodes' }).click();
        const keys = await page.locator('.stats [data-stat^="requests."], .stats [data-stat^="messages."]').evaluateAll((els) => els.map((e) => e.dataset.stat));
        expect(keys.length === 15, `15 figures: ${keys}`);
        for (const key of keys) {
          const { top, rows, count } = await figureAndRows(page, key);
          expect(count > 0, `${key} has rows`);
          expect(top === rows, `${title}: ${key} top ${top} = rows ${rows}`);
        }
        await app.button('Reset').click();
      }
      step('the groups are labelled');
      await app.button('Run to end').click();
      await app.waitForHash();
      expect(await page.getByRole('group', { name: 'Requests' }).isVisible(), 'a Requests group');
      expect(await page.getByRole('group', { name: 'Messages' }).isVisible(), 'a Messages group');
      step('hover explains');
      await page.locator('[data-stat="messages.duplicates"]').hover();
      await page.locator('#tip-messages-duplicates').waitFor({ state: 'visible' });
      expect(/twice/.test(await page.locator('#tip-messages-duplicates').textContent()), 'says what a duplicate is');
      step('the keyboard reaches each explanation');
      await page.mouse.move(0, 0);
      await page.locator('[data-stat="requests.started"]').focus();
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.dataset?.stat);
      expect(focused === 'requests.ok', `Tab moves to the next figure (${focused})`);
      await page.locator('#tip-requests-ok').waitFor({ state: 'visible' });
      const described = await page.locator('[data-stat="requests.ok"]').getAttribute('aria-describedby');
      expect(described === 'tip-requests-ok', 'the tooltip describes the figure');
      await shot('tooltip');
    },
  },
  {
    name: 'LeetCode headlines what users feel: on screen, with the first hop beside it',
    async run({ app, page, step }) {
      await app.open();
      await app.example('LeetCode');
      await app.button('Run to end').click();
      await app.waitForHash();
      step('the latency group is about the screen');
      const group = page.getByRole('group', { name: 'Latency on screen' });
      await group.waitFor();
      const ms = (t) => {
        const m = t.match(/([\d.]+)\s*(µs|ms|s)/);
        return m ? Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'µs' ? 0.001 : 1) : NaN;
      };
      const p50 = ms(await page.locator('[data-stat="latency.p50"] .stat-value').textContent());
      const hop = ms(await page.locator('[data-stat="latency.first_hop"] .stat-value').textContent());
      expect(p50 > 100, `judging takes hundreds of ms on screen: ${p50}`);
      expect(hop < 50 && hop > 0, `the submit call takes a few: ${hop}`);
    },
  },
  {
    name: 'design warnings: listed instead of "No problems", each selects its block, none blocks a run',
    async run({ app, page, step, shot }) {
      await app.open();
      step('import a design with an overloaded backend, a queue nobody consumes and a stray block');
      await app.importJson(JSON.stringify({
        crosstalk: 1,
        name: 'Overloaded',
        seed: 1,
        duration_ms: 5000,
        nodes: [
          { id: 'c', kind: 'client', label: 'Coders', x: 80, y: 120, rate_per_s: 10000 },
          { id: 'api', kind: 'service', label: 'Primary backend', x: 340, y: 120, workers: 16, work_ms: { exp: 10 } },
          { id: 'q', kind: 'queue', label: 'Jobs', x: 600, y: 120 },
          { id: 'x', kind: 'service', label: 'Spare', x: 340, y: 300 },
        ],
        links: [
          { id: 'l1', from: 'c', to: 'api', via: 'http', timeout_ms: 1000 },
          { id: 'l2', from: 'api', to: 'q', via: 'enqueue' },
        ],
      }));
      await eventually(async () => (await page.getByLabel('Scenario name').inputValue()) === 'Overloaded', 'imported');
      await page.keyboard.press('Escape');
      const list = page.getByRole('list', { name: 'Design warnings' });
      await list.waitFor();
      const text = await list.textContent();
      expect(/Primary backend gets about 10,000\/s but can handle about 1,600\/s/.test(text) && /utilization 625%/.test(text), text);
      expect(/Nobody consumes Jobs/.test(text), text);
      expect(/Spare is not connected/.test(text), text);
      expect((await page.getByText('No problems: ready to run.').count()) === 0, 'not "No problems"');
      await shot('warnings');
      step('a warning selects its block');
      await list.getByRole('button', { name: /Primary backend gets about/ }).click();
      await eventually(async () => (await app.inspector().getByLabel('Label').inputValue()) === 'Primary backend', 'the backend is selected');
      expect(/utilization 625%/.test(await app.inspector().textContent()), 'its panel repeats the warning');
      step('warnings never block a run');
      await app.button('Run to end').click();
      await app.waitForHash();
    },
  },
];

tests.push({
  name: 'a selected running node offers Crash now and Recover, one button each',
  viewport: { width: 1400, height: 900 },
  async run({ app, page, step, shot }) {
    await app.open();
    await app.select('Payments');
    await app.button('Run').click();
    await page.locator('.hud:not(.idle)').waitFor();
    step('Crash now: the node crashes');
    await page.getByRole('button', { name: 'Crash now' }).click();
    await eventually(async () => /crashed/.test(await app.node('Payments').getAttribute('class')), 'crashed');
    step('Recover, by that name: one button answers (the card leaves it to the inspector)');
    const recover = page.getByRole('button', { name: 'Recover' });
    expect((await recover.count()) === 1, `${await recover.count()} buttons answer to Recover`);
    await recover.click();
    await eventually(async () => !/crashed/.test(await app.node('Payments').getAttribute('class')), 'recovered');
    await shot('recovered');
    await app.button('Pause').click();
  },
});
