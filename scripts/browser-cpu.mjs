#!/usr/bin/env node
// The page's main thread in CPU time (a tool, not a test), which the load
// of a shared machine moves far less than wall time:
//
//   node scripts/browser-cpu.mjs open [--dist DIR] [--rounds N]  # opening bench.mjs's 400-node diagram
//   node scripts/browser-cpu.mjs end  [--dist DIR] [--rounds N]  # Run to end of it
//
// Each round is a fresh page with a CDP trace over the import or the Run to
// end; it prints the longest frame (wall), the page's longest tasks in
// thread CPU time (`RunTask` `tdur`), how many took over 50 ms of CPU, and
// the CPU of all of them; then the medians.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../tests/e2e/serve.mjs';
import { launch, App } from '../tests/e2e/app.mjs';
import { bigDiagram } from '../tests/e2e/bench-scenarios.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const what = args[0] === 'end' ? 'end' : 'open';
const dist = path.resolve(flag('--dist') || path.join(root, 'dist'));
const rounds = Number(flag('--rounds') || 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await serve(dist);
const browser = await launch();
const results = [];
for (let round = 0; round < rounds; round++) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const app = new App(page, server.url);
  await app.open();
  if (what === 'end') {
    await app.importJson(JSON.stringify(bigDiagram()), 'big.json');
    await page.waitForFunction(() => document.querySelectorAll('g[data-kind]').length === 400, null, { timeout: 30000 });
  }
  await page.waitForTimeout(1000);
  await page.evaluate(() => {
    window.__frames = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__frames.push(e.duration))).observe({ type: 'long-animation-frame' });
  });
  const cdp = await context.newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
  const traced = new Promise((resolve) => cdp.on('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  if (what === 'end') {
    await app.button('Run to end').click();
    await app.waitForHash(120000);
    await page.waitForTimeout(500);
  } else {
    await app.importJson(JSON.stringify(bigDiagram()), 'big.json');
    await page.waitForFunction(() => document.querySelectorAll('g[data-kind]').length === 400, null, { timeout: 30000 });
    await page.waitForTimeout(300);
  }
  await cdp.send('Tracing.end');
  await traced;
  const frames = await page.evaluate(() => window.__frames);
  await context.close();
  // The page's main thread: the one that runs its scripts.
  const calls = {};
  for (const e of events) if (e.name === 'FunctionCall') calls[e.tid] = (calls[e.tid] || 0) + 1;
  const tid = Number(Object.entries(calls).sort((a, b) => b[1] - a[1])[0][0]);
  const cpu = events
    .filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.tid === tid)
    .map((e) => (e.tdur || 0) / 1000)
    .sort((a, b) => b - a);
  const r = { frame: Math.max(0, ...frames), top: cpu.slice(0, 5), over: cpu.filter((c) => c > 50).length, total: cpu.reduce((a, b) => a + b, 0) };
  results.push(r);
  console.log(
    `${what} ${round + 1}: longest frame ${r.frame.toFixed(0)} ms; longest tasks, CPU ${r.top.map((c) => c.toFixed(0)).join(', ')} ms; ` +
      `${r.over} over 50 ms of CPU; CPU of all tasks ${r.total.toFixed(0)} ms`,
  );
}
await browser.close();
await server.close();
console.log(
  `median of ${rounds}: longest frame ${median(results.map((r) => r.frame)).toFixed(0)} ms; longest task ${median(results.map((r) => r.top[0] || 0)).toFixed(0)} ms of CPU; ` +
    `CPU of all tasks ${median(results.map((r) => r.total)).toFixed(0)} ms`,
);
