// Databases in the app: a Database from the palette, a service linked to
// it with a read link, its settings under their names, a run, and the
// stale reads on its card and in the Nodes table.
import { expect, eventually } from './app.mjs';

async function type(field, text) {
  await field.fill(text);
  await field.press('Enter');
  await field.blur();
}

const STOCK = JSON.stringify({
  crosstalk: 1,
  name: 'Stock on read replicas',
  seed: 11,
  duration_ms: 10000,
  nodes: [
    { id: 'buyers', kind: 'client', label: 'Buyers', x: 100, y: 120, rate_per_s: 20, keys: 30 },
    { id: 'shoppers', kind: 'client', label: 'Shoppers', x: 100, y: 340, rate_per_s: 200, keys: 30 },
    { id: 'checkout', kind: 'service', label: 'Checkout', x: 360, y: 120, workers: 8 },
    { id: 'catalog', kind: 'service', label: 'Catalog', x: 360, y: 340, workers: 16, work_ms: 3 },
    { id: 'stock', kind: 'database', label: 'Stock', x: 640, y: 230, workers: 20, replicas: 2, replication_lag_ms: 500 },
  ],
  links: [
    { id: 'buy', from: 'buyers', to: 'checkout', via: 'http' },
    { id: 'browse', from: 'shoppers', to: 'catalog', via: 'http' },
    { id: 'sell', from: 'checkout', to: 'stock', via: 'write' },
    { id: 'show', from: 'catalog', to: 'stock', via: 'read', read_from: 'replica' },
  ],
});

export const tests = [
  {
    name: 'a database from the palette, read by a service, runs',
    viewport: { width: 1400, height: 900 },
    async run({ app, page, step, shot }) {
      await app.open();
      await app.blank();
      step('add a client, a service and a database from the palette');
      await app.dragFromPalette('Client', 120, 150);
      await app.dragFromPalette('Service', 400, 150);
      await app.dragFromPalette('Database', 680, 150);
      await eventually(async () => (await app.nodes('database').count()) === 1, 'a database was added');
      step('link the client to the service, and the service to the database: a read');
      await app.connect('Client 1', 'Service 1');
      await app.connect('Service 1', 'Database 1');
      await eventually(async () => (await page.locator('g.link[data-via="read"]').count()) === 1, 'a read link');
      expect((await page.getByLabel('Link kind').inputValue()) === 'read', 'link kind read');
      const readFrom = page.getByLabel('Read from', { exact: true });
      expect((await readFrom.inputValue()) === '', 'read_from shows its default');
      step('the database has its settings under their names');
      await app.select('Database 1');
      await page.getByLabel('Connections', { exact: true }).waitFor();
      await page.getByLabel('Query time', { exact: true }).waitFor();
      const lag = page.getByLabel('Replication lag', { exact: true });
      await lag.waitFor();
      const replicas = page.getByLabel('Read replicas', { exact: true });
      await type(replicas, '2');
      await eventually(async () => (await app.saved()).nodes.find((n) => n.kind === 'database')?.replicas === 2, 'replicas saved');
      step('run to the end: the database card shows its stale reads');
      await app.button('Run to end').click();
      await app.waitForHash();
      const figure = app.node('Database 1').getByRole('img', { name: /stale reads?$/ });
      await eventually(async () => (await figure.count()) === 1, 'a stale-read figure on the card');
      expect(/^0 stale reads$/.test(await figure.getAttribute('aria-label')), 'nothing written, nothing stale');
      await shot('database-read');
    },
  },
  {
    name: 'stale reads from replicas show on the card and in the Nodes table',
    viewport: { width: 1400, height: 900 },
    async run({ app, page, step, shot }) {
      await app.open();
      await app.importJson(STOCK, 'stock.json');
      await app.node('Stock').waitFor();
      step('run to the end');
      await app.button('Run to end').click();
      await app.waitForHash();
      const figure = app.node('Stock').getByRole('img', { name: /stale reads?$/ });
      await eventually(async () => (await figure.count()) === 1, 'a stale-read figure');
      const stale = Number((await figure.getAttribute('aria-label')).replace(/[^\d.k]/g, '').replace('k', ''));
      expect(stale > 0, `reads from a replica half a second behind are stale: ${await figure.getAttribute('aria-label')}`);
      step('the Nodes tab has a Stale reads column');
      await page.getByRole('tab', { name: 'Nodes' }).click();
      await page.getByRole('columnheader', { name: 'Stale reads' }).waitFor();
      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Stock', exact: true }) });
      const headers = await page.locator('table.node-table thead tr').last().getByRole('columnheader').allTextContents();
      const cells = await row.getByRole('cell').allTextContents();
      const text = cells[headers.indexOf('Stale reads') - 1];
      expect(/^[\d,]+ \/ [\d,]+$/.test(text) && !text.startsWith('0 '), `stale / reads in the table: ${text}`);
      await shot('stale-reads');
    },
  },
];
