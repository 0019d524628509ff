#!/usr/bin/env node
// Trunk's post_build hook (Trunk.toml), release builds. Trunk runs the hooks
// of a stage at the same time and these steps rewrite the same files, so
// one hook runs them in turn:
//   1. minify wasm-bindgen's JS glue (minify-glue.mjs);
//   2. optimize each wasm Trunk left unoptimized (index.html sets
//      data-wasm-opt="0"), functions in an order gzip likes
//      (order-functions.mjs);
//   3. give each wasm's imports short names, in it and its glue
//      (shrink-imports.mjs), and pin the new hashes in index.html;
//   4. join the stylesheets into one (join-css.mjs).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hasNames, orderAndOptimize } from './order-functions.mjs';
import { shrinkImports } from './shrink-imports.mjs';
import { joinCss } from './join-css.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
execFileSync(process.execPath, [path.join(here, 'minify-glue.mjs')], { stdio: 'inherit' });

const dir = process.env.TRUNK_STAGING_DIR;
if (dir && process.env.TRUNK_PROFILE === 'release') {
  const files = fs.readdirSync(dir);
  const sri = (file) => 'sha384-' + crypto.createHash('sha384').update(fs.readFileSync(file)).digest('base64');
  // The wasm-opt Trunk would use: env.sh puts npm's binaryen first on PATH.
  const wasmOpt = [...(process.env.PATH || '').split(path.delimiter), path.join(here, '../node_modules/binaryen/bin')]
    .map((d) => path.join(d, 'wasm-opt'))
    .find((p) => fs.existsSync(p));
  const html = path.join(dir, 'index.html');
  let page = fs.readFileSync(html, 'utf8');
  // A file the page pins (Subresource Integrity) gets its new hash.
  const pin = (file, before) => {
    page = page.split(before).join(sri(file));
  };
  // Every wasm-bindgen output X_bg.wasm with its glue X.js. A wasm that
  // still has names is one Trunk did not optimize (data-wasm-opt="0").
  for (const name of files.filter((f) => f.endsWith('_bg.wasm'))) {
    const wasm = path.join(dir, name);
    const glue = path.join(dir, name.replace(/_bg\.wasm$/, '.js'));
    const before = [sri(wasm), fs.existsSync(glue) ? sri(glue) : null];
    const raw = fs.statSync(wasm).size;
    if (hasNames(fs.readFileSync(wasm))) {
      if (!wasmOpt) {
        console.error('post-build: no wasm-opt on PATH (source scripts/env.sh; npm install)');
        process.exit(1);
      }
      orderAndOptimize(wasm, wasmOpt);
      console.log(`order-functions: ${name} ${raw} -> ${fs.statSync(wasm).size} bytes (wasm-opt, functions ranked)`);
    }
    if (before[1]) {
      console.log(`shrink-imports: short import names save ${shrinkImports(wasm, glue)} bytes`);
      pin(glue, before[1]);
    }
    pin(wasm, before[0]);
  }
  fs.writeFileSync(html, page);
  console.log(`join-css: ${joinCss(dir)} stylesheet(s) joined into the first`);
}
