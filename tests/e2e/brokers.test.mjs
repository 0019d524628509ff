// Brokers in the app: the palette's exchange, log topic and FIFO queue, their
// settings in the inspector (bad values refused, the document kept), a log
// topic drawn with its partitions and each group's lag, the brokers' result
// columns, and a broker lesson running to the same hash as `crosstalk run`.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, eventually } from './app.mjs';

export const tests = [
  {
    name: 'every broker lesson opens without problems and says what to watch',
    async run({ app, page, step, shot }) {
      await app.open();
      const lessons = [
        ['Ordering: competing consumers', 'out of order'],
        ['Kafka consumer crash', 'auto-commits every 5 s'],
        ['RabbitMQ topic routing', 'alternate queue'],
        ['SQS FIFO', 'FIFO queue never does'],
        ['WhatsApp', 'delivered late'],
        ['A while\\(true\\) submission', 'Behind the queue'],
      ];
      for (const [title, watch] of lessons) {
        step(title);
        await app.example(title);
        await eventually(async () => (await app.nodes().count()) > 2, `${title} has nodes`);
        await page.keyboard.press('Escape');
        await page.getByText('No problems: ready to run.').waitFor();
        await page.getByText(watch).first().waitFor();
        await shot(title.replace(/\W+/g, '-').toLowerCase());
      }
    },
  },
  {
    name: 'the palette adds an exchange, a log topic and a FIFO queue, each with its settings',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.blank();
      step('an exchange is a hexagon with its own icon');
      await app.dragFromPalette('Exchange', 250, 150);
      await app.nodes('exchange').first().waitFor();
      expect((await app.nodes('exchange').first().locator('path.exchange-shape').count()) === 1, 'drawn as a hexagon');
      await app.nodes('exchange').first().click();
      expect((await page.getByLabel('Type', { exact: true }).inputValue()) === '', 'type left to its default');
      expect(await page.getByText('default topic', { exact: true }).isVisible(), 'the default type is shown');
      step('a log topic comes with partitions, drawn under it');
      await app.dragFromPalette('Kafka log', 250, 330);
      const log = page.locator('g[data-kind="topic"]').first();
      await log.waitFor();
      await log.click();
      expect((await page.getByLabel('Delivery', { exact: true }).inputValue()) === 'log', 'delivery log');
      expect((await page.getByLabel('Partitions', { exact: true }).inputValue()) === '3', 'three partitions');
      expect(/3 partitions/.test(await log.locator('.log-strip > title').textContent()), 'partitions drawn');
      step('a FIFO queue');
      await app.dragFromPalette('SQS FIFO', 600, 150);
      const fifo = page.locator('g[data-kind="queue"]').first();
      await fifo.waitFor();
      await fifo.click();
      expect(await page.getByLabel('FIFO', { exact: true }).isChecked(), 'FIFO on');
      expect(await page.getByLabel('Dedup window', { exact: true }).isVisible(), 'its deduplication window');
      await shot('palette-presets');
      const saved = await app.saved();
      expect(saved.nodes.some((n) => n.kind === 'exchange'), 'saved exchange');
      expect(saved.nodes.some((n) => n.delivery === 'log' && n.partitions === 3), 'saved log topic');
      expect(saved.nodes.some((n) => n.fifo === true), 'saved FIFO queue');
    },
  },
  {
    name: 'a binding pattern with an empty word is refused by its field and the document keeps the last good one',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.example('RabbitMQ topic routing');
      step('select the binding into billing');
      await page.locator('g.link[data-id="b_paid"]').click();
      const pattern = page.getByLabel('Pattern', { exact: true });
      expect((await pattern.inputValue()) === 'order.paid.*', 'the pattern shows');
      step('order..paid is refused');
      await pattern.fill('order..paid');
      await pattern.press('Enter');
      await page.getByText('has an empty word').waitFor();
      await shot('bad-pattern');
      const link = (await app.saved()).links.find((l) => l.id === 'b_paid');
      expect(link.pattern === 'order.paid.*', `document kept the good pattern: ${link.pattern}`);
      step('a good pattern applies');
      await pattern.fill('order.#');
      await pattern.press('Enter');
      await eventually(async () => (await app.saved()).links.find((l) => l.id === 'b_paid').pattern === 'order.#', 'saved');
    },
  },
  {
    name: 'a log topic shows each consumer group’s lag while the Kafka lesson runs',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.example('Kafka consumer crash');
      await page.getByLabel('Speed').fill('10');
      await page.getByLabel('Speed').press('Enter');
      step('run past the crash');
      await app.button('Run').click();
      const strip = app.node('orders log').locator('.log-strip');
      await eventually(async () => (await app.clock())?.now > 22, 'the run passes 22 s', 20_000);
      await app.button('Pause').click();
      const label = await strip.locator('title').textContent();
      expect(/^8 partitions; consumer lag: billing \d+, emails \d+$/.test(label), `lag per group: ${label}`);
      expect(/lag billing \d+/.test(await strip.locator('text').textContent()), 'the lag is written under the log');
      await shot('log-lag');
    },
  },
  {
    name: 'the RabbitMQ lesson shows its unroutable messages and runs to the runner’s hash',
    async run({ app, page, root, step, skip }) {
      await app.open();
      await app.example('RabbitMQ topic routing');
      step('run to the end');
      await app.button('Run to end').click();
      const hash = await app.waitForHash();
      step('the Nodes tab has the brokers’ columns');
      await page.getByRole('tab', { name: 'Nodes' }).click();
      await page.getByRole('columnheader', { name: 'Unroutable' }).waitFor();
      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'orders (topic)', exact: true }) });
      const cells = await row.getByRole('cell').allTextContents();
      // The column names are the second header row (the first groups them).
      const headers = await page.locator('table.node-table thead tr').last().getByRole('columnheader').allTextContents();
      const unroutable = Number(cells[headers.indexOf('Unroutable') - 1].replace(/[^\d]/g, ''));
      expect(unroutable > 300, `about a tenth of 6000 orders are unroutable: ${unroutable}`);
      const runner = process.env.CROSSTALK_BIN || path.join(root, 'target', 'release', 'crosstalk');
      if (!fs.existsSync(runner)) skip('target/release/crosstalk is not built');
      step('the runner gives the same hash for the same example');
      const out = JSON.parse(
        execFileSync(runner, ['run', path.join(root, 'examples', 'rabbit-routing.json'), '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }),
      );
      expect(out.run_hash === hash, `runner ${out.run_hash} vs browser ${hash}`);
    },
  },
];

tests.push({
  name: 'the broker examples are in the Examples menu under the titles the issue gives them',
  async run({ app, page }) {
    await app.open();
    await app.button('Examples').click();
    for (const title of [
      'Ordering: competing consumers vs. partitions by key',
      'Kafka consumer crash: auto-commit replays, at-most-once loses',
      'RabbitMQ topic routing with a dead-letter exchange',
      'SQS FIFO: order per message group',
      'WhatsApp: store-and-forward for offline users',
    ]) {
      const n = await page.getByRole('menuitem', { name: title }).count();
      expect(n === 1, `${n} menu items answer to "${title}"`);
    }
    expect((await page.getByRole('menuitem', { name: 'LeetCode' }).count()) === 1, 'one LeetCode example answers to LeetCode');
  },
});
