// Optimizes the wasm (wasm-opt -O1 twice, see below) with its functions in
// an order gzip likes (release builds; run by scripts/post-build.mjs).
//
// gzip only finds repeats within 32 KiB, and the wasm is full of look-alike
// functions: the copies of one generic function for different types (every
// `Vec<T>::push`, every view's `build`). wasm-opt can sort functions by name
// (`--reorder-functions-by-name`), which puts the copies of one generic
// function next to each other; this step first renames every function to
// its rank by (name without its hash, size), so copies of similar size sit
// side by side, then lets wasm-opt sort and optimize in one run. The names
// are not kept in the output. Measured on the wasm gzipped: -Oz alone
// 580.4 KiB, sorted by plain name 560.9 KiB, ranked like this 558.4 KiB.
import fs from 'node:fs';
import { uleb, encodeUleb } from './leb128.mjs';
import { execFileSync } from 'node:child_process';

/// Sections as { id, start, body, end }.
function sections(wasm) {
  const out = [];
  let at = 8;
  while (at < wasm.length) {
    const [size, body] = uleb(wasm, at + 1);
    out.push({ id: wasm[at], start: at, body, end: body + size });
    at = body + size;
  }
  return out;
}

/// Imported functions come first in the function index space.
function importedFunctions(wasm, section) {
  let n = 0;
  let [count, p] = uleb(wasm, section.body);
  while (count--) {
    let len;
    [len, p] = uleb(wasm, p);
    p += len;
    [len, p] = uleb(wasm, p);
    p += len;
    const kind = wasm[p++];
    if (kind === 0) {
      [, p] = uleb(wasm, p);
      n++;
    } else if (kind === 1) {
      p++;
      const [flags, q] = uleb(wasm, p);
      [, p] = uleb(wasm, q);
      if (flags & 1) [, p] = uleb(wasm, p);
    } else if (kind === 2) {
      const [flags, q] = uleb(wasm, p);
      [, p] = uleb(wasm, q);
      if (flags & 1) [, p] = uleb(wasm, p);
    } else if (kind === 3) p += 2;
    else throw new Error(`import of unknown kind ${kind}`);
  }
  return n;
}

/// Whether the wasm has a name section (wasm-opt has not stripped it yet).
export function hasNames(wasm) {
  const decoder = new TextDecoder();
  return sections(wasm).some((s) => {
    if (s.id !== 0) return false;
    const [len, p] = uleb(wasm, s.body);
    return decoder.decode(wasm.subarray(p, p + len)) === 'name';
  });
}

/// The wasm with its function names replaced by zero-padded ranks, or null
/// when it has no names to rank by.
export function rankNames(wasm) {
  const secs = sections(wasm);
  const imports = secs.find((s) => s.id === 2);
  const code = secs.find((s) => s.id === 10);
  const decoder = new TextDecoder();
  const nameSection = secs.find((s) => {
    if (s.id !== 0) return false;
    const [len, p] = uleb(wasm, s.body);
    return decoder.decode(wasm.subarray(p, p + len)) === 'name';
  });
  if (!code || !nameSection) return null;
  const first = imports ? importedFunctions(wasm, imports) : 0;

  const sizes = [];
  let [count, p] = uleb(wasm, code.body);
  while (count--) {
    const [size, q] = uleb(wasm, p);
    sizes.push(size);
    p = q + size;
  }
  const names = new Map();
  let [len, q] = uleb(wasm, nameSection.body);
  q += len;
  while (q < nameSection.end) {
    const sub = wasm[q];
    const [size, start] = uleb(wasm, q + 1);
    if (sub === 1) {
      let [n, r] = uleb(wasm, start);
      while (n--) {
        let index;
        [index, r] = uleb(wasm, r);
        [len, r] = uleb(wasm, r);
        names.set(index, decoder.decode(wasm.subarray(r, r + len)));
        r += len;
      }
    }
    q = start + size;
  }
  const key = (i) => (names.get(first + i) || '').replace(/::h[0-9a-f]{16}$/, '').replace(/\[[0-9a-f]+\]/g, '');
  const order = sizes.map((_, i) => i).sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : sizes[a] - sizes[b] || a - b;
  });
  const width = String(order.length).length;
  const ranked = order.map((fn, rank) => [first + fn, String(rank).padStart(width, '0')]).sort((a, b) => a[0] - b[0]);

  const encoder = new TextEncoder();
  const entries = [...encodeUleb(ranked.length)];
  for (const [index, name] of ranked) entries.push(...encodeUleb(index), ...encodeUleb(name.length), ...encoder.encode(name));
  const payload = [...encodeUleb(4), ...encoder.encode('name'), 1, ...encodeUleb(entries.length), ...entries];
  const section = Uint8Array.from([0, ...encodeUleb(payload.length), ...payload]);
  return Buffer.concat([wasm.subarray(0, nameSection.start), wasm.subarray(nameSection.end), section]);
}

/// Ranks the names of `wasmFile` and optimizes it in place with `wasmOpt`.
/** The optimization passes, for the build and for the size report's named
 * copy alike. -O1 twice, not -Oz: LLVM already optimized the code (for
 * size, the engine for speed); -Oz's further shrinking leaves code gzip
 * packs less well. Measured on the same build: -Oz 872,605 bytes gzipped,
 * -Os 871,025, -O1 869,812, -O1 -O1 869,301, engine speed the same
 * (docs/SIZE.md, "Session 18"). CROSSTALK_WASM_OPT overrides it for such
 * experiments. */
export const WASM_OPT_LEVEL = (process.env.CROSSTALK_WASM_OPT || '-O1 -O1').split(' ');

export function orderAndOptimize(wasmFile, wasmOpt) {
  const ranked = rankNames(fs.readFileSync(wasmFile));
  const input = `${wasmFile}.ranked`;
  fs.writeFileSync(input, ranked ?? fs.readFileSync(wasmFile));
  try {
    // --low-memory-unused: Rust's data starts at 1 MiB with the stack below
    // it, so the first KiB is never addressed and wasm-opt may fold constant
    // offsets into loads and stores (as Emscripten does): 3 KiB less.
    const passes = [...WASM_OPT_LEVEL, '--low-memory-unused', '--reorder-functions-by-name', '--strip-producers', '--strip-target-features'];
    execFileSync(wasmOpt, [...passes, input, '-o', wasmFile], { stdio: 'inherit' });
  } finally {
    fs.rmSync(input, { force: true });
  }
}
