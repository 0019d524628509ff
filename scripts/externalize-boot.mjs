// Trunk post-build hook: moves the inline boot <script> Trunk writes into
// index.html into its own file, so the page's Content-Security-Policy can
// allow only the app's own scripts ('self') and its wasm ('wasm-unsafe-eval')
// with no inline script at all.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("externalize-boot: TRUNK_STAGING_DIR is not set (run me as a Trunk hook)");
  process.exit(1);
}
const page = join(dir, "index.html");
let html = readFileSync(page, "utf8");
let moved = 0;
html = html.replace(/<script([^>]*)>([\s\S]*?)<\/script>/g, (whole, attrs, body) => {
  if (/\bsrc\s*=/.test(attrs) || body.trim() === "") return whole;
  const name = `boot-${createHash("sha256").update(body).digest("hex").slice(0, 16)}.js`;
  writeFileSync(join(dir, name), body.trim() + "\n");
  moved += 1;
  return `<script${attrs} src="./${name}"></script>`;
});
writeFileSync(page, html);
console.log(`externalize-boot: moved ${moved} inline script(s) out of index.html`);
