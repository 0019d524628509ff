// A Web Worker that runs the engine (replications, Run to end): it loads
// the page's own wasm and glue (the same files, from the browser's cache)
// and answers each task with the exported `worker_task` (src/app/pool.rs).
// The page creates it as `worker.js?js=<glue>&wasm=<wasm>` (see boot.js).
const here = new URL(import.meta.url);
const js = new URL(here.searchParams.get('js'), here);
const wasm = new URL(here.searchParams.get('wasm'), here);
const ready = import(js.href).then(async (bindings) => {
  await bindings.default({ module_or_path: wasm.href });
  return bindings;
});
self.onmessage = async (event) => {
  let answer;
  try {
    answer = (await ready).worker_task(event.data);
  } catch (e) {
    // A trap (a panic, out of memory) leaves the instance unusable: say so
    // and stop; the page reports it and keeps working.
    self.postMessage(`died:${e && e.message ? e.message : e}`);
    self.close();
    return;
  }
  self.postMessage(answer);
};
