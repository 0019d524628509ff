#!/usr/bin/env node
// Trunk post_build hook (Trunk.toml): minifies wasm-bindgen's JS glue in
// release builds. Trunk's own JS minifier gives up on the glue (it cannot
// parse `export { __wbg_init as default }`), and the unminified glue costs
// about 2 KiB gzipped of the 400 KiB budget. The glue's name keeps its hash;
// its `integrity` attribute in index.html is recomputed so Subresource
// Integrity still holds.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { minify } from 'terser';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('minify-glue: TRUNK_STAGING_DIR is not set (run me from a Trunk hook)');
  process.exit(1);
}
if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);

const html = path.join(dir, 'index.html');
let page = fs.readFileSync(html, 'utf8');
const glue = fs.readdirSync(dir).filter((f) => /^crosstalk-app-[0-9a-f]+\.js$/.test(f));
if (glue.length !== 1) {
  console.error(`minify-glue: expected one crosstalk-app-*.js in ${dir}, found ${glue.length}`);
  process.exit(1);
}
const file = path.join(dir, glue[0]);
const source = fs.readFileSync(file, 'utf8');
const out = await minify(source, { module: true, compress: true, mangle: true });
fs.writeFileSync(file, out.code);

const sri = (text) => 'sha384-' + crypto.createHash('sha384').update(text).digest('base64');
const before = sri(source);
if (page.includes(before)) {
  page = page.split(before).join(sri(out.code));
  fs.writeFileSync(html, page);
} else if (page.includes('integrity=')) {
  // The page pins hashes but not this one: better no build than a page
  // whose browser refuses its own script.
  console.error(`minify-glue: no integrity hash for ${glue[0]} in index.html to update`);
  process.exit(1);
}
console.log(`minify-glue: ${glue[0]} ${source.length} -> ${out.code.length} bytes`);

// The other scripts the page loads: wasm-bindgen's snippets (pinned in
// index.html like the glue) and public/boot.js, public/worker.js (copied
// as written, comments and all). Minified the same way: ~0.6 KiB gzipped.
const others = ['boot.js', 'worker.js'].filter((f) => fs.existsSync(path.join(dir, f)));
const snippets = path.join(dir, 'snippets');
const walk = (d) =>
  fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
if (fs.existsSync(snippets)) others.push(...walk(snippets).filter((f) => f.endsWith('.js')).map((f) => path.relative(dir, f)));
for (const name of others) {
  const f = path.join(dir, name);
  const text = fs.readFileSync(f, 'utf8');
  const small = (await minify(text, { module: true, compress: true, mangle: true })).code;
  if (page.includes(sri(text))) page = page.split(sri(text)).join(sri(small));
  fs.writeFileSync(f, small);
  console.log(`minify-glue: ${name} ${text.length} -> ${small.length} bytes`);
}
fs.writeFileSync(html, page);
