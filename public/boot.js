// Starts the app. A separate file (not Trunk's inline script) so the
// Content-Security-Policy can allow only the app's own scripts: index.html's
// policy has no 'unsafe-inline'. Trunk passes the hashed file names in the
// query string (see `pattern_script` in Trunk.toml).
const here = new URL(import.meta.url);
const js = new URL(here.searchParams.get("js"), here);
const wasm = new URL(here.searchParams.get("wasm"), here);
// Where the app's Web Workers start (public/worker.js, src/app/pool.rs).
window.crosstalkWorker = new URL(`worker.js?js=${encodeURIComponent(js.href)}&wasm=${encodeURIComponent(wasm.href)}`, here).href;
const bindings = await import(js.href);
await bindings.default({ module_or_path: wasm.href });
// The exported functions (the engine benchmark among them) for tests.
window.crosstalk = bindings;
