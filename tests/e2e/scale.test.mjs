// Scale-out in the app: a replicated service is drawn as a stack with a
// card per replica showing its load and state, its settings are in the
// inspector under their names, and a bad value is refused by the field.
import { expect, eventually } from './app.mjs';

const SCENARIO = JSON.stringify({
  crosstalk: 1,
  name: 'Replicas during a crash',
  seed: 4,
  duration_ms: 60000,
  nodes: [
    { id: 'web', kind: 'client', label: 'Shoppers', x: 120, y: 220, rate_per_s: 300 },
    { id: 'api', kind: 'service', label: 'Catalog API', x: 420, y: 220, workers: 4, work_ms: { exp: 10 }, replicas: 4 },
  ],
  links: [{ id: 'l1', from: 'web', to: 'api', via: 'http', timeout_ms: 1000, balance: 'p2c' }],
  faults: [{ target: 'api#2', kind: 'crash', at_ms: 3000, for_ms: 40000 }],
});

async function type(field, text) {
  await field.fill(text);
  await field.press('Enter');
  await field.blur();
}

const api = async (app) => (await app.saved()).nodes.find((n) => n.id === 'api');

export const tests = [
  {
    name: 'a replicated service shows a card per replica, and the crashed one',
    viewport: { width: 1400, height: 900 },
    async run({ app, page, step, shot }) {
      await app.open();
      await app.importJson(SCENARIO, 'replicas.json');
      await app.node('Catalog API').waitFor();
      step('four replica cards under the service');
      const cards = app.node('Catalog API').getByRole('img', { name: /^replica \d/ });
      await eventually(async () => (await cards.count()) === 4, 'four replica cards');
      step('run: replica 2 crashes at 3 s and its card says so');
      await app.button('Run').click();
      await eventually(
        async () => (await cards.nth(1).getAttribute('aria-label'))?.includes('crashed'),
        'replica 2 is shown crashed',
        30_000,
      );
      const others = await Promise.all([0, 2, 3].map((i) => cards.nth(i).getAttribute('aria-label')));
      expect(others.every((l) => !l.includes('crashed')), `only replica 2 is down: ${others}`);
      await shot('replica-crash');
      await app.button('Pause').click();
    },
  },
  {
    name: 'the Nodes table lists each replica with its load and state',
    viewport: { width: 1400, height: 900 },
    async run({ app, page, step, shot }) {
      await app.open();
      await app.importJson(SCENARIO, 'replicas.json');
      await app.node('Catalog API').waitFor();
      await app.button('Run').click();
      const cards = app.node('Catalog API').getByRole('img', { name: /^replica \d/ });
      await eventually(
        async () => (await cards.nth(1).getAttribute('aria-label'))?.includes('crashed'),
        'replica 2 is down',
        30_000,
      );
      await app.button('Pause').click();
      step('the service row says how many replicas serve');
      await page.getByRole('tab', { name: 'Nodes' }).click();
      const table = page.locator('table.node-table');
      const row = table.locator('tr', { has: page.getByRole('button', { name: 'Show the replicas of Catalog API' }) });
      await eventually(async () => (await row.locator('[data-col="replicas"]').innerText()).includes('crashed'), 'crashed counted');
      step('expanding it shows api#1..api#4, replica 2 crashed and the others busy');
      await page.getByRole('button', { name: 'Show the replicas of Catalog API' }).click();
      const replicas = table.locator('tr.replica-row');
      await eventually(async () => (await replicas.count()) === 4, 'four replica rows');
      const states = await replicas.locator('[data-col="replica-state"]').allInnerTexts();
      expect(states[1] === 'crashed', `replica 2: ${states}`);
      expect([0, 2, 3].every((i) => states[i] !== 'crashed'), `others: ${states}`);
      const busy = await replicas.nth(0).locator('[data-col="replica-busy"]').innerText();
      expect(/\d+%/.test(busy), `replica 1 is busy: ${busy}`);
      await shot('replica-rows');
      await page.getByRole('button', { name: 'Hide the replicas of Catalog API' }).click();
      await eventually(async () => (await replicas.count()) === 0, 'rows folded');
    },
  },
  {
    name: 'replicas, health checks and load balancing are fields with names',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.importJson(SCENARIO, 'replicas.json');
      await app.select('Catalog API');
      step('the service has Replicas, Health check every and Unhealthy after');
      const replicas = page.getByLabel('Replicas', { exact: true });
      expect((await replicas.inputValue()) === '4', `replicas shown ${await replicas.inputValue()}`);
      await page.getByLabel('Health check every', { exact: true }).waitFor();
      const timeout = page.getByLabel('Probe timeout', { exact: true });
      await type(timeout, '500 ms');
      await eventually(async () => (await api(app)).health_timeout_ms === 500, 'health_timeout_ms saved');
      const after = page.getByLabel('Unhealthy after', { exact: true });
      await type(after, '2');
      await eventually(async () => (await api(app)).unhealthy_after === 2, 'unhealthy_after saved');
      step('0 replicas is refused and the document keeps 4');
      await replicas.fill('0');
      await eventually(async () => (await replicas.getAttribute('aria-invalid')) === 'true', '0 marked invalid');
      expect((await api(app)).replicas === 4, 'not saved');
      await shot('refused');
      await type(replicas, '6');
      await eventually(async () => (await api(app)).replicas === 6, '6 replicas saved');
      const cards = app.node('Catalog API').getByRole('img', { name: /^replica \d/ });
      await eventually(async () => (await cards.count()) === 6, 'six cards');
      step('the link into it picks its balancing');
      await page.locator('g.link').first().click({ force: true });
      const balance = page.getByLabel('Load balancing', { exact: true });
      expect((await balance.inputValue()) === 'p2c', `balance shown ${await balance.inputValue()}`);
      await balance.selectOption('least_outstanding');
      await eventually(
        async () => (await app.saved()).links[0].balance === 'least_outstanding',
        'balance saved',
      );
      step('connections and payloads: protocol, connection, pool, sizes, bandwidth');
      const saved = async () => (await app.saved()).links[0];
      await page.getByLabel('Protocol', { exact: true }).selectOption('graphql');
      await page.getByLabel('Connection', { exact: true }).selectOption('per_request');
      await type(page.getByLabel('Pool', { exact: true }), '8');
      await type(page.getByLabel('Response size', { exact: true }), '12.5');
      await eventually(async () => {
        const l = await saved();
        return l.protocol === 'graphql' && l.connection === 'per_request' && l.pool === 8 && l.response_kb === 12.5;
      }, 'connection settings saved');
      step('a bandwidth of 0 is refused and never saved');
      const bandwidth = page.getByLabel('Bandwidth', { exact: true });
      await bandwidth.fill('0');
      await eventually(async () => (await bandwidth.getAttribute('aria-invalid')) === 'true', '0 Mbit/s marked invalid');
      expect((await saved()).bandwidth_mbps === undefined, 'not saved');
      await shot('connection');
    },
  },
];
