#!/usr/bin/env node
// Trunk's post_build hook (Trunk.toml), release builds. Trunk runs the hooks
// of a stage at the same time and these steps rewrite the same files, so
// one hook runs them in turn:
//   1. minify wasm-bindgen's JS glue (minify-glue.mjs);
//   2. optimize the wasm, functions in an order gzip likes (order-functions.mjs;
//      index.html sets data-wasm-opt="0" so Trunk leaves this to us);
//   3. give the wasm's imports short names (shrink-imports.mjs);
//   4. join the stylesheets into one (join-css.mjs);
// then pin the new files' hashes in index.html (Subresource Integrity).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { orderAndOptimize } from './order-functions.mjs';
import { shrinkImports } from './shrink-imports.mjs';
import { joinCss } from './join-css.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
execFileSync(process.execPath, [path.join(here, 'minify-glue.mjs')], { stdio: 'inherit' });

const dir = process.env.TRUNK_STAGING_DIR;
if (dir && process.env.TRUNK_PROFILE === 'release') {
  const files = fs.readdirSync(dir);
  const wasms = files.filter((f) => /^crosstalk-app-[0-9a-f]+_bg\.wasm$/.test(f));
  const glues = files.filter((f) => /^crosstalk-app-[0-9a-f]+\.js$/.test(f));
  if (wasms.length !== 1 || glues.length !== 1) {
    console.error(`post-build: expected one crosstalk-app wasm and glue in ${dir}`);
    process.exit(1);
  }
  const wasm = path.join(dir, wasms[0]);
  const glue = path.join(dir, glues[0]);
  const sri = (file) => 'sha384-' + crypto.createHash('sha384').update(fs.readFileSync(file)).digest('base64');
  const before = [sri(wasm), sri(glue)];
  const raw = fs.statSync(wasm).size;

  // The wasm-opt Trunk would use: env.sh puts npm's binaryen first on PATH.
  const wasmOpt = [...(process.env.PATH || '').split(path.delimiter), path.join(here, '../node_modules/binaryen/bin')]
    .map((d) => path.join(d, 'wasm-opt'))
    .find((p) => fs.existsSync(p));
  if (!wasmOpt) {
    console.error('post-build: no wasm-opt on PATH (source scripts/env.sh; npm install)');
    process.exit(1);
  }
  orderAndOptimize(wasm, wasmOpt);
  console.log(`order-functions: ${wasms[0]} ${raw} -> ${fs.statSync(wasm).size} bytes (wasm-opt -Oz, functions ranked)`);
  const saved = shrinkImports(wasm, glue);
  console.log(`shrink-imports: short import names save ${saved} bytes`);

  const html = path.join(dir, 'index.html');
  let page = fs.readFileSync(html, 'utf8');
  for (const [from, to] of [
    [before[0], sri(wasm)],
    [before[1], sri(glue)],
  ]) {
    if (page.includes(from)) page = page.split(from).join(to);
    else if (page.includes('integrity=')) {
      console.error('post-build: index.html pins a hash this step cannot update');
      process.exit(1);
    }
  }
  fs.writeFileSync(html, page);
  console.log(`join-css: ${joinCss(dir)} stylesheet(s) joined into the first`);
}
