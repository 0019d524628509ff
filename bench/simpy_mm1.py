#!/usr/bin/env python3
"""M/M/1 queue in SimPy: the reference point for `crosstalk bench`.

The same model as the engine benchmark: one Poisson source (rate
--arrival-rate-per-s, default 900/s), one server with exponential service
times (mean --service-ms, default 1 ms, so rho = 0.9), FIFO, infinite queue,
--customers customers (default 1,000,000). Time unit: milliseconds.

Prints one JSON line:
  {"customers", "events", "wall_s", "events_per_s", "mean_wait_ms", ...}

What "events" counts: the model's discrete events, three per customer --
its arrival, its service start and its departure -- each counted when it
happens in the run (not computed as 3 * customers). That is the unit the
engine's benchmark counts. SimPy itself schedules more events than that
(the process start, the resource request and release, the timeouts, the
process end...); their number is reported separately as "simpy_events"
(every event SimPy scheduled, all of which it processed since the run
drains the queue), and is not used for events_per_s.

wall_s covers env.run() only: not the Python start-up, imports or set-up.
mean_wait_ms is the mean time in queue (arrival to service start), to check
against M/M/1 theory: Wq = rho / (mu - lambda).
"""

import argparse
import json
import random
import sys
import time

import simpy


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--arrival-rate-per-s", type=float, default=900.0)
    p.add_argument("--service-ms", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    if a.customers <= 0 or a.arrival_rate_per_s <= 0 or a.service_ms <= 0:
        print("simpy_mm1: --customers, --arrival-rate-per-s and --service-ms must be > 0", file=sys.stderr)
        return 2

    lam = a.arrival_rate_per_s / 1000.0  # arrivals per ms
    mu = 1.0 / a.service_ms  # services per ms
    rng = random.Random(a.seed)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    counts = {"arrivals": 0, "starts": 0, "departures": 0}
    total_wait = 0.0

    def customer(env, server):
        nonlocal total_wait
        arrived = env.now
        counts["arrivals"] += 1
        with server.request() as req:
            yield req
            counts["starts"] += 1
            total_wait += env.now - arrived
            yield env.timeout(rng.expovariate(mu))
        counts["departures"] += 1

    def source(env, server, n):
        for _ in range(n):
            yield env.timeout(rng.expovariate(lam))
            env.process(customer(env, server))

    env.process(source(env, server, a.customers))
    t0 = time.perf_counter()
    env.run()  # until no event is left: every customer has departed
    wall = time.perf_counter() - t0

    assert counts["departures"] == a.customers, counts
    events = counts["arrivals"] + counts["starts"] + counts["departures"]
    simpy_events = next(env._eid)  # events SimPy scheduled (= processed here)
    rho = lam / mu
    out = {
        "customers": a.customers,
        "events": events,
        "wall_s": round(wall, 6),
        "events_per_s": round(events / wall, 1),
        "mean_wait_ms": round(total_wait / a.customers, 6),
        "theory_wait_ms": round(rho / (mu - lam), 6) if rho < 1 else None,
        "simpy_events": simpy_events,
        "sim_time_ms": round(env.now, 3),
        "seed": a.seed,
        "simpy_version": simpy.__version__,
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
