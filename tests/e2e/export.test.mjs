// The Export dialog: every file downloads and reads back (CSV parsed, JSON
// parsed, SVG parsed by the browser, PNG and GIF headers read for their
// size and the GIF walked for its frames), the text files equal what
// `crosstalk export` prints, an empty scenario gives valid empty files,
// and the dialog works from the keyboard and on a phone.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, eventually } from './app.mjs';

function runnerBin(root) {
  return process.env.CROSSTALK_BIN || path.join(root, 'target', 'release', 'crosstalk');
}

/** RFC 4180: rows of cells (quoted cells may hold commas, quotes, line breaks). */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; }
    else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  const [header, ...body] = rows;
  for (const r of body) if (r.length !== header.length) throw new Error(`a row of ${r.length} cells under ${header.length} columns`);
  return { header, rows: body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) };
}

/** PNG: width and height from the IHDR chunk. */
function pngSize(buf) {
  expect(buf.subarray(1, 4).toString() === 'PNG', 'a PNG signature');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** GIF: the logical screen size and the number of image frames. */
function gifInfo(buf) {
  expect(buf.subarray(0, 6).toString() === 'GIF89a', 'a GIF89a header');
  const width = buf.readUInt16LE(6), height = buf.readUInt16LE(8);
  let i = 13;
  if (buf[10] & 0x80) i += 3 * (1 << ((buf[10] & 7) + 1));
  const subBlocks = () => { while (buf[i] !== 0) i += buf[i] + 1; i += 1; };
  let frames = 0;
  for (;;) {
    const b = buf[i++];
    if (b === 0x3b) break;
    if (b === 0x21) { i += 1; subBlocks(); }
    else if (b === 0x2c) {
      frames += 1;
      const flags = buf[i + 8];
      i += 9;
      if (flags & 0x80) i += 3 * (1 << ((flags & 7) + 1));
      i += 1; // LZW minimum code size
      subBlocks();
    } else throw new Error(`unexpected GIF block 0x${b?.toString(16)} at ${i - 1}`);
    if (i > buf.length) throw new Error('the GIF ends early');
  }
  return { width, height, frames };
}

async function openExport(app, page) {
  const dialog = page.getByRole('dialog', { name: 'Export' });
  if (!(await dialog.isVisible())) await app.button('Export').click();
  await dialog.waitFor();
  return dialog;
}

/** Clicks an item of the Export dialog; returns the downloaded file. */
async function exportFile(app, page, outDir, item, timeout = 30_000) {
  const dialog = await openExport(app, page);
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout }),
    dialog.getByRole('button', { name: item, exact: true }).click(),
  ]);
  const file = path.join(outDir, `export-${download.suggestedFilename()}`);
  await download.saveAs(file);
  const buf = fs.readFileSync(file);
  return { name: download.suggestedFilename(), file, buf, text: buf.toString('utf8') };
}

/** The browser's own XML parser on an SVG: its size, nodes and labels. */
async function readSvg(page, text) {
  return page.evaluate((t) => {
    const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
    const root = doc.documentElement;
    return {
      error: doc.querySelector('parsererror')?.textContent || null,
      tag: root.tagName,
      width: Number(root.getAttribute('width')),
      height: Number(root.getAttribute('height')),
      nodes: doc.querySelectorAll('g[data-kind]').length,
      texts: [...doc.querySelectorAll('text')].map((e) => e.textContent),
      boxFill: doc.querySelector('g[data-kind] rect')?.getAttribute('fill') || '',
      classes: doc.querySelectorAll('[class]').length,
    };
  }, text);
}

