// Regions in the app: each region is a labelled area on the canvas, a node
// dropped inside an area joins that region and one dragged out of every
// area leaves it (one undo step each), cross-region links carry their added
// latency, and the inspector edits a node's region and the latency pairs.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, eventually } from './app.mjs';

const SCENARIO = JSON.stringify({
  crosstalk: 1,
  name: 'Two regions',
  seed: 2,
  duration_ms: 10000,
  regions: [['eu', 'us', 40]],
  nodes: [
    { id: 'shop', kind: 'client', label: 'Shoppers', x: 200, y: 160, region: 'eu' },
    { id: 'api', kind: 'service', label: 'Orders API', x: 520, y: 160, region: 'eu' },
    { id: 'pay', kind: 'service', label: 'Payments', x: 200, y: 460, region: 'us' },
    { id: 'cache', kind: 'service', label: 'Cache', x: 820, y: 460 },
  ],
  links: [
    { id: 'l1', from: 'shop', to: 'api', via: 'http' },
    { id: 'l2', from: 'api', to: 'pay', via: 'http' },
  ],
});

const node = async (app, id) => (await app.saved()).nodes.find((n) => n.id === id);

async function drag(page, from, to) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}

export const tests = [
  {
    name: 'dragging a node into a region sets its region, out of it clears it',
    viewport: { width: 1400, height: 900 },
    async run({ app, page, step, shot }) {
      await app.open();
      await app.importJson(SCENARIO, 'regions.json');
      await app.node('Cache').waitFor();
      step('each region is a labelled area');
      const eu = page.getByRole('group', { name: 'Region eu', exact: true });
      await eu.waitFor();
      await page.getByRole('group', { name: 'Region us', exact: true }).waitFor();
      step('the link between the regions is marked with its added latency');
      const cross = page.locator('g.link.cross-region');
      expect((await cross.count()) === 1, `one cross-region link, got ${await cross.count()}`);
      expect((await cross.locator('title').textContent()).includes('+40 ms'), 'its title says +40 ms');
      expect((await cross.locator('.region-latency').textContent()).includes('+40 ms'), 'its label says +40 ms');
      step('drop Cache between the two eu nodes: it joins eu');
      const a = await app.center('Shoppers');
      const b = await app.center('Orders API');
      const into = { x: (a.x + b.x) / 2, y: a.y };
      await drag(page, await app.center('Cache'), into);
      await eventually(async () => (await node(app, 'cache')).region === 'eu', 'cache is in eu');
      await shot('dropped-into-eu');
      step('one undo puts it back where it was, without a region');
      await page.keyboard.press('Control+z');
      await eventually(async () => {
        const c = await node(app, 'cache');
        return c.region === undefined && c.x === 820;
      }, 'undo restores the place and the region together');
      step('drag it in again, then out of every area: no region');
      await drag(page, await app.center('Cache'), into);
      await eventually(async () => (await node(app, 'cache')).region === 'eu', 'cache is in eu again');
      const box = await app.canvas().boundingBox();
      await drag(page, await app.center('Cache'), { x: box.x + box.width - 150, y: box.y + box.height - 120 });
      await eventually(async () => (await node(app, 'cache')).region === undefined, 'cache left eu');
      step('Payments dragged into eu moves from us to eu, and its link stops crossing');
      await drag(page, await app.center('Payments'), { x: into.x, y: into.y + 6 });
      await eventually(async () => (await node(app, 'pay')).region === 'eu', 'payments moved to eu');
      await eventually(async () => (await page.locator('g.link.cross-region').count()) === 0, 'no link crosses now');
    },
  },
  {
    name: 'the inspector edits a node region, a new region and the latency pairs',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.importJson(SCENARIO, 'regions.json');
      await app.select('Cache');
      step('the Region select lists the regions');
      const region = app.inspector().getByLabel('Region', { exact: true });
      expect((await region.inputValue()) === '', 'Cache has none');
      await region.selectOption('us');
      await eventually(async () => (await node(app, 'cache')).region === 'us', 'cache in us');
      step('a new region, by name');
      await region.selectOption({ label: 'New region…' });
      const name = page.getByLabel('New region name');
      await name.fill('ap');
      await app.button('Add region').click();
      await eventually(async () => (await node(app, 'cache')).region === 'ap', 'cache in ap');
      const pairs = (await app.saved()).regions;
      expect(pairs.some((p) => p[0] === 'eu' && p[1] === 'ap'), `ap paired with eu: ${JSON.stringify(pairs)}`);
      step('a bad name is refused and the document keeps ap');
      await region.selectOption({ label: 'New region…' });
      await name.fill('a b');
      await app.button('Add region').click();
      await page.waitForTimeout(200);
      expect((await node(app, 'cache')).region === 'ap', 'still ap');
      step('the scenario panel edits the latency between eu and us');
      await page.keyboard.press('Escape');
      await app.canvas().click({ position: { x: 30, y: 30 } });
      const latency = page.getByLabel('Latency between eu and us', { exact: true });
      await latency.fill('25');
      await latency.press('Enter');
      await eventually(async () => (await app.saved()).regions[0][2] === 25, '25 ms saved');
      await latency.fill('-3');
      await latency.press('Enter');
      await page.waitForTimeout(200);
      expect((await app.saved()).regions[0][2] === 25, 'a negative latency is refused');
      await shot('region-pairs');
    },
  },
  {
    name: 'Crash region takes every node in it down at once, Recover region brings them back, and Share replays it',
    viewport: { width: 1400, height: 900 },
    async run({ app, page, root, step, shot, skip }) {
      await app.open();
      await app.importJson(SCENARIO, 'regions.json');
      await app.node('Cache').waitFor();
      const crashed = async (label) => /crashed/.test((await app.node(label).getAttribute('class')) || '');
      step('before a run, the scenario panel offers an outage per region');
      await page.getByRole('heading', { name: 'Region outages' }).waitFor();
      expect(await app.button('Crash region us').isVisible(), 'Crash region us');
      expect(!(await app.button('Recover region eu').isEnabled()), 'nothing to recover yet');
      step('run, select Orders API (in eu), and crash its region live');
      await app.select('Orders API');
      await app.button('Run').click();
      await eventually(async () => (await app.clock())?.now >= 2, 'the clock passes 2 s', 30_000);
      await app.inspector().getByRole('button', { name: 'Crash region eu', exact: true }).click();
      await eventually(async () => (await crashed('Orders API')) && (await crashed('Shoppers')), 'every eu node is down');
      expect(!(await crashed('Payments')) && !(await crashed('Cache')), 'us and the node without a region are up');
      await eventually(
        async () => /down/.test((await page.getByRole('group', { name: 'Region eu', exact: true }).getAttribute('class')) || ''),
        'the eu area is marked down',
      );
      await eventually(async () => (await app.saved())?.faults?.length === 1, 'the outage is in the scenario');
      const fault = (await app.saved()).faults[0];
      expect(fault.target === 'region:eu' && fault.kind === 'crash' && fault.at_ms >= 2000 && fault.for_ms === undefined, JSON.stringify(fault));
      expect(!(await app.button('Crash region eu').isEnabled()), 'it cannot crash twice');
      await shot('region-down');
      step('Recover region eu');
      await app.button('Recover region eu').click();
      await eventually(async () => !(await crashed('Orders API')) && !(await crashed('Shoppers')), 'eu is back');
      await eventually(async () => (await app.saved()).faults[0].for_ms > 0, 'the recovery set for_ms');
      step('run to the end, Share, and the runner on the link gives the hash watched');
      await app.button('Run to end').click();
      const watched = await app.waitForHash();
      await app.button('Share').click();
      const box = page.getByLabel('Share link');
      await box.waitFor();
      const link = await box.inputValue();
      await page.keyboard.press('Escape');
      const bin = process.env.CROSSTALK_BIN || path.join(root, 'target', 'release', 'crosstalk');
      if (!fs.existsSync(bin)) skip('target/release/crosstalk is not built (cargo build --release --bin crosstalk)');
      const report = JSON.parse(execFileSync(bin, ['run', link, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
      expect(report.run_hash === watched, `runner ${report.run_hash} vs the run watched ${watched}`);
    },
  },  {
    name: "a node's right-click menu crashes and recovers its whole region while the run goes",
    async run({ app, page, step, shot }) {
      await app.open();
      await app.importJson(SCENARIO, 'regions.json');
      await app.node('Cache').waitFor();
      const crashed = async (label) => /crashed/.test((await app.node(label).getAttribute('class')) || '');
      const item = (name) => page.getByRole('menu').getByRole('menuitem', { name, exact: true });
      step('a node without a region has no region items');
      await app.node('Cache').click({ button: 'right' });
      await item('Crash now').waitFor();
      expect((await item('Crash region eu').count()) === 0, 'no region item on Cache');
      await page.keyboard.press('Escape');
      step('run, then Crash region us from the Payments menu');
      await app.button('Run').click();
      await eventually(async () => (await app.clock())?.now >= 1, 'the clock passes 1 s', 30_000);
      await app.node('Payments').click({ button: 'right' });
      await item('Crash region us').click();
      await eventually(async () => await crashed('Payments'), 'the us node is down');
      expect(!(await crashed('Orders API')), 'eu stays up');
      await shot('region-menu-crash');
      step('the menu now offers to recover it, not to crash it again');
      await app.node('Payments').click({ button: 'right' });
      expect(!(await item('Crash region us').isEnabled()), 'cannot crash twice');
      await item('Recover region us').click();
      await eventually(async () => !(await crashed('Payments')), 'us is back');
      await eventually(async () => (await app.saved())?.faults?.[0]?.target === 'region:us', 'kept in the scenario');
    },
  },
];
