// Durations in the inspector: typed with units (250ms, 20s, 1.5 s, 2m, 1h
// or plain milliseconds), shown in the unit that reads best, stored in ms.
import { expect, eventually } from './app.mjs';

/** Types `text` into a field and leaves it (one edit). */
async function type(field, text) {
  await field.fill(text);
  await field.press('Enter');
  await field.blur();
}

const link = async (app, id) => (await app.saved()).links.find((l) => l.id === id);

export const tests = [
  {
    name: 'a duration takes a unit and shows the unit that reads best',
    async run({ app, page, step, shot }) {
      await app.open();
      step('the HTTP link from the app to Payments: timeout 1000 ms reads "1 s"');
      await page.locator('g.link').first().click({ force: true });
      const timeout = page.getByLabel('Timeout', { exact: true });
      expect((await timeout.inputValue()) === '1 s', `shown as ${await timeout.inputValue()}`);
      for (const [text, ms, shown] of [
        ['20s', 20000, '20 s'],
        ['1.5 s', 1500, '1.5 s'],
        ['2m', 120000, '2 min'],
        ['250ms', 250, '250 ms'],
        ['1h', 3600000, '1 h'],
        ['1500', 1500, '1.5 s'],
      ]) {
        step(`type ${text}`);
        await type(timeout, text);
        await eventually(async () => (await link(app, 'l1')).timeout_ms === ms, `${text} saved as ${ms} ms`);
        expect((await timeout.inputValue()) === shown, `${text} shown as ${await timeout.inputValue()}, not ${shown}`);
      }
      await shot('timeout');
      step('nonsense is refused by the field and never saved');
      for (const [text, message] of [
        ['-5s', /negative/],
        ['5 parsecs', /not a unit of time/],
        ['1e999', /too large/],
      ]) {
        await timeout.fill(text);
        const error = page.locator('#f-link-timeout_ms-err');
        await eventually(async () => message.test(await error.textContent()), `${text}: ${message}`);
        expect((await timeout.getAttribute('aria-invalid')) === 'true', `${text} marked invalid`);
        expect((await link(app, 'l1')).timeout_ms === 1500, `${text} not saved`);
      }
      await shot('refused');
      await timeout.fill('');
      await timeout.press('Enter');
      await eventually(async () => (await link(app, 'l1')).timeout_ms === undefined, 'cleared');
    },
  },
  {
    name: 'distributions, schedules, faults and the run length take units too',
    async run({ app, page, step }) {
      await app.open();
      step('work time: exponential with a mean of 1.5 s');
      await app.select('Payments');
      const mean = page.getByLabel('Work time', { exact: true });
      expect((await mean.inputValue()) === '20 ms', `work shown as ${await mean.inputValue()}`);
      await type(mean, '1.5 s');
      await eventually(async () => (await app.saved()).nodes.find((n) => n.id === 'pay').work_ms?.exp === 1500, 'exp 1500 saved');
      await eventually(async () => (await mean.inputValue()) === '1.5 s', 'shown as 1.5 s');
      step('a schedule with a unit on its times');
      await app.select('Mobile app');
      const schedule = page.getByLabel('Schedule', { exact: true });
      await type(schedule, '0:10, 20s:100');
      await eventually(
        async () => JSON.stringify((await app.saved()).nodes.find((n) => n.id === 'app').schedule) === '[[0,10],[20000,100]]',
        'schedule saved in ms',
      );
      expect((await schedule.inputValue()) === '0 ms: 10/s, 20 s: 100/s', `schedule shown as ${await schedule.inputValue()}`);
      step('a fault starts at "20 s"');
      await app.select('SMS sender');
      const starts = page.getByLabel('Starts at').first();
      expect((await starts.inputValue()) === '20 s', `fault start shown as ${await starts.inputValue()}`);
      await type(starts, '25s');
      await eventually(async () => (await app.saved()).faults[0].at_ms === 25000, 'fault moved to 25 s');
      step('the run length, with nothing selected');
      await page.keyboard.press('Escape');
      const duration = page.getByLabel('Duration', { exact: true });
      expect((await duration.inputValue()) === '1 min', `duration shown as ${await duration.inputValue()}`);
      await type(duration, '90s');
      await eventually(async () => (await app.saved()).duration_ms === 90000, 'duration 90 s');
    },
  },
  {
    name: 'a default hint never reads as contradicting the value above it',
    async run({ app, page, step, shot }) {
      await app.open();
      step('a field left empty names the default in use');
      await app.select('SMS jobs');
      const hint = (label) => page.locator('.field', { has: page.getByLabel(label, { exact: true }) }).locator('.field-default');
      expect((await page.getByLabel('Redelivery delay', { exact: true }).inputValue()) === '', 'empty');
      expect((await hint('Redelivery delay').textContent()) === 'default 0 ms', await hint('Redelivery delay').textContent());
      step('a set field shows the default apart, in brackets');
      await type(page.getByLabel('Redelivery delay', { exact: true }), '2s');
      await eventually(async () => (await hint('Redelivery delay').textContent()) === '(default 0 ms)', 'bracketed');
      await shot('hints');
      const texts = await page.locator('.inspector .field-default').allTextContents();
      expect(texts.every((t) => !t.startsWith('default:')), `no "default:" hint: ${texts}`);
    },
  },
];