export const tests = [
  {
    name: 'every export downloads and reads back, and the text files are what crosstalk export prints',
    async run({ app, page, outDir, root, step, shot }) {
      await app.open();
      expect((await app.nodes().count()) === 5, 'the starter: payments with SMS over a queue');
      step('run to the end');
      await app.button('Run to end').click();
      const hash = await app.waitForHash();
      await openExport(app, page);
      await shot('dialog');

      step('scenario JSON');
      const scenario = await exportFile(app, page, outDir, 'Scenario (JSON)');
      const doc = JSON.parse(scenario.text);
      expect(doc.crosstalk === 1 && doc.nodes.length === 5, 'the scenario');

      step('report JSON: the shape of crosstalk run --json, this run');
      const reportFile = await exportFile(app, page, outDir, 'Run report (JSON)');
      const report = JSON.parse(reportFile.text);
      expect(report.run_hash === hash, `the report's hash ${report.run_hash} is the run's ${hash}`);
      for (const k of ['events', 'sim_ms', 'nodes', 'messages', 'requests']) expect(k in report, `report has ${k}`);
      expect(report.nodes.pay.arrivals > 100, 'the run did work');

      step('node table CSV');
      const nodesFile = await exportFile(app, page, outDir, 'Node table (CSV)');
      const nodes = parseCsv(nodesFile.text);
      expect(nodes.header[0] === 'id' && nodes.rows.length === 5, `five rows: ${nodes.rows.length}`);
      const pay = nodes.rows.find((r) => r.id === 'pay');
      expect(Number(pay.arrivals) === report.nodes.pay.arrivals, 'the CSV has the report figures');
      expect(pay.label === 'Payments', pay.label);

      step('per-second series CSV');
      const seriesFile = await exportFile(app, page, outDir, 'Per-second series (CSV)');
      const series = parseCsv(seriesFile.text);
      const paySeconds = series.rows.filter((r) => r.node === 'pay');
      expect(paySeconds.length === Math.ceil(report.sim_ms / 1000), `one row per second: ${paySeconds.length}`);
      const done = paySeconds.reduce((s, r) => s + Number(r.throughput), 0);
      expect(done === report.nodes.pay.completed, `throughput sums to completions: ${done} vs ${report.nodes.pay.completed}`);

      step('SVG as drawn');
      const svgFile = await exportFile(app, page, outDir, 'Diagram (SVG)');
      const svg = await readSvg(page, svgFile.text);
      expect(!svg.error && svg.tag === 'svg', `the SVG parses: ${svg.error}`);
      expect(svg.nodes === 5 && svg.texts.includes('Payments'), `nodes and labels: ${svg.nodes}, ${svg.texts.slice(0, 4)}`);
      expect(/^(rgb|#)/.test(svg.boxFill) && svg.classes === 0, `theme colours inlined, no stylesheet needed: ${svg.boxFill}`);

      step('PNG of the same drawing');
      const png = pngSize((await exportFile(app, page, outDir, 'Diagram (PNG)')).buf);
      expect(png.width === svg.width * 2 && png.height === svg.height * 2, `PNG ${png.width}x${png.height} for SVG ${svg.width}x${svg.height}`);

      step('configuration: RabbitMQ definitions');
      const rabbit = await exportFile(app, page, outDir, 'RabbitMQ definitions (JSON)');
      const defs = JSON.parse(rabbit.text);
      expect(typeof defs.rabbit_version === 'string' && defs.vhosts[0].name === '/', 'definitions header');
      expect(defs.queues.map((q) => q.name).join() === 'sms_q,sms_dlq', defs.queues.map((q) => q.name).join());
      const dlx = defs.policies.find((p) => p.pattern === '^sms_q$').definition;
      expect(dlx['dead-letter-routing-key'] === 'sms_dlq' && dlx['dead-letter-exchange'] === '', 'sms_q dead-letters into sms_dlq');

      step('configuration: resilience4j and Kafka');
      const r4j = await exportFile(app, page, outDir, 'resilience4j (YAML)');
      expect(/^resilience4j:$/m.test(r4j.text) && /"l1":\n\s+maxAttempts: 3/.test(r4j.text), 'l1 retries three times');
      const kafka = await exportFile(app, page, outDir, 'Kafka topics (JSON)');
      expect(Array.isArray(JSON.parse(kafka.text).topics), 'Kafka topics parse');

      step('the same bytes as crosstalk export');
      const bin = runnerBin(root);
      if (!fs.existsSync(bin)) return;
      for (const [format, file] of [['rabbitmq', rabbit], ['resilience4j', r4j], ['kafka', kafka], ['json', reportFile], ['csv', nodesFile], ['series-csv', seriesFile]]) {
        const printed = execFileSync(bin, ['export', scenario.file, '--format', format], { encoding: 'utf8' });
        expect(printed === file.text, `${format}: the app and crosstalk export agree`);
      }
    },
  },
  {
    name: 'the GIF replays the first seconds: its size and frame count',
    async run({ app, page, outDir, step }) {
      await app.open();
      const dialog = await openExport(app, page);
      step('refuses a length out of range');
      const seconds = dialog.getByLabel('first');
      await seconds.fill('0');
      await seconds.press('Tab');
      await dialog.getByRole('button', { name: 'Animation (GIF)' }).click();
      await eventually(async () => /1 to 30/.test(await dialog.getByRole('status').textContent()), 'names the range');
      step('two seconds at ten frames a second');
      await seconds.fill('2');
      await seconds.press('Tab');
      const gif = await exportFile(app, page, outDir, 'Animation (GIF)', 90_000);
      const info = gifInfo(gif.buf);
      const box = await page.locator('svg.canvas').boundingBox();
      expect(info.frames === 20, `20 frames, got ${info.frames}`);
      expect(info.width <= Math.min(720, box.width) && info.width > 300, `the diagram, at most 720 wide: ${info.width}`);
      expect(info.height < box.height && info.height > 60, `cropped to the diagram: height ${info.height}`);
      await page.getByRole('status').filter({ hasText: '20 frames' }).waitFor();
      step('the run is paused where the animation ended');
      expect(!(await app.button('Run').isDisabled()) && !(await app.button('Reset').isDisabled()), 'a paused run');
    },
  },
  {
    name: 'an empty scenario exports valid empty files',
    async run({ app, page, outDir, step }) {
      await app.open();
      await app.blank();
      step('figures');
      const nodes = parseCsv((await exportFile(app, page, outDir, 'Node table (CSV)')).text);
      expect(nodes.header.length > 10 && nodes.rows.length === 0, 'a header, no rows');
      const series = parseCsv((await exportFile(app, page, outDir, 'Per-second series (CSV)')).text);
      expect(series.header[0] === 't_s' && series.rows.length === 0, 'a header, no rows');
      const report = JSON.parse((await exportFile(app, page, outDir, 'Run report (JSON)')).text);
      expect(Object.keys(report.nodes).length === 0, 'no nodes in the report');
      step('pictures');
      const svg = await readSvg(page, (await exportFile(app, page, outDir, 'Diagram (SVG)')).text);
      expect(!svg.error && svg.nodes === 0 && svg.width > 0, `an empty drawing: ${svg.error}`);
      const png = pngSize((await exportFile(app, page, outDir, 'Diagram (PNG)')).buf);
      expect(png.width === svg.width * 2, `PNG ${png.width}`);
      step('configuration');
      const defs = JSON.parse((await exportFile(app, page, outDir, 'RabbitMQ definitions (JSON)')).text);
      expect(defs.queues.length === 0 && defs.exchanges.length === 0 && defs.vhosts.length === 1, 'empty definitions');
      const r4j = (await exportFile(app, page, outDir, 'resilience4j (YAML)')).text;
      expect((r4j.match(/instances: \{\}/g) || []).length === 3, 'no instances');
    },
  },
  {
    name: 'the Export dialog works from the keyboard',
    async run({ app, page, outDir, step }) {
      await app.open();
      step('Enter on Export opens it with the focus on the first item');
      await app.button('Export').focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Export' });
      await dialog.waitFor();
      await eventually(async () => (await page.evaluate(() => document.activeElement?.textContent)) === 'Scenario (JSON)', 'first item focused');
      step('Tab to the node table, Enter downloads it');
      await page.keyboard.press('Tab');
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      expect(/-nodes\.csv$/.test(download.suggestedFilename()), download.suggestedFilename());
      step('the download closed it and gave the focus back');
      await eventually(async () => !(await dialog.isVisible()), 'closed');
      expect((await page.evaluate(() => document.activeElement?.textContent)) === 'Export', 'focus back on Export');
      step('Escape closes it too');
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await eventually(async () => !(await dialog.isVisible()), 'closed by Escape');
      expect((await page.evaluate(() => document.activeElement?.textContent)) === 'Export', 'focus back on Export');
      expect(outDir.length > 0);
    },
  },
  {
    name: 'the Export dialog fits a phone',
    viewport: { width: 390, height: 844 },
    async run({ app, page, step, shot }) {
      await app.open();
      step('open');
      const dialog = await openExport(app, page);
      await shot('phone');
      const box = await dialog.boundingBox();
      expect(box.x >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844, `inside the screen: ${JSON.stringify(box)}`);
      for (const name of ['Node table (CSV)', 'Diagram (PNG)', 'Animation (GIF)', 'resilience4j (YAML)']) {
        const b = await dialog.getByRole('button', { name, exact: true }).boundingBox();
        expect(b && b.x >= 0 && b.x + b.width <= 390, `${name} on screen`);
      }
    },
  },
  {
    name: 'broker examples export RabbitMQ exchanges and Kafka topics, as crosstalk export does',
    async run({ app, page, outDir, root, step }) {
      await app.open();
      step('RabbitMQ routing');
      await app.example('RabbitMQ topic routing');
      const rabbitScenario = await exportFile(app, page, outDir, 'Scenario (JSON)');
      const rabbit = await exportFile(app, page, outDir, 'RabbitMQ definitions (JSON)');
      const defs = JSON.parse(rabbit.text);
      const orders = defs.exchanges.find((e) => e.name === 'orders');
      expect(orders && orders.type === 'topic', 'the topic exchange');
      expect(defs.bindings.some((b) => b.source === 'orders' && b.routing_key === 'order.paid.*'), 'its bindings');
      step('Kafka');
      await app.example('Kafka consumer crash');
      const kafkaScenario = await exportFile(app, page, outDir, 'Scenario (JSON)');
      const kafka = await exportFile(app, page, outDir, 'Kafka topics (JSON)');
      const k = JSON.parse(kafka.text);
      expect(k.topics.length === 1 && k.topics[0].partitions_count === 8, `the log topic: ${kafka.text.slice(0, 200)}`);
      expect(k.consumer_groups.length === 2, 'two consumer groups');
      const bin = runnerBin(root);
      if (!fs.existsSync(bin)) return;
      step('the same bytes as crosstalk export');
      expect(execFileSync(bin, ['export', rabbitScenario.file, '--format', 'rabbitmq'], { encoding: 'utf8' }) === rabbit.text, 'rabbitmq');
      expect(execFileSync(bin, ['export', kafkaScenario.file, '--format', 'kafka'], { encoding: 'utf8' }) === kafka.text, 'kafka');
    },
  },
];
