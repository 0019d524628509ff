// Every hop visible: tokens on every link kind of a flow (the asynchronous
// half included), queues showing what waits in them, a publish splitting
// into its copies, tokens gone once a run ends, and the first fault of an
// example soon after Run.
import { expect, eventually } from './app.mjs';

/** The links the token layer drew on in its last frame: { ids, vias }. */
async function tokenLayer(page) {
  return page.locator('canvas.tokens').evaluate((c) => ({
    ids: (c.dataset.tokenLinks || '').split(' ').filter(Boolean),
    vias: (c.dataset.tokenVias || '').split(' ').filter(Boolean),
  }));
}

/** Every link kind of the diagram on screen, sorted. */
async function linkKinds(page) {
  const vias = await page.$$eval('g.link[data-via]', (gs) => gs.map((g) => g.dataset.via));
  return [...new Set(vias)].sort();
}

/** Samples the token layer while the run goes until `done(seen)` holds. */
async function sampleUntil(page, done, message, timeout = 30_000) {
  const seen = { vias: new Set(), ids: new Set(), frames: [] };
  await eventually(
    async () => {
      const layer = await tokenLayer(page);
      layer.vias.forEach((v) => seen.vias.add(v));
      layer.ids.forEach((v) => seen.ids.add(v));
      seen.frames.push(layer.ids);
      return done(seen);
    },
    `${message} (seen: ${[...seen.vias].sort().join(' ')})`,
    timeout,
  );
  return seen;
}

/** A duration as the inspector shows it, in milliseconds. */
function toMs(text) {
  const m = /^([\d.]+)\s*(ms|s|min|h)?$/.exec(text.replace(/,/g, '').trim());
  if (!m) return NaN;
  return Number(m[1]) * { ms: 1, s: 1000, min: 60_000, h: 3_600_000 }[m[2] || 'ms'];
}

/** Token pixels (alpha > 0) on the token layer inside a box of the page. */
async function tokenPixels(page, box) {
  return page.locator('canvas.tokens').evaluate((c, b) => {
    const r = c.getBoundingClientRect();
    const k = c.width / r.width;
    const x = Math.max(0, Math.floor((b.x - r.left) * k));
    const y = Math.max(0, Math.floor((b.y - r.top) * k));
    const w = Math.min(c.width - x, Math.ceil(b.width * k));
    const h = Math.min(c.height - y, Math.ceil(b.height * k));
    if (w <= 0 || h <= 0) return 0;
    const data = c.getContext('2d').getImageData(x, y, w, h).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  }, box);
}

/** A client with a name too long for its box, right above its service: the
 * call's tokens run down through where the client's full name shows. */
const UNDER_THE_TIP = JSON.stringify({
  crosstalk: 1,
  name: 'Tokens under the tip',
  seed: 3,
  duration_ms: 600000,
  nodes: [
    { id: 'c', kind: 'client', label: 'Customers of the northern warehouse', x: 200, y: 120, rate_per_s: 100, arrival: 'uniform' },
    { id: 's', kind: 'service', label: 'Stock', x: 200, y: 330, workers: 64, work_ms: { const: 5 } },
  ],
  links: [{ id: 'l1', from: 'c', to: 's', via: 'http', latency_ms: { const: 400 } }],
});

