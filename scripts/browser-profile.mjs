#!/usr/bin/env node
// Profiles the built app in headless Chromium (a tool, not a test):
//
//   source scripts/env.sh && trunk build --release --offline
//   node scripts/browser-profile.mjs open      # opening bench.mjs's 400-node diagram
//   node scripts/browser-profile.mjs tokens    # 4 s of bench.mjs's ~5,000 tokens
//   node scripts/browser-profile.mjs end       # Run to end of the 400-node diagram
//   node scripts/browser-profile.mjs leetcode  # Run to end of bench section 7's LeetCode run
//
// The release wasm has no function names, so the profile runs on a copy of
// dist/ whose wasm and glue are wasm-bindgen's output before post-build
// (target/wasm-bindgen/release: names kept, not run through wasm-opt, so
// somewhat slower than what ships; the shares are what to read). Prints the
// long animation frames (script, rendering), the functions with the most
// time (self and with callees; `--window` restricts to the longest task),
// and the browser's style, layout and paint totals from a CDP trace.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../tests/e2e/serve.mjs';
import { launch, App } from '../tests/e2e/app.mjs';
import { bigDiagram, tokenFlood } from '../tests/e2e/bench-scenarios.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const what = ['tokens', 'end', 'leetcode'].includes(process.argv[2]) ? process.argv[2] : 'open';
const longest = process.argv.includes('--window');

// dist/ with the names-kept wasm and its plain glue.
const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'crosstalk-profile-'));
fs.cpSync(path.join(root, 'dist'), dist, { recursive: true });
const named = path.join(root, 'target/wasm-bindgen/release');
for (const f of fs.readdirSync(dist)) {
  if (/^crosstalk-app-.*_bg\.wasm$/.test(f)) fs.copyFileSync(path.join(named, 'crosstalk-app_bg.wasm'), path.join(dist, f));
  else if (/^crosstalk-app-.*\.js$/.test(f)) fs.copyFileSync(path.join(named, 'crosstalk-app.js'), path.join(dist, f));
}
const html = path.join(dist, 'index.html');
fs.writeFileSync(html, fs.readFileSync(html, 'utf8').replace(/ integrity=[^ >]*/g, ''));

const server = await serve(dist);
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
const page = await context.newPage();
// Every message to and from a Web Worker, as the page sees it: when, how
// many characters, and (on the way back) how long the page's handler took.
await page.addInitScript(() => {
  window.__worker = [];
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(...a) {
      super(...a);
      window.__worker.push(['start', performance.now(), 0, 0]);
      const own = Object.getOwnPropertyDescriptor(Worker.prototype, 'onmessage') || Object.getOwnPropertyDescriptor(Base.prototype, 'onmessage');
      Object.defineProperty(this, 'onmessage', {
        set: (f) =>
          own.set.call(this, f && ((e) => {
            const t = performance.now();
            f(e);
            window.__worker.push(['answer', t, typeof e.data === 'string' ? e.data.length : 0, performance.now() - t]);
          })),
        get: () => own.get.call(this),
      });
    }
    postMessage(m, ...r) {
      window.__worker.push(['task', performance.now(), typeof m === 'string' ? m.length : 0, 0]);
      return super.postMessage(m, ...r);
    }
  };
});
const app = new App(page, server.url);
await app.open();
const cdp = await context.newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
const events = [];
cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
const traced = new Promise((resolve) => cdp.on('Tracing.tracingComplete', resolve));
await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
await page.evaluate(() => {
  window.__frames = [];
  new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__frames.push([e.startTime, e.duration, (e.renderStart || e.startTime + e.duration) - e.startTime]))).observe({ type: 'long-animation-frame' });
});
if (what === 'open') {
  await cdp.send('Profiler.start');
  await app.importJson(JSON.stringify(bigDiagram()), 'big.json');
  await page.waitForFunction(() => document.querySelectorAll('g[data-kind]').length === 400, null, { timeout: 30000 });
  await page.waitForTimeout(500);
} else if (what === 'end' || what === 'leetcode') {
  let scenario = bigDiagram();
  if (what === 'leetcode') {
    scenario = JSON.parse(fs.readFileSync(path.join(root, 'src/editor/examples/leetcode.json'), 'utf8'));
    for (const n of scenario.nodes) if (n.kind === 'client') n.rate_per_s = 10000;
    scenario.duration_ms = 60000;
  }
  await app.importJson(JSON.stringify(scenario), 'run.json');
  await page.waitForFunction((n) => document.querySelectorAll('g[data-kind]').length === n, scenario.nodes.length, { timeout: 30000 });
  await page.waitForTimeout(1500);
  await page.evaluate(() => (window.__worker.length = 0));
  await cdp.send('Profiler.start');
  const t0 = await page.evaluate(() => performance.now());
  await app.button('Run to end').click();
  await app.waitForHash(120000);
  const t1 = await page.evaluate(() => performance.now());
  await page.waitForTimeout(300);
  const log = await page.evaluate(() => window.__worker);
  console.log(`click to hash (roughly: Playwright's click and polling): ${(t1 - t0).toFixed(0)} ms`);
  console.log('worker messages (ms after the click; characters; ms in the page handler):');
  console.log('  ' + log.map(([k, t, n, h]) => `${k} @${(t - t0).toFixed(0)} ${n}${k === 'answer' ? ` ${h.toFixed(0)}ms` : ''}`).join('\n  '));
} else {
  await app.importJson(JSON.stringify(tokenFlood(200)), 'flood.json');
  await page.waitForFunction(() => document.querySelectorAll('g[data-kind]').length === 201);
  await page.getByLabel('Speed').fill('1');
  await page.getByLabel('Speed').press('Enter');
  await app.button('Run').click();
  await page.waitForTimeout(3000);
  await cdp.send('Profiler.start');
  await page.waitForTimeout(4000);
}
const { profile } = await cdp.send('Profiler.stop');
await cdp.send('Tracing.end');
await traced;
const frames = await page.evaluate(() => window.__frames);
await browser.close();
await server.close();
fs.rmSync(dist, { recursive: true, force: true });

