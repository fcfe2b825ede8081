/**
 * A load generator job on a `queuelab worker` (runner/cluster/loadgen.ts enqueues them): opens a
 * sending handle on the run's broker queue, says it is ready, waits for the agreed start, sends
 * its share of the arrivals (sim/live/_loadgen.ts `runGenerator`) and returns its report with its
 * clock read against Redis TIME. Runs on the job's own thread (runner/cluster/thread.ts); it
 * reaches Redis at the worker's own `--cluster` address, which may differ from the run's.
 * @module
 */
import { openGeneratorChannel } from "../../sim/live/live.ts";
import { runGenerator, type GeneratorRequest } from "../../sim/live/_loadgen.ts";
import type { RedisTarget } from "./connection.ts";
import { clockAgainstRedis, type LoadgenJobData, type LoadgenJobResult } from "./loadgen.ts";
import { fromWire, toWire } from "./wire.ts";

/** How long a generator waits for the others and the start before giving up. */
const START_WAIT_MS = 60_000;

/** Runs one generator job; its result as runner/cluster/loadgen.ts reads it. */
export async function runLoadgenJob(data: LoadgenJobData, target: RedisTarget, by: string): Promise<string> {
  const { default: Redis } = await import("ioredis");
  const client = new Redis({ ...target, maxRetriesPerRequest: 2 });
  client.on("error", () => {});
  const request = fromWire<GeneratorRequest>(data.request);
  let stop = false;
  let polling = false;
  const watch = setInterval(() => {
    if (polling) return;
    polling = true;
    client.exists(`${data.keys}:stop`).then((n) => void (stop ||= n > 0), () => {}).finally(() => (polling = false));
  }, 100);
  const channel = await openGeneratorChannel(request);
  try {
    const clock = await clockAgainstRedis(client);
    const report = await runGenerator(request, data.worker, data.workers, channel, {
      ready: async () => {
        await client.incr(`${data.keys}:ready`);
        const deadline = performance.now() + START_WAIT_MS;
        for (;;) {
          const start = await client.get(`${data.keys}:start`);
          if (start !== null) return Number(start);
          if (stop) throw new Error("the run stopped before the load generators started");
          if (performance.now() > deadline) throw new Error(`no start time within ${START_WAIT_MS / 1000} s: the other load generators never got ready`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      },
      stopRequested: () => stop,
    }, by);
    return toWire({ report, ...clock } satisfies LoadgenJobResult);
  } finally {
    clearInterval(watch);
    channel.close();
    await channel.dispose?.();
    client.disconnect();
  }
}
