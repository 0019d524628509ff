#!/usr/bin/env node
// Trunk's post_build hook (Trunk.toml). Trunk runs the hooks of a stage at
// the same time, and both steps rewrite the glue and index.html, so one
// hook runs them in turn: the glue is minified (minify-glue.mjs), then the
// imports get short names (shrink-imports.mjs). Release builds only.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { shrinkImports } from './shrink-imports.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
execFileSync(process.execPath, [path.join(here, 'minify-glue.mjs')], { stdio: 'inherit' });

const dir = process.env.TRUNK_STAGING_DIR;
if (dir && process.env.TRUNK_PROFILE === 'release') {
  const files = fs.readdirSync(dir);
  const wasm = files.filter((f) => /^crosstalk-app-[0-9a-f]+_bg\.wasm$/.test(f));
  const js = files.filter((f) => /^crosstalk-app-[0-9a-f]+\.js$/.test(f));
  if (wasm.length !== 1 || js.length !== 1) {
    console.error(`post-build: expected one crosstalk-app wasm and glue in ${dir}`);
    process.exit(1);
  }
  const saved = shrinkImports(path.join(dir, wasm[0]), path.join(dir, js[0]), path.join(dir, 'index.html'));
  console.log(`shrink-imports: short import names save ${saved} bytes`);
}
