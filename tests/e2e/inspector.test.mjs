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

// A scenario whose canvas says "timeout", "retry", "partitions" and
// "region" in its drawings, and whose run draws charts ("p99 latency",
// "arrow keys"): none of that may answer for the fields of those names.
const WORDS = JSON.stringify({
  crosstalk: 1,
  name: 'Words on the canvas',
  seed: 3,
  duration_ms: 5000,
  regions: [['eu', 'us', 40]],
  nodes: [
    { id: 'users', kind: 'client', label: 'Users', x: 100, y: 120, rate_per_s: 20, keys: 4, poison_rate: 0.01, region: 'eu' },
    { id: 'api', kind: 'service', label: 'Api', x: 400, y: 120, workers: 4, job_timeout_ms: 2000, region: 'us' },
    { id: 'log', kind: 'topic', label: 'Events', x: 700, y: 120, delivery: 'log', partitions: 4, region: 'us' },
    { id: 'sink', kind: 'service', label: 'Sink', x: 1000, y: 120, region: 'us' },
  ],
  links: [
    { id: 'call', from: 'users', to: 'api', via: 'http', timeout_ms: 1000, retry: { attempts: 3 }, connection: 'per_request', pool: 8 },
    { id: 'out', from: 'api', to: 'log', via: 'publish' },
    { id: 'read', from: 'log', to: 'sink', via: 'subscribe', group: 'g', commit: 'auto', commit_every_ms: 2000 },
  ],
});

/** How many elements of the page answer to `label` as Playwright's getByLabel reads it. */
async function answering(page, label) {
  return page.getByLabel(label).count();
}

tests.push({
  name: 'each field is found by its own label alone, whatever the canvas and charts say',
  viewport: { width: 1400, height: 900 },
  async run({ app, page, step, shot }) {
    await app.open();
    await app.importJson(WORDS, 'words.json');
    await app.node('Sink').waitFor();
    await app.button('Run to end').click();
    await app.waitForHash();
    const one = async (label) => {
      const n = await answering(page, label);
      expect(n === 1, `getByLabel('${label}') finds ${n} elements, not 1`);
    };
    step('the client: Rate, Keys, Region');
    await app.select('Users');
    for (const label of ['Rate', 'Keys', 'Region']) await one(label);
    await page.getByLabel('Rate').fill('25');
    await page.getByLabel('Rate').press('Enter');
    await eventually(async () => (await app.saved()).nodes[0].rate_per_s === 25, 'the rate is saved');
    step('the HTTP link: Latency, Timeout, Retry, Connection');
    await page.locator('g.link[data-id="call"]').click({ force: true });
    await page.getByLabel('Link kind').waitFor();
    for (const label of ['Latency', 'Timeout', 'Retry', 'Connection']) await one(label);
    await page.getByLabel('Timeout').fill('800ms');
    await page.getByLabel('Timeout').press('Enter');
    await eventually(async () => (await app.saved()).links[0].timeout_ms === 800, 'the timeout is saved');
    step('the log topic: Partitions; its subscription: Commit');
    await app.select('Events');
    await one('Partitions');
    await page.locator('g.link[data-id="read"]').click({ force: true });
    await page.getByLabel('Link kind').waitFor();
    await one('Commit');
    await page.getByLabel('Commit').selectOption('after_processing');
    await eventually(async () => (await app.saved()).links[2].commit === 'after_processing', 'the commit mode is saved');
    await shot('fields');
  },
});
