// Runaway scenarios in the browser: refused before they start with the fix
// on a button, or stopped early with a message that names the node.
import { expect, eventually } from './app.mjs';

/** Imports `doc` and waits until the name box shows it. */
async function load(app, page, doc) {
  await app.importJson(JSON.stringify(doc));
  await eventually(async () => (await page.getByLabel('Scenario name').inputValue()) === doc.name, 'imported');
}

export const tests = [
  {
    name: 'a day at the rate cap is refused and offers a run that fits',
    async run({ app, page, step, shot }) {
      await app.open();
      step('a client at a million requests a second for a simulated day');
      await load(app, page, {
        crosstalk: 1,
        name: 'A day at the cap',
        duration_ms: 86400000,
        nodes: [
          { id: 'c', kind: 'client', x: 0, y: 0, rate_per_s: 1000000 },
          { id: 's', kind: 'service', x: 300, y: 0, workers: 100 },
        ],
        links: [{ id: 'l1', from: 'c', to: 's', via: 'http' }],
      });
      step('Run to end is refused with what would explode');
      await app.button('Run to end').click();
      const notice = page.getByRole('alert').filter({ hasText: 'Too much work for one run' });
      await notice.waitFor();
      const text = await notice.textContent();
      expect(/service `s` would receive/.test(text), `names the node: ${text}`);
      expect(/budget of 1\.0 billion events/.test(text), `says the budget: ${text}`);
      expect((await page.locator('.hud.idle').count()) === 1, 'nothing runs');
      await shot('refused');
      step('the offered fix shortens the run and runs it to the end');
      const fix = notice.getByRole('button', { name: /^Shorten the run to 4 min and run to the end$/ });
      await fix.click();
      await page.locator('.hud:not(.idle)').waitFor();
      await eventually(async () => (await app.saved())?.duration_ms === 240000, 'the document lasts 4 min now');
      expect((await page.getByRole('alert').filter({ hasText: 'Too much work' }).count()) === 0, 'the notice is gone');
      step('Undo brings the day back');
      await app.button('Reset').click();
      await app.button('Undo').click();
      await eventually(async () => (await app.saved())?.duration_ms === 86400000, 'undone');
    },
  },
  {
    name: 'an overloaded run stops early with a message that names the node',
    async run({ app, page, step, shot }) {
      await app.open();
      step('a million requests a second into one worker');
      await load(app, page, {
        crosstalk: 1,
        name: 'Overload',
        duration_ms: 60000,
        nodes: [
          { id: 'c', kind: 'client', x: 0, y: 0, rate_per_s: 1000000 },
          { id: 'slow', kind: 'service', x: 300, y: 0, workers: 1, work_ms: 10 },
        ],
        links: [{ id: 'l1', from: 'c', to: 'slow', via: 'http' }],
      });
      await app.button('Run to end').click();
      const notice = page.getByRole('alert').filter({ hasText: 'The run stopped early' });
      await notice.waitFor({ timeout: 60_000 });
      const text = await notice.textContent();
      expect(/service `slow`/.test(text), `names the node: ${text}`);
      expect(/add workers or lower the rates/.test(text), `suggests a fix: ${text}`);
      await shot('stopped');
      const { now, end } = await app.clock();
      expect(now < end, `stopped before the end: ${now} of ${end} s`);
      step('Reset clears it');
      await app.button('Reset').click();
      await eventually(async () => (await notice.count()) === 0, 'gone after Reset');
    },
  },
];
