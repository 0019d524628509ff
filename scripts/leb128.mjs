// LEB128 numbers as the wasm binary format writes them (shared by the
// post-build steps that read and rewrite wasm sections).

/// The unsigned number at `at`, and where it ends.
export function uleb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

/// `n` as unsigned LEB128 bytes.
export function encodeUleb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
