#!/usr/bin/env node
// Where the download's bytes go (the bench's first section, or alone):
//
//   trunk build --release --offline && node scripts/size-report.mjs [--dist DIR] [--top N]
//
// 1. dist/ file by file, raw and gzipped (level 9), and the total against
//    the budget (the sum of the gzipped files);
// 2. with twiggy (`cargo install twiggy`), the wasm's code and data by
//    crate, by module of this crate, and its largest functions. Release
//    wasm carries no names, so the build's wasm-bindgen output (Trunk keeps
//    it in target/wasm-bindgen/release/) is optimized again like the build
//    does (wasm-opt at the build's level, scripts/order-functions.mjs) but keeping names: the
//    sizes match dist/'s wasm within 1%.
//    Without twiggy this part is skipped with a note: it is a report tool,
//    not a test, and compiling it takes minutes, so nothing installs it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { WASM_OPT_LEVEL } from './order-functions.mjs';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUDGET_KIB = 450;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

/// Bytes of `gzip -9c FILE`, the budget's measure (GNU gzip; without it,
/// node's zlib at level 9, which differs by a fraction of a percent).
function gzipped(file, raw) {
  try {
    return execFileSync('gzip', ['-9c', file], { maxBuffer: 1 << 28 }).length;
  } catch {
    return zlib.gzipSync(raw, { level: 9 }).length;
  }
}

