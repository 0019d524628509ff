// Shortens the names the wasm imports its JS functions by (release builds;
// run by scripts/post-build.mjs after the glue is minified and the wasm
// optimized).
//
// wasm-bindgen names each import like `__wbg_createElement_8c9931a732ee2fea`
// under the module "./crosstalk-app_bg.js", and the glue defines an object
// with the same keys: about 190 imports, whose names (with their hashes,
// which do not compress) cost ~5 KiB gzipped, once in the wasm and once in
// the JS. They become `a`, `b`, ... in both. Only the import section is
// rewritten (names do not change any index), and a name is only renamed
// when the glue defines it exactly once, so a glue this does not understand
// is left as it is.
import fs from 'node:fs';
import { uleb, encodeUleb } from './leb128.mjs';

/// `a`, `b`, ..., `Z`, `a0`, ...: short property names, never a JS keyword
/// (two letters at most before digits: none of `do`, `if`, `in` is made).
function shortName(i) {
  const first = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const rest = '0123456789';
  let name = first[i % first.length];
  i = Math.floor(i / first.length);
  while (i > 0) {
    name += rest[i % rest.length];
    i = Math.floor(i / rest.length);
  }
  return name;
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/// The import section's entries, and where the section starts and ends.
function readImports(wasm) {
  const decoder = new TextDecoder();
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, body] = uleb(wasm, at + 1);
    if (id === 2) {
      const entries = [];
      let [count, p] = uleb(wasm, body);
      while (count--) {
        let len;
        [len, p] = uleb(wasm, p);
        const module = decoder.decode(wasm.subarray(p, p + len));
        p += len;
        [len, p] = uleb(wasm, p);
        const name = decoder.decode(wasm.subarray(p, p + len));
        p += len;
        const descStart = p;
        const kind = wasm[p++];
        if (kind === 0) [, p] = uleb(wasm, p); // function: type index
        else if (kind === 1) {
          p++; // table: element type, then limits
          const [flags, q] = uleb(wasm, p);
          [, p] = uleb(wasm, q);
          if (flags & 1) [, p] = uleb(wasm, p);
        } else if (kind === 2) {
          const [flags, q] = uleb(wasm, p); // memory: limits
          [, p] = uleb(wasm, q);
          if (flags & 1) [, p] = uleb(wasm, p);
        } else if (kind === 3) p += 2; // global: type, mutability
        else throw new Error(`import of unknown kind ${kind}`);
        entries.push({ module, name, desc: wasm.subarray(descStart, p) });
      }
      return { entries, start: at, end: body + size };
    }
    at = body + size;
  }
  return null;
}

function writeImports(entries) {
  const encoder = new TextEncoder();
  const body = [...encodeUleb(entries.length)];
  for (const e of entries) {
    for (const s of [e.module, e.name]) {
      const bytes = encoder.encode(s);
      body.push(...encodeUleb(bytes.length), ...bytes);
    }
    body.push(...e.desc);
  }
  return Uint8Array.from([2, ...encodeUleb(body.length), ...body]);
}

/// Renames the imports of `wasmFile` and the glue's keys in `jsFile`.
/// Returns the bytes saved (raw).
export function shrinkImports(wasmFile, jsFile) {
  const wasm = fs.readFileSync(wasmFile);
  let js = fs.readFileSync(jsFile, 'utf8');
  const imports = readImports(wasm);
  if (!imports) return 0;
  const before = wasm.length + js.length;

  // The module: a quoted key of the glue's imports object.
  const modules = [...new Set(imports.entries.map((e) => e.module))];
  const newModule = new Map();
  modules.forEach((m, i) => {
    const key = new RegExp(`(["'])${escape(m)}\\1:`, 'g');
    const found = js.match(key);
    if (found && found.length === 1 && js.split(m).length === 2) {
      const short = `m${i}`;
      js = js.replace(key, `${short}:`);
      newModule.set(m, short);
    }
  });
  let next = 0;
  for (const e of imports.entries) {
    if (!newModule.has(e.module)) continue;
    // An object key: after `{` or `,`, maybe quoted, before `:`.
    const key = new RegExp(`([{,])(["']?)${escape(e.name)}\\2:`, 'g');
    const found = js.match(key);
    if (found && found.length === 1 && !new RegExp(`\\b${escape(e.name)}\\b`).test(js.replace(key, ''))) {
      const short = shortName(next++);
      js = js.replace(key, `$1${short}:`);
      e.name = short;
    }
    e.module = newModule.get(e.module);
  }
  const section = writeImports(imports.entries);
  const out = Buffer.concat([wasm.subarray(0, imports.start), section, wasm.subarray(imports.end)]);
  fs.writeFileSync(wasmFile, out);
  fs.writeFileSync(jsFile, js);
  return before - out.length - js.length;
}
