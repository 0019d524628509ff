// Lessons, comparisons and the decision guide, used as a learner and a
// teacher would: from the first screen, with the keyboard, and from links.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, eventually } from './app.mjs';

function runner(root) {
  return process.env.CROSSTALK_BIN || path.join(root, 'target', 'release', process.platform === 'win32' ? 'crosstalk.exe' : 'crosstalk');
}

/** The steps of the lesson panel, as { state, text }. */
async function steps(page) {
  return page.$$eval('.lesson-steps > li', (lis) =>
    lis.map((li) => ({ state: li.className.replace('lesson-step', '').trim(), text: li.querySelector('.step-text')?.textContent || '' })),
  );
}

/** Opens the lesson link `#lesson=QUERY` and returns its panel, once shown. */
async function openLesson(app, page, query) {
  await app.open(`#lesson=${query}`);
  const panel = page.getByRole('complementary', { name: 'Lesson' });
  await panel.waitFor();
  return panel;
}

async function waitPaused(page, timeout = 60_000) {
  await page.locator('.hud .hud-status', { hasText: /^Paused$/ }).waitFor({ timeout });
}

export const tests = [
  {
    name: 'the gallery opens from the first screen with every lesson, grouped, each with its diagram',
    async run({ app, page, step, shot }) {
      await app.open();
      step('one click on Lessons');
      await app.button('Lessons').click();
      const dialog = page.getByRole('dialog', { name: 'Lessons' });
      await dialog.waitFor();
      await shot('gallery');
      const cards = dialog.locator('.lesson-card');
      expect((await cards.count()) >= 26, `at least 26 lessons: ${await cards.count()}`);
      for (const group of ['Sync calls', 'Queues', 'Pub/sub and streams', 'Real-time to browsers', 'Sagas and consistency', 'Resilience', 'Scale']) {
        expect(await dialog.getByRole('heading', { name: group }).isVisible(), `group ${group}`);
      }
      const thumbs = await dialog.locator('.lesson-card svg.thumb rect').count();
      expect(thumbs >= 3 * (await cards.count()), `every card draws its diagram (${thumbs} boxes)`);
      step('Escape closes it');
      await page.keyboard.press('Escape');
      await eventually(async () => (await page.getByRole('dialog', { name: 'Lessons' }).count()) === 0, 'gallery closed');
    },
  },
  {
    name: 'a lesson walked with the keyboard: its steps tick as the run goes',
    async run({ app, page, step, shot }) {
      await app.open();
      step('open the gallery and a lesson with the keyboard only');
      await app.button('Lessons').focus();
      await page.keyboard.press('Enter');
      await page.getByRole('dialog', { name: 'Lessons' }).waitFor();
      // Focus starts on Close; the queue lesson is a few cards on.
      const card = page.locator('[data-lesson="phonepe-sms-queue"]');
      for (let i = 0; i < 40 && !(await card.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
      expect(await card.evaluate((el) => el === document.activeElement), 'Tab reaches the card');
      await page.keyboard.press('Enter');
      const panel = page.getByRole('complementary', { name: 'Lesson' });
      await panel.waitFor();
      expect(/the payment cannot/.test(await panel.getByRole('heading', { level: 2 }).textContent()), 'the lesson opened');
      expect((await steps(page)).every((s) => s.state !== 'done'), 'nothing done yet');
      expect(
        (await page.getByRole('region', { name: 'What to watch' }).count()) === 0,
        "the example's hint gives way to the lesson's steps",
      );
      step('Run from the step');
      await panel.getByRole('button', { name: 'Start the run', exact: true }).focus();
      await page.keyboard.press('Enter');
      await page.getByLabel('Speed').fill('50');
      await page.getByLabel('Speed').press('Enter');
      step('the run pauses before the crash; its button has the focus');
      await waitPaused(page);
      await eventually(async () => (await steps(page))[1].state === 'done', 'step 2 (500 payments) ticked while running');
      const crash = panel.getByRole('button', { name: 'Crash SMS sender' });
      await eventually(async () => crash.evaluate((el) => el === document.activeElement), 'Crash has the focus');
      expect((await app.clock()).now >= 19.9, 'paused at 20 s');
      await shot('paused-before-crash');
      step('Enter crashes it; the run goes on to the recovery');
      await page.keyboard.press('Enter');
      await waitPaused(page);
      await eventually(async () => {
        const s = await steps(page);
        return s[2].state === 'done' && s[3].state === 'done' && s[4].state === 'done';
      }, 'the outage checks ticked at 35 s');
      const value = await panel.locator('.lesson-step').nth(3).locator('.step-value').textContent();
      expect(/requests\.failed = 0/.test(value), `shows what it read: ${value}`);
      await shot('paused-before-recover');
      await page.keyboard.press('Enter');
      step('to the end: every step done');
      await app.waitForHash(120_000);
      await eventually(async () => (await steps(page)).every((s) => s.state === 'done'), 'all steps done', 10_000);
      await shot('lesson-done');
      expect(await panel.locator('details.lesson-why').evaluate((d) => d.open), 'why it happens opens at the end');
      const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('crosstalk.lesson.phonepe-sms-queue')));
      expect(kept.done.length === 8, `progress kept: ${JSON.stringify(kept)}`);
    },
  },
  {
    name: 'a comparison lesson: both runs tick its checks, and its change applies to A and B',
    async run({ app, page, step, shot }) {
      const panel = await openLesson(app, page, 'sync-vs-async');
      step('open the comparison and run both');
      await panel.getByRole('button', { name: 'Open the comparison' }).click();
      const view = page.getByRole('region', { name: 'Comparison' });
      await view.waitFor();
      await panel.getByRole('button', { name: 'Run to the end' }).first().click();
      await eventually(async () => (await steps(page)).slice(0, 7).every((s) => s.state === 'done'), 'the first phase ticks', 120_000);
      await shot('compare-lesson');
      step('the change goes to both variants; the last check ticks on the new runs');
      await panel.getByRole('button', { name: '400 req/s in A and B' }).click();
      await eventually(async () => /rate_per_s 150 → 400/.test(await view.locator('.compare-changes').textContent()) === false, 'A and B changed alike');
      await panel.getByRole('button', { name: 'Run to the end' }).nth(1).click();
      await eventually(async () => (await steps(page)).every((s) => s.state === 'done'), 'every step done', 120_000);
      const last = await panel.locator('.lesson-step').last().locator('.step-value').textContent();
      expect(/b\.requests\.ok = 24/.test(last), `B confirms 400 a second: ${last}`);
    },
  },
  {
    name: 'every lesson, walked in the browser, ticks every step (as its golden test holds natively)',
    async run({ app, page, step }) {
      await app.open();
      await app.button('Lessons').click();
      const names = await page.$$eval('.lesson-card', (cards) => cards.map((c) => c.dataset.lesson));
      await page.keyboard.press('Escape');
      expect(names.length >= 26, `${names.length} lessons`);
      for (const name of names) {
        step(name);
        await page.goto('about:blank');
        const panel = await openLesson(app, page, name);
        const deadline = Date.now() + 90_000;
        for (;;) {
          const s = await steps(page);
          const bad = s.findIndex((x) => x.state === 'fails' || x.state === 'broken');
          if (bad >= 0) {
            const detail = await panel.locator('.lesson-step').nth(bad).textContent();
            throw new Error(`${name} step ${bad + 1} does not hold in the browser: ${detail}`);
          }
          if (s.every((x) => x.state === 'done')) break;
          if (Date.now() > deadline) throw new Error(`${name}: stuck at ${JSON.stringify(s.map((x) => x.state))}`);
          const current = panel.locator('li[aria-current="step"] button:not([disabled])');
          // The current step may move on while we look: then look again.
          const clicked = (await current.count()) > 0 && (await current.first().click({ timeout: 2000 }).then(() => true, () => false));
          if (clicked) {
            const speed = page.getByLabel('Speed');
            if ((await speed.inputValue()) !== '1000') {
              await speed.fill('1000');
              await speed.press('Enter');
            }
          } else {
            await page.waitForTimeout(100);
          }
        }
      }
    },
  },
  {
    name: "a lesson's run goes in a Web Worker: the page stays usable, Reset stops it at once, and it stops at its marks",
    viewport: { width: 1400, height: 900 },
    async run({ app, page, step, shot }) {
      const workers = [];
      page.on('worker', (w) => workers.push(w));
      const panel = await openLesson(app, page, 'phonepe-sms-queue');
      step('Start the run, in real time: 20 s to its first mark');
      await panel.getByRole('button', { name: 'Start the run', exact: true }).click();
      await page.getByLabel('Speed').fill('1');
      await page.getByLabel('Speed').press('Enter');
      await eventually(async () => (await app.clock())?.now > 0.3, 'the clock moves');
      await eventually(async () => workers.length >= 1, 'a worker runs it');
      const runner = workers[workers.length - 1];
      step('while it runs, the inspector opens and a field edits');
      await app.select('SMS sender');
      const label = app.inspector().getByLabel('Label');
      await label.fill('SMS gateway');
      await label.press('Enter');
      await eventually(async () => (await app.nodeList()).some((n) => /SMS gateway/.test(n)), 'the canvas shows the new name');
      expect(/Running/.test(await page.locator('.hud').textContent()), 'the run goes on');
      step('Reset stops it at once: the worker is terminated, the page says so');
      const gone = new Promise((r) => runner.once('close', () => r(true)));
      await app.button('Reset').click();
      expect(await gone, 'the worker is terminated');
      await eventually(async () => /run stopped at \d+\.\d s/i.test((await page.getByRole('status').filter({ hasText: 'stopped' }).first().textContent()) || ''), 'the page says the run stopped');
      expect(/Ready/.test(await page.locator('.hud').textContent()), 'ready again');
      step('again, faster: the run stops at its mark (20 s) and shows the figure it read');
      await panel.getByRole('button', { name: 'Start the run', exact: true }).click();
      await page.getByLabel('Speed').fill('200');
      await page.getByLabel('Speed').press('Enter');
      await waitPaused(page);
      expect(Math.abs((await app.clock()).now - 20) < 0.051, `paused at its mark: ${(await app.clock()).now} s`);
      await eventually(async () => (await steps(page))[1].state === 'done', 'step 2 ticked');
      const value = await panel.locator('.lesson-step').nth(1).locator('.step-value').textContent();
      expect(/= \d/.test(value), `shows what it read: ${value}`);
      expect(await panel.getByRole('button', { name: 'Crash SMS gateway' }).or(panel.getByRole('button', { name: 'Crash SMS sender' })).first().isEnabled(), 'the timed action waits');
    },
  },
  {
    name: 'a comparison lesson mid-run: both sides run in workers and Reset both stops them at once',
    async run({ app, page, step, shot }) {
      const workers = [];
      page.on('worker', (w) => workers.push(w));
      const panel = await openLesson(app, page, 'sync-vs-async');
      await panel.getByRole('button', { name: 'Open the comparison' }).click();
      const view = page.getByRole('region', { name: 'Comparison' });
      await view.waitFor();
      step('Run both, in real time');
      await view.getByRole('button', { name: 'Run both', exact: true }).click();
      await eventually(async () => (await view.locator('.compare-figure figcaption .muted').allTextContents()).every((t) => /running: [1-9]/.test(t)), 'both sides show their runs going', 20_000);
      expect(workers.length >= 2, `a worker per side (${workers.length})`);
      await shot('comparison-mid-run');
      step('Reset both terminates both');
      const closed = workers.slice(-2).map((w) => new Promise((r) => w.once('close', () => r(true))));
      await view.getByRole('button', { name: 'Reset both' }).click();
      expect((await Promise.all(closed)).every(Boolean), 'both workers terminated');
      await page.getByRole('status').filter({ hasText: /runs stopped at/ }).first().waitFor();
      expect((await view.locator('.compare-figure figcaption .muted').allTextContents()).every((t) => /not run yet/.test(t)), 'both back to the start');
    },
  },
  {
    name: 'without Web Workers a lesson still runs, on the page, and stops at its marks',
    async run({ app, page, step }) {
      await page.addInitScript(() => {
        // A browser (or harness) where workers cannot start.
        window.Worker = function NoWorker() {
          throw new Error('workers are off here');
        };
      });
      const panel = await openLesson(app, page, 'phonepe-sms-queue');
      await panel.getByRole('button', { name: 'Start the run', exact: true }).click();
      await page.getByLabel('Speed').fill('200');
      await page.getByLabel('Speed').press('Enter');
      await waitPaused(page);
      expect(Math.abs((await app.clock()).now - 20) < 0.051, `paused at its mark: ${(await app.clock()).now} s`);
      await eventually(async () => (await steps(page))[1].state === 'done', 'step 2 ticked');
      step('the timeline jumps on the page too');
      await page.getByRole('slider', { name: 'Simulated time' }).fill('5000');
      await eventually(async () => Math.abs((await app.clock()).now - 5) < 0.051, 'at 5 s');
    },
  },
  {
    name: 'a teacher link opens lesson 4 at step 3',
    async run({ app, page, baseUrl, step }) {
      step('a link with only the lesson part');
      const panel = await openLesson(app, page, 'price-request-reply&step=3');
      expect(/Lesson 4 of/.test(await panel.locator('.lesson-kicker').textContent()), 'lesson 4');
      const s = await steps(page);
      expect(s[0].state === 'done' && s[1].state === 'done' && s[2].state === 'current', `at step 3: ${JSON.stringify(s.map((x) => x.state))}`);
      expect((await app.nodeList()).includes('queue:Pricing requests'), "the lesson's scenario is on the canvas");
      step('the address bar carries the lesson and step');
      await eventually(async () => /lesson=price-request-reply&step=3/.test(page.url()), `url: ${page.url()}`);
      expect(page.url().includes('#s1.'), 'and the scenario');
      step('a later visit opens where the learner left');
      await page.goto('about:blank');
      await page.goto(baseUrl);
      await app.ready();
      expect((await page.getByRole('complementary', { name: 'Lesson' }).count()) === 0, 'no lesson without a link');
    },
  },
  {
    name: 'a comparison opens from a share link and both variants run to the hashes of `crosstalk run`',
    async run({ app, page, root, step, shot, skip }) {
      const bin = runner(root);
      if (!fs.existsSync(bin)) skip('target/release/crosstalk is not built (cargo build --release --bin crosstalk)');
      const a = path.join(root, 'src/editor/examples/payments_http.json');
      const b = path.join(root, 'src/editor/examples/payments_queue.json');
      const link = (f) => execFileSync(bin, ['link', f, '--base', app.baseUrl], { encoding: 'utf8' }).trim();
      const hash = (f) => JSON.parse(execFileSync(bin, ['run', f, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 })).run_hash;
      const la = link(a);
      const lb = link(b);
      const shared = `${la}&b=${lb.split('#')[1]}`;
      step('open the link');
      await page.goto(shared);
      await app.ready();
      const view = page.getByRole('region', { name: 'Comparison' });
      await view.waitFor();
      expect(/queue/.test(await view.locator('.compare-changes').textContent()), 'what B changes lists the queue');
      step('run both to the end');
      await view.getByRole('button', { name: 'Run both to end' }).click();
      await eventually(async () => /^[0-9a-f]{16}$/.test((await page.locator('#run-hash-a').textContent()).trim()) && /^[0-9a-f]{16}$/.test((await page.locator('#run-hash-b').textContent()).trim()), 'both finished', 120_000);
      await shot('comparison');
      const [ha, hb] = [await page.locator('#run-hash-a').textContent(), await page.locator('#run-hash-b').textContent()];
      expect(ha.trim() === hash(a), `A: browser ${ha} vs runner ${hash(a)}`);
      expect(hb.trim() === hash(b), `B: browser ${hb} vs runner ${hash(b)}`);
      step('the diff table and the overlaid chart');
      const row = view.locator('table.diff tr', { has: page.getByRole('rowheader', { name: 'Failed', exact: true }) }).first();
      const cells = await row.locator('td').allTextContents();
      expect(Number(cells[0]) > 0 && Number(cells[1]) === 0, `failed requests: A ${cells[0]}, B ${cells[1]}`);
      expect((await view.locator('svg.overlay-chart polyline').count()) === 2, 'A and B overlaid');
      step('`crosstalk run` of the comparison link runs A');
      const out = JSON.parse(execFileSync(bin, ['run', shared, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
      expect(out.run_hash === ha.trim(), 'the runner reads the link as A');
    },
  },
  {
    name: 'any scenario duplicated as B, edited and compared; the link carries both',
    async run({ app, page, step, shot }) {
      await app.open();
      step('Compare duplicates the scenario as B');
      await app.button('Compare A/B').click();
      const view = page.getByRole('region', { name: 'Comparison' });
      await view.waitFor();
      expect(/Nothing yet/.test(await view.locator('.compare-changes').textContent()), 'B starts as a copy');
      for (const name of ['A: the scenario', 'B: the variant']) {
        expect((await view.getByText(name, { exact: true }).count()) === 1, `a variant is named "${name}"`);
      }
      step('edit B on the canvas');
      await view.getByRole('button', { name: 'Edit B' }).click();
      const bar = page.getByRole('region', { name: 'Comparison in progress' });
      await bar.waitFor();
      expect(/Editing B \(the variant\)/.test(await bar.textContent()), `the bar says which variant: ${await bar.textContent()}`);
      await app.select('SMS sender');
      const workers = app.inspector().getByLabel('Workers', { exact: true });
      await workers.fill('8');
      await workers.press('Enter');
      step('back to the comparison');
      await app.button('Show comparison').click();
      await eventually(async () => /workers 4 → 8/.test(await view.locator('.compare-changes').textContent()), 'B changes the workers');
      await eventually(async () => /&b=s1\./.test(page.url()), 'the address bar carries B');
      await view.getByRole('button', { name: 'Run both to end' }).click();
      await eventually(async () => (await view.locator('table.diff tbody tr').count()) > 10, 'the diff table fills', 120_000);
      await shot('edited-b');
      step('ending the comparison leaves A');
      await view.getByRole('button', { name: 'End comparison' }).click();
      await eventually(async () => !/&b=/.test(page.url()), 'B leaves the link');
      expect((await app.saved()).nodes.find((n) => n.id === 'sms').workers === 4, 'A kept its 4 workers');
    },
  },
  {
    name: 'a link with a broken lesson or variant part opens what it can and says what it could not',
    async run({ app, page, baseUrl, step, shot }) {
      await app.open();
      await app.example('Booking saga');
      await app.button('Share').click();
      const good = await page.getByLabel('Share link').inputValue();
      await page.keyboard.press('Escape');
      step('a link with a lesson that does not exist and a damaged B');
      await page.goto('about:blank');
      await page.goto(`${good.split('#')[0]}#${good.split('#')[1]}&b=s1.AAAAbroken&lesson=no-such-lesson&step=two`);
      await app.ready();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      await shot('broken-parts');
      const text = await alert.textContent();
      expect(/no lesson `no-such-lesson`/.test(text), `names the lesson: ${text}`);
      expect(/variant B/.test(text), `names variant B: ${text}`);
      expect(/step=two/.test(text), `names the step: ${text}`);
      expect((await page.getByLabel('Scenario name').inputValue()) === 'Booking saga with compensations', 'the scenario opened');
      expect((await page.getByRole('region', { name: 'Comparison' }).count()) === 0, 'no comparison from a broken B');
      step('a good lesson with a broken B still opens the lesson');
      await page.goto('about:blank');
      await page.goto(`${baseUrl}#lesson=booking-saga&b=s1.%%%`);
      await app.ready();
      await page.getByRole('complementary', { name: 'Lesson' }).waitFor();
      await page.getByRole('alert').waitFor();
    },
  },
  {
    name: 'the decision guide recommends with reasons and opens a lesson',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.button('Lessons').click();
      await page.getByRole('button', { name: 'Sync or async? Decide' }).click();
      const guide = page.getByRole('dialog', { name: /decision guide/ });
      await guide.waitFor();
      step('tick the async reasons');
      await guide.getByLabel('Background processing is acceptable').check();
      await guide.getByLabel('Multiple consumers are needed').check();
      const advice = guide.getByRole('region', { name: 'Recommendation' });
      await eventually(async () => /asynchronous messaging/.test(await advice.textContent()), 'recommends async');
      expect(/publish once/.test(await advice.textContent()), 'with its reasons');
      await shot('guide');
      step('open the lesson it points at');
      await advice.getByRole('button', { name: /User Created/ }).click();
      const panel = page.getByRole('complementary', { name: 'Lesson' });
      await panel.waitFor();
      expect(/fan-out/.test(await panel.textContent()), 'the fan-out lesson');
    },
  },
];

tests.push({
  name: 'in a lesson, Share and Lessons are still one button each',
  async run({ app, page }) {
    const panel = await openLesson(app, page, 'phonepe-sms-queue');
    for (const name of ['Share', 'Lessons']) {
      const n = await page.getByRole('button', { name }).count();
      expect(n === 1, `${n} buttons answer to ${name}`);
    }
    await panel.getByRole('button', { name: 'Lesson gallery' }).click();
    await page.getByRole('dialog', { name: 'Lessons' }).waitFor();
  },
});

tests.push({
  name: "while the comparison is shown, the top bar's Run to end and Reset drive both variants",
  async run({ app, page, step }) {
    await app.open();
    await app.button('Compare A/B').click();
    const view = page.getByRole('region', { name: 'Comparison' });
    await view.waitFor();
    const hash = (v) => view.getByLabel(`Run hash ${v}`, { exact: true });
    step('Run to end, in the top bar');
    await app.button('Run to end').click();
    await eventually(
      async () => /^[0-9a-f]{16}$/.test((await hash('A').textContent()).trim()) && /^[0-9a-f]{16}$/.test((await hash('B').textContent()).trim()),
      'both variants ran to their hashes',
      60_000,
    );
    expect((await hash('A').textContent()) === (await hash('B').textContent()), 'a plain copy runs to the same hash');
    step('Reset, in the top bar');
    await app.button('Reset').click();
    await eventually(async () => (await view.locator('.compare-figure figcaption .muted').allTextContents()).every((t) => /not run yet/.test(t)), 'both back to the start');
  },
});
