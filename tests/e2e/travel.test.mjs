// Time travel: the scrub timeline under the canvas (mouse and keyboard),
// and what-if forks shown beside the original in the comparison view.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, eventually } from './app.mjs';

const bin = (root) =>
  process.env.CROSSTALK_BIN || path.join(root, 'target', 'release', process.platform === 'win32' ? 'crosstalk.exe' : 'crosstalk');

/** A figure of the results panel, as a number. */
const stat = async (page, key) => Number(await page.locator(`[data-stat="${key}"]`).getAttribute('data-value'));

const slider = (page) => page.getByRole('slider', { name: 'Simulated time' });

/** Moves the timeline to `ms` as a drag that lets go there would. */
async function scrubTo(page, ms) {
  await slider(page).fill(String(ms));
}

async function clockIs(app, seconds) {
  await eventually(async () => Math.abs(((await app.clock())?.now ?? -1) - seconds) < 0.051, `the clock shows ${seconds} s`);
}

const crashed = async (app, label) => /crashed/.test((await app.node(label).getAttribute('class')) || '');

/** The HUD's event count. */
async function events(page) {
  const t = (await page.locator('.hud').textContent()) || '';
  const m = t.match(/([\d,.]+\s*[kM]?) events/);
  return m ? m[1] : null;
}

async function leetcodeRunToEnd(app, page) {
  await app.open();
  await app.example('LeetCode judge');
  await app.button('Run to end').click();
  return app.waitForHash();
}

