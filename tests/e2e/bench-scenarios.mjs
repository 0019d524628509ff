// Scenarios the benchmarks (bench.mjs) and the profiler
// (scripts/browser-profile.mjs) share, so both measure the same thing.

/**
 * `n` clients around one API, 12.5 requests a second each, over links that
 * take two seconds each way: 40 clients draw about 1000 tokens, 200 about
 * 5000 (messages leaving a link within 150 ms of each other share a token).
 */
export function tokenFlood(n) {
  const clients = Array.from({ length: n }, (_, i) => {
    const a = (i / n) * 2 * Math.PI;
    return { id: `c${i}`, kind: 'client', label: `Users ${i + 1}`, x: Math.round(600 + 380 * Math.cos(a)), y: Math.round(400 + 300 * Math.sin(a)), rate_per_s: 12.5, arrival: 'uniform' };
  });
  return {
    crosstalk: 1,
    name: 'Token flood',
    seed: 1,
    duration_ms: 600000,
    nodes: [...clients, { id: 'api', kind: 'service', label: 'API', x: 600, y: 400, workers: 200, work_ms: 5 }],
    links: clients.map((c, i) => ({ id: `l${i}`, from: c.id, to: 'api', via: 'http', latency_ms: 2000 })),
  };
}

/** 400 nodes and 300 links: 100 chains of client, service, queue, worker. */
export function bigDiagram() {
  const nodes = [];
  const links = [];
  for (let i = 0; i < 100; i++) {
    const y = i * 60;
    nodes.push({ id: `c${i}`, kind: 'client', x: 0, y, rate_per_s: 20 });
    nodes.push({ id: `s${i}`, kind: 'service', x: 250, y, workers: 4, work_ms: { exp: 20 } });
    nodes.push({ id: `q${i}`, kind: 'queue', x: 500, y });
    nodes.push({ id: `w${i}`, kind: 'service', x: 750, y, workers: 2, work_ms: { exp: 30 } });
    links.push({ id: `a${i}`, from: `c${i}`, to: `s${i}`, via: 'http', timeout_ms: 1000 });
    links.push({ id: `b${i}`, from: `s${i}`, to: `q${i}`, via: 'enqueue' });
    links.push({ id: `d${i}`, from: `q${i}`, to: `w${i}`, via: 'consume' });
  }
  return { crosstalk: 1, name: 'Big', seed: 1, duration_ms: 60000, nodes, links };
}