function distRows(dist) {
  const rows = [];
  const walk = (dir) => {
    for (const name of fs.readdirSync(dir)) {
      const p = path.join(dir, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else {
        const raw = fs.readFileSync(p);
        rows.push({ file: path.relative(dist, p), raw: raw.length, gz: gzipped(p, raw) });
      }
    }
  };
  walk(dist);
  return rows.sort((a, b) => b.gz - a.gz);
}

/// A tool on PATH, in ~/.cargo/bin or in node_modules/binaryen/bin.
function tool(name) {
  const dirs = [...(process.env.PATH || '').split(path.delimiter), path.join(os.homedir(), '.cargo/bin'), path.join(root, 'node_modules/binaryen/bin')];
  return dirs.map((d) => path.join(d, name)).find((p) => fs.existsSync(p));
}

/// The crate an item's code belongs to: the first path segment, with
/// `<T as Trait>` impls and `drop_in_place<...>` read as their own crate.
function crateOf(name) {
  if (name.startsWith('data segment')) return '(data: strings, tables, lessons)';
  if (name.startsWith('import ') || name.startsWith('export ') || /^(type|table|elem|code)\[/.test(name)) return '(wasm tables, imports, exports)';
  // `<T as tachys::view::Render>::build` is the trait's code.
  const generic = name.match(/^<&?(?:mut )?[A-Z][A-Za-z0-9]? as ([A-Za-z_][A-Za-z0-9_]*)/);
  if (generic) return generic[1];
  const m = name.replace(/^[<&*\s]+(mut |dyn |const )?/, '').match(/^([A-Za-z_][A-Za-z0-9_]*)/);
  return m ? m[1] : '(other)';
}

/// `crosstalk::app::lessons::...` -> `app::lessons`; the engine's crate
/// (`crosstalk_engine::engine::sim::...` -> `engine::sim`) counts as this crate's.
function moduleOf(name) {
  const m = name.match(/^<?crosstalk(?:_engine)?::([a-z_0-9]+)(?:::([a-z_0-9]+))?/);
  return m ? (m[2] && !m[2].startsWith('_') ? `${m[1]}::${m[2]}` : m[1]) : null;
}

function csvRows(text) {
  // twiggy's CSV: Name,ShallowSize,... with names quoted when needed.
  const rows = [];
  for (const line of text.split('\n').slice(1)) {
    if (!line) continue;
    let name;
    let rest;
    if (line.startsWith('"')) {
      let i = 1;
      name = '';
      for (; i < line.length; i++) {
        if (line[i] === '"' && line[i + 1] === '"') {
          name += '"';
          i++;
        } else if (line[i] === '"') break;
        else name += line[i];
      }
      rest = line.slice(i + 2);
    } else {
      const c = line.indexOf(',');
      name = line.slice(0, c);
      rest = line.slice(c + 1);
    }
    rows.push({ name, size: Number(rest.split(',')[0]) });
  }
  return rows;
}

function table(title, entries, total, top) {
  console.log(`   ${title}`);
  for (const [k, v] of entries.slice(0, top)) console.log(`     ${kib(v).padStart(10)} ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k.length > 110 ? `${k.slice(0, 107)}...` : k}`);
}

function twiggyReport(top) {
  const twiggy = tool('twiggy');
  if (!twiggy) {
    console.log('   (twiggy is not installed: `cargo install twiggy` for the report by crate and function)');
    return;
  }
  const bindgen = path.join(root, 'target/wasm-bindgen/release');
  const input = fs.existsSync(bindgen) && fs.readdirSync(bindgen).find((f) => f.endsWith('_bg.wasm'));
  const wasmOpt = tool('wasm-opt');
  if (!input || !wasmOpt) {
    console.log(`   (no ${input ? 'wasm-opt' : 'wasm-bindgen output in target/wasm-bindgen/release: run trunk build --release'}; skipping the report by crate)`);
    return;
  }
  const out = path.join(root, 'target/size-report');
  fs.mkdirSync(out, { recursive: true });
  const named = path.join(out, 'named.wasm');
  const features = ['bulk-memory', 'nontrapping-float-to-int', 'sign-ext', 'mutable-globals', 'reference-types', 'multivalue'].map((f) => `--enable-${f}`);
  execFileSync(wasmOpt, [...WASM_OPT_LEVEL, '-g', ...features, path.join(bindgen, input), '-o', named], { stdio: 'ignore' });
  const rows = csvRows(execFileSync(twiggy, ['top', '-n', '1000000', '--format', 'csv', named], { encoding: 'utf8', maxBuffer: 1 << 28 }))
    .filter((r) => !/function names|data names|custom section|local names|"names"/.test(r.name));
  const total = rows.reduce((s, r) => s + r.size, 0);
  console.log(`   wasm by twiggy (${path.relative(root, named)}: wasm-opt ${WASM_OPT_LEVEL.join(' ')} of the build, names kept): ${kib(total)} without names`);
  const sum = (key) => {
    const m = new Map();
    for (const r of rows) {
      const k = key(r.name);
      if (k) m.set(k, (m.get(k) || 0) + r.size);
    }
    return [...m].sort((a, b) => b[1] - a[1]);
  };
  table('by crate (generic code counts for the crate that defines it):', sum(crateOf), total, top);
  table('crosstalk by module:', sum(moduleOf), total, top);
  table('largest items:', rows.map((r) => [r.name.replace(/::h[0-9a-f]{16}$/, ''), r.size]), total, top + 5);
}

/// Prints the report; returns the gzipped total of dist/ in bytes.
export function sizeReport({ dist = path.join(root, 'dist'), top = 15 } = {}) {
  console.log('1. dist/ gzipped (gzip -9c of each file)');
  const rows = distRows(dist);
  for (const r of rows) console.log(`   ${r.file.padEnd(48)} ${kib(r.raw).padStart(11)} ${kib(r.gz).padStart(11)}`);
  const total = rows.reduce((s, r) => s + r.gz, 0);
  const raw = rows.reduce((s, r) => s + r.raw, 0);
  console.log(`   ${'total'.padEnd(48)} ${kib(raw).padStart(11)} ${kib(total).padStart(11)}   budget ${BUDGET_KIB} KiB: ${total <= BUDGET_KIB * 1024 ? 'within' : 'OVER'}`);
  try {
    twiggyReport(top);
  } catch (e) {
    console.log(`   (the report by crate failed: ${e.message.split('\n')[0]})`);
  }
  console.log('');
  return total;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  sizeReport({ dist: at('--dist') ? path.resolve(at('--dist')) : undefined, top: Number(at('--top') || 15) });
}