export const tests = [
  {
    name: 'the timeline shows any moment of the run, backwards and forwards, by mouse and keyboard',
    async run({ app, page, root, step, shot, skip }) {
      const workers = [];
      page.on('worker', (w) => workers.push(w));
      const hash = await leetcodeRunToEnd(app, page);
      if (await app.engineIsStub()) skip('the engine is the stub');
      const ran = workers.length;
      step('the slider is there, named, at the end of the run');
      await slider(page).waitFor();
      expect(Number(await slider(page).inputValue()) === 60000, `slider at ${await slider(page).inputValue()}`);
      step('back into the WebSocket gateway crash (30 s to 35 s)');
      const atEnd = await events(page);
      await scrubTo(page, 31000);
      await clockIs(app, 31);
      await eventually(() => crashed(app, 'WS gateway'), 'the gateway shows crashed at 31 s');
      await eventually(async () => /Paused/.test(await page.locator('.hud').textContent()), 'the run is paused there');
      expect((await events(page)) !== atEnd, 'fewer events at 31 s than at the end');
      await shot('scrubbed-31s');
      if (fs.existsSync(bin(root))) {
        step('the figures at 31 s are those of the native engine run to 31 s (same seed)');
        const file = path.join(root, 'tests', 'e2e', 'out', 'travel-leetcode.json');
        fs.writeFileSync(file, JSON.stringify(await app.saved()));
        const native = JSON.parse(execFileSync(bin(root), ['run', file, '--duration-ms', '31000', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
        await eventually(async () => (await stat(page, 'requests.started')) === native.requests.started, `requests started at 31 s: app ${await stat(page, 'requests.started')}, native ${native.requests.started}`);
      }
      expect(workers.length === ran, `the jump was made in the run's worker (${ran} then ${workers.length} workers)`);
      step('further back, before the crash');
      await scrubTo(page, 10000);
      await clockIs(app, 10);
      await eventually(async () => !(await crashed(app, 'WS gateway')), 'the gateway is up at 10 s');
      const at10 = await events(page);
      step('forwards again, into the crash');
      await scrubTo(page, 33500);
      await clockIs(app, 33.5);
      await eventually(() => crashed(app, 'WS gateway'), 'crashed again at 33.5 s');
      step('the same instant twice shows the same state');
      await scrubTo(page, 10000);
      await clockIs(app, 10);
      expect((await events(page)) === at10, `events at 10 s: ${await events(page)} then ${at10}`);
      step('the keyboard: Home, arrows, End');
      await slider(page).focus();
      await page.keyboard.press('Home');
      await clockIs(app, 0);
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await clockIs(app, 0.2);
      await page.keyboard.press('End');
      await clockIs(app, 60);
      step('back to 20 s and Run to end: the same run hash');
      await scrubTo(page, 20000);
      await clockIs(app, 20);
      await app.button('Run to end').click();
      expect((await app.waitForHash()) === hash, 'a run resumed from the timeline ends with the same hash');
    },
  },
  {
    name: 'before any run, the timeline jumps to an instant; Run to end from there is the same run',
    async run({ app, page, step, skip }) {
      await app.open();
      await app.example('LeetCode judge');
      step('a jump to 31 s with no run: a paused run there, the gateway crashed');
      await scrubTo(page, 31000);
      await page.locator('.hud .clock').waitFor();
      if (await app.engineIsStub()) skip('the engine is the stub');
      await clockIs(app, 31);
      await eventually(() => crashed(app, 'WS gateway'), 'the gateway shows crashed at 31 s');
      const started = await stat(page, 'requests.started');
      expect(started > 0, `requests started by 31 s: ${started}`);
      step('the page answers while paused there');
      await page.getByRole('tab', { name: 'Nodes' }).click();
      await page.locator('.node-table').waitFor({ timeout: 2000 });
      step('back to 10 s and forwards to 31 s: the same figures');
      await scrubTo(page, 10000);
      await clockIs(app, 10);
      expect((await stat(page, 'requests.started')) < started, 'fewer at 10 s');
      await scrubTo(page, 31000);
      await clockIs(app, 31);
      await eventually(async () => (await stat(page, 'requests.started')) === started, 'the same at 31 s again');
      step('Run to end goes on from there to the hash of a run from zero');
      await app.button('Run to end').click();
      const resumed = await app.waitForHash();
      await app.button('Reset').click();
      await app.button('Run to end').click();
      await eventually(async () => (await app.runHash()) === resumed, 'the same hash from zero');
    },
  },
  {
    name: 'a what-if fork at the scrubbed moment runs beside the original in Compare',
    async run({ app, page, step, shot, skip }) {
      const hash = await leetcodeRunToEnd(app, page);
      if (await app.engineIsStub()) skip('the engine is the stub');
      await scrubTo(page, 20000);
      await clockIs(app, 20);
      step('a value the setting refuses is refused by name');
      await app.button('What if…').click();
      const form = page.getByRole('dialog', { name: 'What if' });
      await form.waitFor();
      await form.getByLabel('Node or link').selectOption({ label: 'Judge workers' });
      await form.getByLabel('Intervention').selectOption('set');
      await form.getByLabel('Setting').selectOption('workers');
      await form.getByLabel('New value').fill('0');
      await form.getByRole('button', { name: 'Run the branch' }).click();
      const alert = form.getByRole('alert');
      await alert.waitFor();
      const text = await alert.textContent();
      expect(/judge/.test(text) && /workers/i.test(text) && /at least 1/.test(text), text);
      step('40 judge workers from 20 s');
      await form.getByLabel('New value').fill('40');
      await form.getByRole('button', { name: 'Run the branch' }).click();
      const view = page.getByRole('region', { name: 'Comparison' });
      await view.waitFor();
      const hashOf = (v) => page.locator(`#run-hash-${v}`).textContent();
      await eventually(async () => /^[0-9a-f]{16}$/.test((await hashOf('a')).trim()) && /^[0-9a-f]{16}$/.test((await hashOf('b')).trim()), 'both runs finish', 60_000);
      expect((await hashOf('a')).trim() === hash, 'A is the original run');
      expect((await hashOf('b')).trim() !== hash, 'B is another future');
      const changes = await view.locator('.compare-changes').textContent();
      expect(/change only in B: at 20\.0 s, `judge` workers → 40/.test(changes), `What B changes: ${changes}`);
      expect(await view.getByText(/What if: judge workers = 40 at 20\.0 s/).first().isVisible(), 'the branch is labelled with its change');
      await shot('fork-compare');
      step('Recover at a moment with no fault is refused by name');
      await page.getByRole('button', { name: 'End comparison' }).click();
      await scrubTo(page, 5000);
      await clockIs(app, 5);
      await app.button('What if…').click();
      await form.getByLabel('Node or link').selectOption({ label: 'WS gateway' });
      await form.getByLabel('Intervention').selectOption('recover');
      await form.getByRole('button', { name: 'Run the branch' }).click();
      await eventually(async () => /no fault is active on `ws`/.test((await form.getByRole('alert').textContent()) || ''), 'the refusal names the node');
    },
  },
];
