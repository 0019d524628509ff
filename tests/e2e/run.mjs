#!/usr/bin/env node
// Runs the browser end-to-end tests against a built dist/ folder.
//
//   trunk build --release --offline && node tests/e2e/run.mjs [--dist DIR] [filter]
//
// Serves dist/ on a free localhost port, launches Debian's Chromium through
// playwright-core, runs every `tests/e2e/*.test.mjs` (each exports
// `tests = [{ name, run }]`), prints a line per test (with the step that
// failed), keeps screenshots in tests/e2e/out/, and exits non-zero on any
// failure. A test may skip itself with a reason (e.g. the runner binary is
// not built yet); skips never fail the run.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './serve.mjs';
import { launch, App } from './app.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = process.argv.slice(2);
let dist = path.join(root, 'dist');
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--dist') dist = path.resolve(args[++i]);
  else filters.push(args[i]);
}
const outDir = path.join(here, 'out');
fs.mkdirSync(outDir, { recursive: true });

if (!fs.existsSync(path.join(dist, 'index.html'))) {
  console.error(`No ${path.relative(root, dist)}/index.html: build first with \`trunk build --release --offline\`.`);
  process.exit(2);
}

class Skip extends Error {}

const files = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.test.mjs'))
  .sort();

const server = await serve(dist);
const browser = await launch();
const results = { pass: 0, fail: 0, skip: 0 };
const started = Date.now();

for (const file of files) {
  const mod = await import(path.join(here, file));
  for (const test of mod.tests || []) {
    const full = `${file.replace('.test.mjs', '')} › ${test.name}`;
    if (filters.length && !filters.some((f) => full.includes(f))) continue;
    const context = await browser.newContext({
      viewport: test.viewport || { width: 1440, height: 900 },
      colorScheme: test.colorScheme || 'light',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      const text = m.text();
      if (m.type() === 'error' && /panicked|RuntimeError|unreachable/.test(text)) problems.push(`console: ${text.slice(0, 400)}`);
    });
    let step = 'start';
    let shots = 0;
    const slug = full.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    const t = {
      page,
      context,
      browser,
      baseUrl: server.url,
      root,
      app: new App(page, server.url),
      outDir,
      step: (name) => {
        step = name;
      },
      shot: async (name, p = page) => {
        shots += 1;
        await p.screenshot({ path: path.join(outDir, `${slug}-${String(shots).padStart(2, '0')}-${name}.png`) });
      },
      skip: (why) => {
        throw new Skip(why);
      },
    };
    const t0 = Date.now();
    try {
      await test.run(t);
      if (problems.length) throw new Error(problems.join('\n'));
      results.pass += 1;
      console.log(`  \u2713 ${full} (${Date.now() - t0} ms)`);
    } catch (e) {
      if (e instanceof Skip) {
        results.skip += 1;
        console.log(`  - ${full}: skipped: ${e.message}`);
      } else {
        results.fail += 1;
        console.log(`  \u2717 ${full}\n      at step: ${step}\n      ${String(e && e.stack ? e.message : e).split('\n').join('\n      ')}`);
        try {
          await page.screenshot({ path: path.join(outDir, `${slug}-FAILED.png`) });
        } catch {}
      }
    }
    await context.close();
  }
}

await browser.close();
await server.close();
const secs = ((Date.now() - started) / 1000).toFixed(1);
console.log(`\n${results.pass} passed, ${results.fail} failed, ${results.skip} skipped in ${secs} s (screenshots in ${path.relative(root, outDir)}/)`);
process.exit(results.fail ? 1 : 0);
