// Joins the page's stylesheets into the first one (release builds; run by
// scripts/post-build.mjs). gzip compresses one file better than three (the
// files share selectors and custom properties), and the page makes fewer
// requests. Stylesheets are joined in document order, so the cascade is the
// same. Only `<link href=... integrity=... rel=stylesheet>` tags as Trunk
// writes them are joined; anything else is left alone.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const sri = (bytes) => 'sha384-' + crypto.createHash('sha384').update(bytes).digest('base64');

/// Returns how many stylesheets were joined into the first.
export function joinCss(dir) {
  const html = path.join(dir, 'index.html');
  let page = fs.readFileSync(html, 'utf8');
  const tag = /<link href=\/?([\w.-]+\.css) integrity=(sha384-[\w+/=]+) rel=stylesheet>/g;
  const links = [...page.matchAll(tag)].filter((m) => fs.existsSync(path.join(dir, m[1])));
  if (links.length < 2) return 0;
  const [first, ...rest] = links;
  const css = links.map((m) => fs.readFileSync(path.join(dir, m[1]), 'utf8')).join('\n');
  fs.writeFileSync(path.join(dir, first[1]), css);
  page = page.replace(first[2], sri(css));
  for (const m of rest) {
    page = page.replace(m[0], '');
    fs.rmSync(path.join(dir, m[1]));
  }
  fs.writeFileSync(html, page);
  return rest.length;
}