console.log(`long animation frames (start, duration = script + rendering), ms:`);
console.log('  ' + frames.map(([t, d, s]) => `@${t.toFixed(0)} ${d.toFixed(0)}=${s.toFixed(0)}+${(d - s).toFixed(0)}`).join('  '));

// The main thread's tasks and the rendering steps, from the trace.
const spans = events.filter((e) => e.ph === 'X' && e.dur);
const tasks = spans.filter((e) => e.name === 'RunTask').sort((a, b) => b.dur - a.dur);
const window = longest && tasks[0] ? [tasks[0].ts, tasks[0].ts + tasks[0].dur] : [-Infinity, Infinity];
const steps = {};
for (const e of spans.filter((e) => ['UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'FunctionCall'].includes(e.name))) {
  const s = (steps[e.name] ||= { ms: 0, n: 0, max: 0 });
  s.ms += e.dur / 1000;
  s.n += 1;
  s.max = Math.max(s.max, e.dur / 1000);
}
console.log('\nmain thread, from the trace (total ms, count, longest ms):');
for (const [k, v] of Object.entries(steps).sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${k.padEnd(18)} ${v.ms.toFixed(1).padStart(8)} ${String(v.n).padStart(5)} ${v.max.toFixed(1).padStart(7)}`);
console.log(`  longest tasks: ${tasks.slice(0, 8).map((t) => (t.dur / 1000).toFixed(0)).join(', ')} ms`);

// Self and inclusive time per function (inclusive counts a function once
// per sample however deep it recurses).
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const name = (n) => (n.callFrame.functionName || '(anonymous)').replace(/::h[0-9a-f]{16}/g, '').slice(0, 130);
const self = new Map();
const total = new Map();
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  const dt = profile.timeDeltas[i + 1] || 0;
  if (t < window[0] || t > window[1]) continue;
  const leaf = byId.get(profile.samples[i]);
  self.set(name(leaf), (self.get(name(leaf)) || 0) + dt);
  const seen = new Set();
  for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
    const nm = name(byId.get(id));
    if (!seen.has(nm)) total.set(nm, (total.get(nm) || 0) + dt);
    seen.add(nm);
  }
}
const top = (m, k, keep = () => true) =>
  [...m].filter(([n]) => keep(n)).sort((a, b) => b[1] - a[1]).slice(0, k).map(([n, d]) => `  ${(d / 1000).toFixed(1).padStart(8)} ms  ${n}`).join('\n');
console.log(`\nself time${longest ? ' (longest task)' : ''}:\n${top(self, 25)}`);
console.log(`\nwith callees, the app's own functions:\n${top(total, 40, (n) => n.startsWith('crosstalk::'))}`);
