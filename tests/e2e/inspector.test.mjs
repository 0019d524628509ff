// The inspector puts what lessons ask for first, and the example's "what
// to watch" stays in sight during the run.
import { expect, eventually } from './app.mjs';

/** The labels of the inspector's fields, top to bottom. */
async function fieldLabels(app) {
  return app.inspector().locator('.field > label').allTextContents();
}

/** Whether an element is inside the visible part of the inspector. */
async function inSight(app, locator) {
  const box = await locator.boundingBox();
  const pane = await app.inspector().boundingBox();
  return box && box.y >= pane.y && box.y + box.height <= pane.y + pane.height;
}

export const tests = [
  {
    name: 'the most used settings come first',
    viewport: { width: 1400, height: 900 },
    async run({ app, page, step, shot }) {
      await app.open();
      step('a service: workers, work time, error rate before the rest');
      await app.select('Payments');
      const service = await fieldLabels(app);
      const at = (l) => service.indexOf(l);
      expect(at('Workers') < at('Work time') && at('Work time') < at('Error rate'), `order: ${service}`);
      expect(at('Error rate') < at('Backlog') && at('Backlog') < at('Id'), `the rest after: ${service}`);
      step('a link with retry and breaker on: its four main settings first, the breaker in sight');
      await app.example('Retry storm');
      await page.locator('g.link').nth(1).click({ force: true });
      await page.getByLabel('Link kind').waitFor();
      const labels = await app.inspector().locator('.group').filter({ hasText: 'Settings' }).locator('.field > label').allTextContents();
      expect(labels.slice(0, 4).join() === 'Latency,Timeout,Retry,Circuit breaker', `order: ${labels}`);
      const breaker = page.getByLabel('Circuit breaker', { exact: true });
      expect(await breaker.isChecked(), 'the breaker is on');
      expect(await inSight(app, breaker), 'the breaker switch is in sight without scrolling');
      await shot('link');
      step('its retry and breaker settings follow under their own headings');
      await app.inspector().getByRole('heading', { name: 'Circuit breaker' }).waitFor();
      await app.inspector().getByRole('heading', { name: 'Retry' }).waitFor();
    },
  },
  {
    name: 'while a run goes, a node\'s live controls are in sight',
    viewport: { width: 1400, height: 900 },
    async run({ app, page, step, shot }) {
      await app.open();
      await app.button('Run').click();
      await page.locator('.hud:not(.idle)').waitFor();
      step('select the SMS sender while it runs');
      await app.select('SMS sender');
      const crash = app.button('Crash now');
      await crash.waitFor();
      expect(await inSight(app, crash), 'Crash now is in sight without scrolling');
      await shot('live');
      await app.button('Pause').click();
    },
  },
  {
    name: 'the example\'s "what to watch" stays visible during the run and folds',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.example('Retry storm');
      const hint = page.getByRole('region', { name: 'What to watch' });
      const toggle = hint.getByRole('button', { name: 'What to watch' });
      step('shown before the run');
      await hint.waitFor();
      expect(/breaker/.test(await hint.textContent()), 'says what to watch');
      step('still shown while it runs');
      await app.button('Run').click();
      await page.locator('.hud:not(.idle)').waitFor();
      await eventually(async () => (await app.clock())?.now > 0.3, 'running');
      expect(await hint.getByText(/retries multiply/).isVisible(), 'visible during the run');
      await shot('running');
      step('folds and unfolds');
      expect((await toggle.getAttribute('aria-expanded')) === 'true', 'open');
      await toggle.click();
      expect((await toggle.getAttribute('aria-expanded')) === 'false', 'folded');
      expect(!(await hint.getByText(/retries multiply/).isVisible()), 'text hidden when folded');
      await shot('folded');
      await toggle.click();
      expect(await hint.getByText(/retries multiply/).isVisible(), 'shown again');
      step('stays after the run ends');
      await app.button('Run to end').click();
      await app.waitForHash();
      expect(await hint.getByText(/retries multiply/).isVisible(), 'visible after the end');
    },
  },
];
