#!/usr/bin/env node
// The engine's speed in the built wasm, measured in Node (V8, as in
// Chromium) by CPU time, which a busy machine moves far less than wall time:
//
//   trunk build --release --offline && node scripts/wasm-speed.mjs [--dist DIR] [--rounds N]
//
// Loads dist/'s wasm and glue as the app's Web Worker does, then runs
//   - M/M/1 with 1,000,000 customers (`engine_bench`, bench section 4);
//   - the LeetCode example at 10,000 submissions/s for 60 s through the
//     worker's own entry (`worker_task`: "live", then 50 ms "slice"s to the
//     end, as Run to end does; bench section 7 adds the page around it).
// Each is run N times (default 5); the report gives the CPU time of the
// fastest and the median run, and events per CPU second. `--cold` runs the
// LeetCode run alone, once: a fresh worker's first run (its compile and
// memory growth included), as the page's first Run to end.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const dist = path.resolve(flag('--dist') || path.join(root, 'dist'));
const cold = args.includes('--cold');
const rounds = cold ? 1 : Number(flag('--rounds') || 5);

const wasmFile = fs.readdirSync(dist).find((f) => f.endsWith('_bg.wasm'));
if (!wasmFile) {
  console.error(`no wasm in ${dist}: trunk build --release --offline`);
  process.exit(1);
}
const glue = await import(pathToFileURL(path.join(dist, wasmFile.replace(/_bg\.wasm$/, '.js'))).href);
await glue.default({ module_or_path: fs.readFileSync(path.join(dist, wasmFile)) });

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/// Runs `f` `rounds` times; returns { events, cpu: [ms...], wall: [ms...] }.
function measure(f) {
  const cpu = [];
  const wall = [];
  let events = 0;
  for (let i = 0; i < rounds; i++) {
    const c0 = cpuMs();
    const w0 = performance.now();
    events = f();
    wall.push(performance.now() - w0);
    cpu.push(cpuMs() - c0);
  }
  return { events, cpu, wall };
}

function report(what, r) {
  const best = Math.min(...r.cpu);
  const med = median(r.cpu);
  console.log(
    `${what}: ${r.events} events; CPU best ${best.toFixed(0)} ms, median ${med.toFixed(0)} ms ` +
      `(${(r.events / best / 1000).toFixed(2)} / ${(r.events / med / 1000).toFixed(2)} M events per CPU s); ` +
      `wall median ${median(r.wall).toFixed(0)} ms`,
  );
}

console.log(`wasm speed (${path.relative(root, dist) || dist}, ${rounds} rounds, Node ${process.version})`);
if (!cold) report('M/M/1, 1,000,000 customers', measure(() => JSON.parse(glue.engine_bench(1000000)).events));

const leetcode = JSON.parse(fs.readFileSync(path.join(root, 'src/editor/examples/leetcode.json'), 'utf8'));
for (const n of leetcode.nodes) if (n.kind === 'client') n.rate_per_s = 10000;
leetcode.duration_ms = 60000;
const head = (kind) => JSON.stringify({ kind, seed: 0, warmup_bits: 0, from_us: 0 });
const ask = JSON.stringify({ target_us: 60000000, max_events: Number.MAX_SAFE_INTEGER, budget_ms: 50, tokens: false, marks: false, panels: false, rows: false, to_end: true });
let hash = '';
report(
  'LeetCode at 10,000/s for 60 s, Run to end in the worker',
  measure(() => {
    let answer = JSON.parse(glue.worker_task(`${head('live')}\n${JSON.stringify(leetcode)}`));
    while (answer.sliced && !answer.sliced.finished) answer = JSON.parse(glue.worker_task(`${head('slice')}\n${ask}`));
    if (!answer.sliced) throw new Error(`the worker answered ${JSON.stringify(answer).slice(0, 200)}`);
    hash = answer.sliced.finished.hash;
    return answer.sliced.events;
  }),
);
console.log(`  run hash ${hash}`);