export const tests = [
  {
    name: 'LeetCode: tokens on every link kind, the verdict pushed to the browsers, none once the run ends',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.example('LeetCode');
      const kinds = await linkKinds(page);
      expect(kinds.join() === 'consume,enqueue,http,publish,push,subscribe', `LeetCode's link kinds: ${kinds}`);
      step('Run and sample the token layer');
      await app.button('Run').click();
      let shotTaken = false;
      await sampleUntil(
        page,
        async (seen) => {
          if (!shotTaken && seen.vias.has('consume') && seen.vias.has('publish')) {
            shotTaken = true;
            await shot('tokens-queue-pubsub');
          }
          return kinds.every((k) => seen.vias.has(k));
        },
        'every link kind carries a token at some point',
      );
      step('a push reaches the browser node: the ws -> tabs link carried tokens');
      const push = await page.$eval('g.link[data-via="push"]', (g) => g.dataset.id);
      await sampleUntil(page, (seen) => seen.ids.has(push), 'the push link carries tokens');
      step('the run ends: no token is left on the links');
      await app.button('Run to end').click();
      await app.waitForHash();
      await eventually(async () => (await tokenLayer(page)).ids.length === 0, 'the token layer is empty');
      expect((await page.locator('main.stage').getAttribute('data-in-flight')) === '0', 'nothing in flight is drawn');
      await shot('finished-no-tokens');
    },
  },
  {
    name: 'food ordering: tokens on every link kind, and the publish splits into one copy per subscription',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.example('Food ordering');
      const kinds = await linkKinds(page);
      expect(kinds.includes('publish') && kinds.includes('subscribe') && kinds.includes('push'), `kinds: ${kinds}`);
      const subs = await page.$$eval('g.link[data-via="subscribe"]', (gs) => gs.map((g) => g.dataset.id));
      expect(subs.length === 2, `two subscriptions: ${subs}`);
      step('Run and sample');
      await app.button('Run').click();
      await sampleUntil(page, (seen) => kinds.every((k) => seen.vias.has(k)), 'every link kind carries a token');
      step('both subscriptions carry copies in the same frame');
      await sampleUntil(
        page,
        (seen) => seen.frames.some((ids) => subs.every((s) => ids.includes(s))),
        'copies on both subscriptions at once',
      );
      await shot('split');
    },
  },
  {
    name: 'a queue shows its waiting messages as a stack with their count',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.example('Payments, SMS over a queue');
      const queue = app.node('SMS jobs');
      const stack = queue.getByRole('img', { name: /waiting$/ });
      expect((await stack.getAttribute('aria-label')) === '0 waiting', 'nothing waits before the run');
      step('Run: the SMS sender crashes and the jobs pile up in the queue');
      await app.button('Run').click();
      // The count and the squares are read in one go: the queue drains
      // again after the recovery, so two reads apart could disagree.
      const seen = () =>
        stack.evaluate((el) => ({
          count: Number(el.getAttribute('aria-label').split(' ')[0]),
          squares: el.getAttribute('d').split('M').filter(Boolean).length,
        }));
      await eventually(
        async () => {
          const now = await seen();
          if (now.count >= 5 && now.squares >= 5) return now;
          throw new Error(JSON.stringify(now));
        },
        'the stack counts the waiting jobs and shows a square each',
        30_000,
      );
      expect(/\d/.test(await queue.locator('.waiting text').textContent()), 'the count shows beside it');
      await shot('queue-stack');
    },
  },
  {
    name: 'every example shows its first fault within 5 s of Run at the speed it opens with',
    async run({ app, page, step }) {
      await app.open();
      const examples = await (async () => {
        await app.button('Examples').click();
        const names = await page.getByRole('menuitem').evaluateAll((els) => els.map((e) => e.dataset.example));
        await page.keyboard.press('Escape');
        return names;
      })();
      expect(examples.length >= 5, `examples: ${examples}`);
      for (const key of examples) {
        step(`example ${key}`);
        await app.button('Examples').click();
        await page.locator(`[data-example="${key}"]`).click();
        const speed = Number(await page.getByLabel('Speed').inputValue());
        // The scenario panel lists the scheduled faults with their start.
        // Durations show with their unit ("20 s", "1.5 min", "250 ms").
        const starts = (await page.getByLabel('Starts at').evaluateAll((els) => els.map((e) => e.value))).map(toMs);
        expect(starts.length > 0, `${key} schedules a fault`);
        const first = Math.min(...starts);
        expect(first / speed <= 5000, `${key}: first fault at ${first} ms is ${first / speed} ms of wall time at ${speed}x`);
        step(`${key}: the fault shows while it runs`);
        await app.button('Run').click();
        await eventually(
          async () => (await page.locator('g[data-kind].crashed, g[data-kind].degraded, g.link.partitioned').count()) > 0,
          `${key}: a node is marked by its fault`,
          30_000,
        );
        await app.button('Reset').click();
      }
    },
  },
  {
    name: "tokens keep off a node's full name and its live actions, drawn over the links",
    async run({ app, page, step, shot }) {
      await app.open();
      await app.importJson(UNDER_THE_TIP, 'under-the-tip.json');
      await app.button('Run').click();
      // Calls take 400 ms to cross: by 0.6 s the link is full end to end.
      await eventually(async () => (await app.clock())?.now >= 0.6, 'the run reaches 0.6 s', 20_000);
      // At 100 calls a second a dot stands for several: the HUD says what "×N" means.
      await eventually(async () => /×N: a dot for N messages/.test(await page.locator('.hud').textContent()), 'the HUD explains ×N', 5_000);
      /** While tokens stream down the link, none is ever drawn in `box`. */
      const staysClear = async (box, what) => {
        for (let i = 0; i < 15; i++) {
          const n = await tokenPixels(page, box);
          expect(n === 0, `${what}: ${n} token pixels over it`);
          await page.waitForTimeout(60);
        }
      };
      step('Pointer on the client: its full name, with no token over it');
      const client = app.node('Customers of the northern warehouse');
      await client.hover();
      const tip = page.getByRole('tooltip');
      await tip.waitFor();
      const box = await tip.boundingBox();
      await staysClear(box, 'the tip');
      await shot('tip-over-tokens');
      step('Pointer away: tokens pass where the tip was');
      await page.mouse.move(5, 5);
      await tip.waitFor({ state: 'hidden' });
      await eventually(async () => (await tokenPixels(page, box)) > 20, 'tokens where the tip was', 5_000);
      step('Stock selected: its Crash and Recover card sits where the calls come in, with no token over it');
      await app.select('Stock');
      // The card by its drawing: with the inspector open, it leaves its
      // names to the inspector's own Crash now and Recover.
      const card = page.locator('g.node-actions[aria-label="Live actions for Stock"]');
      await card.waitFor();
      const cardBox = await card.boundingBox();
      await page.mouse.move(5, 5);
      await staysClear(cardBox, 'the card');
      await page.keyboard.press('Escape');
      await card.waitFor({ state: 'hidden' });
      await eventually(async () => (await tokenPixels(page, cardBox)) > 20, 'tokens where the card was', 5_000);
    },
  },
];
