// Results: every kept request can be browsed and filtered by outcome, a
// finished run has nothing "in flight", charts read out their values on
// hover and from the keyboard, and a trace opens at its header.
import { expect, eventually } from './app.mjs';

/** The Links tab, opened: its table, and a row by its link's name ("A → B"). */
async function linksTab(page) {
  await page.getByRole('tab', { name: 'Links' }).click();
  const table = page.getByRole('table', { name: 'Links' });
  const row = (name) => table.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  return { table, row };
}

async function finishedRetryStorm(app, page) {
  await app.open();
  await app.example('Retry storm');
  await app.button('Run to end').click();
  await app.waitForHash();
  await page.getByRole('tab', { name: 'Requests' }).click();
  await page.locator('.request-table').waitFor();
}

const range = (page) => page.getByRole('group', { name: 'Requests list' }).locator('.range');

/** The rows shown: { id, outcome, took }. */
async function rows(page) {
  return page.$$eval('.request-table tbody tr[data-id]', (trs) =>
    trs.map((tr) => ({
      id: tr.querySelector('th').textContent.trim(),
      outcome: tr.querySelector('.outcome').textContent.trim(),
      took: tr.querySelectorAll('td')[2].textContent.trim(),
    })),
  );
}

export const tests = [
  {
    name: 'every kept request can be browsed, page by page',
    async run({ app, page, step, shot }) {
      await finishedRetryStorm(app, page);
      step('the first page of the 2,000 kept');
      expect((await range(page).textContent()) === '1–50 of 2,000', await range(page).textContent());
      expect(!(await app.button('Newer requests').isEnabled()), 'no newer page');
      step('page through to the oldest');
      const seen = new Set();
      for (;;) {
        for (const r of await rows(page)) seen.add(r.id);
        if (!(await app.button('Older requests').isEnabled())) break;
        const before = await range(page).textContent();
        await app.button('Older requests').click();
        await eventually(async () => (await range(page).textContent()) !== before, 'next page');
      }
      await shot('last-page');
      expect(seen.size === 2000, `every kept request listed once: ${seen.size}`);
      expect((await range(page).textContent()) === '1951–2000 of 2,000', await range(page).textContent());
      await app.button('Newer requests').click();
      expect((await range(page).textContent()) === '1901–1950 of 2,000', 'and back');
    },
  },
  {
    name: 'requests filter by outcome; a finished run has none in flight',
    async run({ app, page, step, shot }) {
      await finishedRetryStorm(app, page);
      const filter = page.getByLabel('Outcome', { exact: true });
      step('a finished run lists nothing in flight');
      const inFlight = await filter.locator('option[value="in-flight"]').textContent();
      expect(inFlight === 'in flight (0)', inFlight);
      await filter.selectOption('in-flight');
      await page.getByText(/None of the 2,000 requests kept are in flight/).waitFor();
      step('those cut off by the end have no duration');
      await filter.selectOption('unfinished');
      for (const r of await rows(page)) {
        expect(r.outcome === 'unfinished' && r.took === '—', `#${r.id}: ${r.outcome}, took ${r.took}`);
      }
      step('each outcome shows only its own');
      for (const [value, label] of [['failed', 'failed'], ['ok', 'ok'], ['timed-out', 'timed out']]) {
        await filter.selectOption(value);
        const shown = await rows(page);
        const count = Number((await filter.locator(`option[value="${value}"]`).textContent()).replace(/\D/g, ''));
        expect(shown.length === Math.min(50, count), `${label}: ${shown.length} rows of ${count}`);
        expect(shown.every((r) => r.outcome === label && r.took !== '—'), `${label} only, each with a duration`);
      }
      await shot('filtered');
      step('All shows every outcome again');
      await filter.selectOption('');
      expect((await range(page).textContent()) === '1–50 of 2,000', 'all');
    },
  },
  {
    name: 'a trace opens scrolled to its header',
    async run({ app, page, step, shot }) {
      await finishedRetryStorm(app, page);
      step('scroll to the bottom of a page and open its last request');
      await app.button('Older requests').click();
      await page.locator('.tab-body').evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      const last = page.locator('.request-table tbody tr').last();
      const id = (await last.locator('th').textContent()).trim();
      await last.click();
      const heading = page.getByRole('heading', { name: `Request ${id}` });
      await heading.waitFor();
      await shot('trace');
      step('its header is in view and has the keyboard');
      await eventually(async () => {
        const body = await page.locator('.tab-body').boundingBox();
        const head = await heading.boundingBox();
        return head.y >= body.y && head.y + head.height <= body.y + body.height;
      }, 'the header is inside the visible results');
      expect(await heading.evaluate((el) => el === document.activeElement), 'focus on the header');
      step('closing goes back to the same page of the list');
      await page.getByRole('button', { name: '← Close trace' }).click();
      expect((await range(page).textContent()) === '51–100 of 2,000', await range(page).textContent());
    },
  },
  {
    name: 'charts read out their values on hover and from the keyboard',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.example('Retry storm');
      await app.button('Run to end').click();
      await app.waitForHash();
      const plot = page.getByRole('group', { name: /^Throughput/ });
      const readout = page.locator('.chart', { has: plot }).getByRole('status');
      step('hover');
      expect(!(await readout.isVisible()), 'no readout before');
      const box = await plot.boundingBox();
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
      await eventually(async () => /^At \d+(\.\d)? s: Shoppers \d+\/s( · Catalog slow .+)?$/.test(await readout.textContent()), 'a value under the pointer (and the fault then, named)');
      await shot('hover');
      const hovered = await readout.textContent();
      await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.5);
      await eventually(async () => (await readout.textContent()) !== hovered, 'follows the pointer');
      await page.mouse.move(0, 0);
      await eventually(async () => !(await readout.isVisible()), 'gone when the pointer leaves');
      step('keyboard');
      await plot.focus();
      await eventually(async () => /^At 59\.5 s: Shoppers/.test(await readout.textContent()), 'focus reads the last second');
      await page.keyboard.press('ArrowLeft');
      await eventually(async () => /^At 58\.5 s:/.test(await readout.textContent()), 'left goes one second back');
      await page.keyboard.press('Home');
      await eventually(async () => /^At 0\.5 s:/.test(await readout.textContent()), 'Home goes to the start');
      const p99 = page.getByRole('group', { name: /^p99 latency/ });
      await p99.focus();
      const p99Readout = page.locator('.chart', { has: p99 }).getByRole('status');
      await eventually(async () => /^At 59\.5 s: Shoppers (\d|—)/.test(await p99Readout.textContent()), 'p99 reads a duration');
      await shot('keyboard');
    },
  },
  {
    name: 'the Links tab lists every link, with the fan-out per request of counted links',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.importJson(
        JSON.stringify({
          crosstalk: 1,
          name: 'Scatter-gather',
          seed: 3,
          duration_ms: 5000,
          nodes: [
            { id: 'users', kind: 'client', label: 'Users', x: 120, y: 200, rate_per_s: 50 },
            { id: 'api', kind: 'service', label: 'Search API', x: 400, y: 200, workers: 50, work_ms: 1 },
            { id: 'shards', kind: 'service', label: 'Shards', x: 700, y: 120, workers: 200, work_ms: 2 },
            { id: 'feed', kind: 'queue', label: 'Feed', x: 700, y: 320 },
          ],
          links: [
            { id: 'ask', from: 'users', to: 'api', via: 'http' },
            { id: 'scatter', from: 'api', to: 'shards', via: 'grpc', count: 4 },
            { id: 'notify', from: 'api', to: 'feed', via: 'enqueue', count: { uniform: [0, 6] } },
          ],
        }),
        'scatter.json',
      );
      await app.node('Shards').waitFor();
      step('run to the end and open the Links tab');
      await app.button('Run to end').click();
      await app.waitForHash();
      const { table, row } = await linksTab(page);
      await table.getByRole('columnheader', { name: 'Fan-out per request' }).waitFor();
      const cell = (name, col) => row(name).locator(`td[data-col="${col}"]`);
      step('four calls per search, about three messages per search, nothing on the plain link');
      await eventually(async () => (await cell('Search API → Shards', 'fan_out').textContent()) === '×4', 'the constant count');
      const mean = Number(await cell('Search API → Feed', 'fan_out').getAttribute('data-value'));
      expect(mean > 2.6 && mean < 3.4, `uniform 0..6 means 3 per request: ${mean}`);
      expect((await cell('Users → Search API', 'fan_out').textContent()) === '', 'blank without a count');
      step('the counts add up: four calls sent per request made');
      const asks = Number(await cell('Users → Search API', 'sent').getAttribute('data-value'));
      const calls = Number(await cell('Search API → Shards', 'sent').getAttribute('data-value'));
      expect(asks > 200 && Math.abs(calls - 4 * asks) <= 4 * 5, `${calls} calls for ${asks} requests`);
      await shot('links-tab');
    },
  },
  {
    name: "a consume link's row counts the queue's deliveries to its consumer, redeliveries included",
    async run({ app, page, step, shot }) {
      await app.open();
      await app.example('Payments, SMS over a queue');
      await app.node('SMS sender').waitFor();
      step('run to the end and open the Links tab');
      await app.button('Run to end').click();
      await app.waitForHash();
      const { row } = await linksTab(page);
      const value = async (name, col) =>
        Number(await row(name).locator(`td[data-col="${col}"]`).getAttribute('data-value'));
      step('the SMS sender took every message the queue delivered, and retried the failures');
      const enqueued = await value('Payments → SMS jobs', 'delivered');
      const taken = await value('SMS jobs → SMS sender', 'sent');
      const acked = await value('SMS jobs → SMS sender', 'delivered');
      const nacked = await value('SMS jobs → SMS sender', 'failed');
      expect(enqueued > 1000, `messages handled: ${enqueued}`);
      expect(acked === enqueued, `acks ${acked} = messages delivered ${enqueued}`);
      expect(nacked > 0 && taken >= acked + nacked, `${taken} deliveries: ${acked} acked, ${nacked} nacked`);
      await shot('links-consume');
    },
  },
];

tests.push({
  name: 'the Nodes and Requests tabs show tables named after them',
  async run({ app, page }) {
    await app.open();
    await app.button('Run to end').click();
    await app.waitForHash();
    await page.getByRole('tab', { name: 'Nodes' }).click();
    const nodes = page.getByRole('table', { name: 'Nodes' });
    await nodes.waitFor();
    expect((await nodes.getByRole('rowheader', { name: 'Payments' }).count()) === 1, 'a row for Payments');
    await page.getByRole('tab', { name: 'Requests' }).click();
    await page.getByRole('table', { name: 'Requests' }).waitFor();
  },
});
