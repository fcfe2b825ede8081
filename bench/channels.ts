// Over 400 lines because every hand-off peer (item by item and batched) and the Worker case share one harness, so all ratios come from one run.
/**
 * Channels: async hand-off between producers and a consumer, and shared_ring across Workers.
 *
 * Cases:
 * - `handoff-1p-*` / `handoff-4p-*`: one (or four) producer loops `await send(i)` and one
 *   consumer loop `await receive()` run concurrently on a channel of capacity 64 under `block`;
 *   one op is one item handed over. Implementations: `channel` (queuelab's adapter over the
 *   ring), `effect_queue` (the registry's thin Channel adapter over Effect's bounded Queue, which
 *   uses Effect's unsafe synchronous API when it can and `Effect.runPromise` when it must wait),
 *   `effect_native` (the same loops written as Effect fibers with `Queue.offer` / `Queue.take`
 *   in `Effect.whileLoop`, as an Effect user writes them), and `web_stream` for context;
 *   `await_floor` (1 producer) is no channel but the cost of the two awaits per item alone.
 * - `batch64-1p-*`: the same hand-off with one producer, in batches of 64 (the capacity): the
 *   producer loops `await sendMany(64 items)`, the consumer `await receiveMany(64)` until it has
 *   every item. `channel` uses its batch methods; `effect_queue` the same two methods written
 *   over Effect's own batch API (`offerAllUnsafe`, then `Effect.runPromise(Queue.offerAll)`
 *   for what did not fit; `Effect.runSync(Queue.takeBetween(q, 1, 64))` when items are
 *   there, else `Effect.runPromise` of it); `effect_native` the fibers with `Queue.offerAll` /
 *   `Queue.takeBetween`. Ratios in these rows are to the batched Effect rows.
 * - `shared_ring-workers`: a producer Worker writes 0..n−1 in runs of 4,096 (`writeAll`) and a
 *   consumer Worker reads them (`readSomeBlocking`) through a 64 Ki-slot ring; one op is one
 *   number moved between threads (timed by wall clock from the start signal to the consumer's
 *   last read, since two threads work at once).
 *
 * Every case runs in `runs` fresh processes (`bun bench/channels.ts --case ID --json`), rounds
 * interleaved across cases; reported: median ops/s, min–max, and the ratio to `effect_queue`.
 * The single-thread cases are timed in process CPU time (as bench/queues.ts does), so time the
 * process spends descheduled on the shared machine is not charged to the channel.
 * @module
 */
import { Bench } from "tinybench";
import { channel } from "../queues/channel.ts";
import { isMissingPackage } from "../queues/peers/_optional.ts";
import { webStream } from "../queues/web_stream.ts";
import { SharedRingChannel } from "../queues/shared_ring.ts";
import type { Channel } from "../queues/types.ts";
import type { BenchSuite } from "./suite.ts";

// Effect is an optional dependency (package.json): without it the Effect cases are left out, and
// the suite says so, rather than `queuelab bench` failing to load.
const effect = await import("effect").catch((error: unknown) => {
  if (isMissingPackage(error, "effect")) return undefined;
  throw error;
});
const effectAdapter = effect === undefined ? undefined : await import("../queues/peers/effect_queue.ts");

const HANDOFF_IMPLEMENTATIONS = ["channel", "effect_queue", "effect_native", "web_stream"] as const;
const BASELINE = "effect_queue";
const CAPACITY = 64;
/** Items per tinybench iteration. */
const ITEMS = 20_000;
/** Items per batch in the batch cases (the capacity: a batch can fill the channel). */
const BATCH = 64;

/** One case. */
export interface ChannelCase {
  id: string;
  implementation: string;
  producers: number;
  /** Items per sendMany / most per receiveMany; absent: item by item. */
  batch?: number;
}

/** One result row. */
export interface ChannelBenchRow {
  case: string;
  implementation: string;
  producers: number;
  opsPerSec: number;
  min: number;
  max: number;
  runs: number;
  /** opsPerSec / effect_queue's median in the same case (NaN where there is none). */
  ratio: number;
  /** opsPerSec / effect_native's median in the same case. */
  ratioNative: number;
}

export const CHANNEL_CASES: ChannelCase[] = [
  // Not a channel: the cost of the awaits alone (see awaitFloor).
  { id: "handoff-1p-await_floor", implementation: "await_floor", producers: 1 },
  ...[1, 4].flatMap((producers) =>
    HANDOFF_IMPLEMENTATIONS.map((implementation): ChannelCase => ({
      id: `handoff-${producers}p-${implementation}`,
      implementation,
      producers,
    }))
  ),
  ...(["channel", "effect_queue", "effect_native"] as const).map((implementation): ChannelCase => ({
    id: `batch${BATCH}-1p-${implementation}`,
    implementation,
    producers: 1,
    batch: BATCH,
  })),
  { id: "shared_ring-workers", implementation: "shared_ring", producers: 1 },
];

function cpuMilliseconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** ITEMS hand-offs through a Channel: `producers` sending loops and one receiving loop. */
async function handoff(make: () => Channel<number>, producers: number): Promise<void> {
  const ch = make();
  const share = ITEMS / producers;
  const produce = async () => {
    for (let i = 0; i < share; i++) await ch.send(i);
  };
  const consume = async () => {
    for (let i = 0; i < ITEMS; i++) await ch.receive();
  };
  const loops: Promise<void>[] = [consume()];
  for (let p = 0; p < producers; p++) loops.push(produce());
  await Promise.all(loops);
}

/** The batched hand-off: one producer `await sendMany(batch)`, one consumer `await receiveMany`. */
async function batchHandoff(ch: BatchChannel): Promise<void> {
  const batch = Array.from({ length: BATCH }, (_, i) => i);
  const produce = async () => {
    for (let sent = 0; sent < ITEMS; sent += BATCH) await ch.sendMany(batch);
  };
  const consume = async () => {
    for (let received = 0; received < ITEMS;) received += (await ch.receiveMany(BATCH)).length;
  };
  await Promise.all([consume(), produce()]);
}

/** The two batch methods a batch case drives. */
interface BatchChannel {
  sendMany(items: readonly number[]): Promise<unknown>;
  receiveMany(max: number): Promise<readonly unknown[]>;
}

/**
 * The batch methods over Effect's bounded Queue, through Effect's own batch API: what fits is
 * offered synchronously (`offerAllUnsafe`), the rest waits in `Queue.offerAll`; a take of 1 to
 * `max` items runs synchronously (`runSync`) when items are there, else as a fiber.
 */
function effectBatchChannel(): BatchChannel {
  const { Effect, Queue } = effect!;
  const queue = Effect.runSync(Queue.bounded<number>(CAPACITY));
  const sent = Promise.resolve(undefined);
  return {
    sendMany(items) {
      const rest = Queue.offerAllUnsafe(queue, items);
      return rest.length === 0 ? sent : Effect.runPromise(Queue.offerAll(queue, rest));
    },
    receiveMany(max) {
      const take = Queue.takeBetween(queue, 1, max);
      return Queue.sizeUnsafe(queue) > 0 ? Promise.resolve(Effect.runSync(take)) : Effect.runPromise(take);
    },
  };
}

/** The batched hand-off as Effect fibers: `Queue.offerAll` and `Queue.takeBetween(1, BATCH)`. */
function effectNativeBatch(): Promise<void> {
  const { Effect, Queue } = effect!;
  const batch = Array.from({ length: BATCH }, (_, i) => i);
  return Effect.runPromise(
    Effect.gen(function* () {
      const queue = yield* Queue.bounded<number>(CAPACITY);
      let sent = 0;
      yield* Effect.forkChild(
        Effect.whileLoop({
          while: () => sent < ITEMS,
          body: () => Queue.offerAll(queue, batch),
          step: () => void (sent += BATCH),
        }),
      );
      let received = 0;
      yield* Effect.whileLoop({
        while: () => received < ITEMS,
        body: () => Queue.takeBetween(queue, 1, BATCH),
        step: (items) => void (received += items.length),
      });
    }),
  );
}

/**
 * The same hand-off as Effect fibers, written with `Effect.whileLoop` (the fastest of the forms
 * tried: `Effect.gen` loops and `Effect.forEach` were 10–50% slower).
 */
function effectNative(producers: number): Promise<void> {
  const { Effect, Queue } = effect!;
  const share = ITEMS / producers;
  return Effect.runPromise(
    Effect.gen(function* () {
      const queue = yield* Queue.bounded<number>(CAPACITY);
      for (let p = 0; p < producers; p++) {
        let sent = 0;
        yield* Effect.forkChild(
          Effect.whileLoop({ while: () => sent < share, body: () => Queue.offer(queue, sent++), step: () => {} }),
        );
      }
      let taken = 0;
      yield* Effect.whileLoop({ while: () => taken++ < ITEMS, body: () => Queue.take(queue), step: () => {} });
    }),
  );
}

/**
 * The floor of this benchmark's shape: a 128-slot ring that neither checks nor waits, whose
 * send returns one shared resolved Promise and whose receive returns `Promise.resolve({ value })`.
 * It keeps none of the Channel contract (one producer only, never full); it measures what two
 * `await`s per item cost, which no conforming channel can go below.
 */
class AwaitFloor {
  readonly #slots: number[] = new Array(128).fill(0);
  #head = 0;
  #tail = 0;
  send(item: number): Promise<string> {
    this.#slots[this.#tail++ & 127] = item;
    return FLOOR_ACCEPTED;
  }
  receive(): Promise<{ value: number }> {
    return Promise.resolve({ value: this.#slots[this.#head++ & 127]! });
  }
}
const FLOOR_ACCEPTED = Promise.resolve("accepted");

function handoffTask(implementation: string, producers: number, batch?: number): () => Promise<void> {
  if (batch !== undefined) {
    switch (implementation) {
      case "channel":
        return () => batchHandoff(channel.create<number>({ capacity: CAPACITY, overflow: "block" }));
      case "effect_queue":
        return () => batchHandoff(effectBatchChannel());
      case "effect_native":
        return () => effectNativeBatch();
    }
    throw new RangeError(`No batch benchmark for "${implementation}"`);
  }
  switch (implementation) {
    case "await_floor":
      return () => handoff(() => new AwaitFloor() as unknown as Channel<number>, producers);
    case "channel":
      return () => handoff(() => channel.create<number>({ capacity: CAPACITY, overflow: "block" }), producers);
    case "effect_queue":
      return () =>
        handoff(() => effectAdapter!.openEffectQueue<number>(CAPACITY, "block"), producers);
    case "effect_native":
      return () => effectNative(producers);
    case "web_stream":
      return () => handoff(() => webStream.create<number>({ capacity: CAPACITY, overflow: "block" }), producers);
  }
  throw new RangeError(`No hand-off benchmark for "${implementation}"`);
}

/** Measures one hand-off case in this process; returns items per CPU-second. */
async function measureHandoff(channelCase: ChannelCase): Promise<number> {
  const bench = new Bench({ time: 600, warmupTime: 200, iterations: 10, now: cpuMilliseconds });
  bench.add(channelCase.id, handoffTask(channelCase.implementation, channelCase.producers, channelCase.batch));
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== "completed") throw new Error(`Cannot measure ${channelCase.id}: ${result.state}`);
  return (ITEMS * 1000) / result.period;
}

/** Moves `count` numbers between two Workers through a shared ring; returns items/s (wall). */
export async function measureSharedRing(count = 100_000_000): Promise<number> {
  const buffer = SharedRingChannel.allocate(1 << 16);
  const url = new URL("./channels_ring_worker.ts", import.meta.url).href;
  const producer = new Worker(url);
  const consumer = new Worker(url);
  const ready = (worker: Worker) =>
    new Promise<void>((resolve) => {
      worker.onmessage = () => resolve();
    });
  const bothReady = Promise.all([ready(producer), ready(consumer)]);
  producer.postMessage({ role: "produce", buffer, count });
  consumer.postMessage({ role: "consume", buffer, count });
  await bothReady;
  const finished = new Promise<{ sum: number; seen: number; elapsedMs: number }>((resolve, reject) => {
    consumer.onmessage = (event) => resolve(event.data);
    consumer.onerror = reject;
  });
  // Both Workers are set up and wait on the start flag in the ring's own memory.
  const start = new Int32Array(new SharedArrayBuffer(4));
  producer.postMessage({ start: start.buffer });
  consumer.postMessage({ start: start.buffer });
  await new Promise((resolve) => setTimeout(resolve, 50));
  Atomics.store(start, 0, 1);
  Atomics.notify(start, 0);
  const { sum, seen, elapsedMs } = await finished;
  producer.terminate();
  consumer.terminate();
  if (seen !== count || sum !== (count * (count - 1)) / 2) {
    throw new Error(`shared_ring lost or garbled numbers: saw ${seen} of ${count}`);
  }
  return (count * 1000) / elapsedMs;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function measureInChild(channelCase: ChannelCase): Promise<number> {
  const child = Bun.spawn(
    [process.execPath, `${import.meta.dir}/channels.ts`, "--case", channelCase.id, "--json"],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`Benchmark case ${channelCase.id} failed (exit ${code}): ${stderr}`);
  return (JSON.parse(stdout) as { opsPerSec: number }).opsPerSec;
}

/** Runs the channel cases, each in `runs` fresh processes. */
export async function runChannelBenchmarks(
  options: { runs?: number; filter?: string; log?: (line: string) => void } = {},
): Promise<ChannelBenchRow[]> {
  const runs = Math.max(1, Math.floor(options.runs ?? 5));
  const log = options.log ?? ((line: string) => console.error(line));
  const filter = options.filter;
  if (effect === undefined) log("channels: the package effect is not installed (an optional dependency); its cases are left out");
  const wanted = CHANNEL_CASES.filter((c) => effect !== undefined || !c.implementation.startsWith("effect")).filter((c) =>
    filter === undefined || c.id.includes(filter) ||
    // A selected hand-off case brings its baselines along, for the ratios.
    (c.implementation.startsWith("effect") &&
      CHANNEL_CASES.some((other) => other.id.includes(filter) && other.producers === c.producers && other.id.startsWith("handoff")))
  );
  const samples = new Map<string, number[]>(wanted.map((c) => [c.id, []]));
  for (let round = 1; round <= runs; round++) {
    for (const channelCase of wanted) {
      const opsPerSec = await measureInChild(channelCase);
      samples.get(channelCase.id)!.push(opsPerSec);
      log(`channels ${round}/${runs} ${channelCase.id}: ${(opsPerSec / 1e6).toFixed(2)} M ops/s`);
    }
  }
  const medians = new Map(wanted.map((c) => [c.id, median(samples.get(c.id)!)]));
  return wanted.map((c) => {
    const values = samples.get(c.id)!;
    const opsPerSec = medians.get(c.id)!;
    const kind = c.batch === undefined ? "handoff" : `batch${c.batch}`;
    const caseName = c.id.startsWith(kind) ? `${kind}-${c.producers}p` : c.id;
    const base = medians.get(`${caseName}-${BASELINE}`);
    const native = medians.get(`${caseName}-effect_native`);
    return {
      case: caseName,
      implementation: c.implementation,
      producers: c.producers,
      opsPerSec,
      min: Math.min(...values),
      max: Math.max(...values),
      runs: values.length,
      ratio: base !== undefined && caseName !== c.id ? opsPerSec / base : Number.NaN,
      ratioNative: native !== undefined && caseName !== c.id ? opsPerSec / native : Number.NaN,
    };
  });
}

const millions = (value: number) => (value / 1e6).toFixed(2);
const ratio = (value: number) => (Number.isNaN(value) ? "—" : `${value.toFixed(2)}×`);

/** A Markdown table of the rows. */
export function formatChannelRows(rows: ChannelBenchRow[]): string {
  const lines = [
    "| case | implementation | M items/s (median) | min–max | runs | vs effect_queue | vs effect_native |",
    "|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.case} | ${row.implementation} | ${millions(row.opsPerSec)} | ${millions(row.min)}–${
        millions(row.max)
      } | ${row.runs} | ${ratio(row.ratio)} | ${ratio(row.ratioNative)} |`,
    );
  }
  return lines.join("\n");
}

/** The suite as `bench/suites.ts` lists it. */
export const channelSuite: BenchSuite = {
  name: "channels",
  description:
    "Async hand-off (1 and 4 producers, capacity 64, block): channel vs Effect's Queue (adapter and native fibers) and web_stream; shared_ring items/s between two Workers",
  async run(options) {
    const rows = await runChannelBenchmarks(options);
    return { rows, markdown: rows.length === 0 ? "" : formatChannelRows(rows) };
  },
};

// Child mode: `bun bench/channels.ts --case ID --json` measures one case and prints its ops/s.
if (import.meta.main) {
  const args = process.argv.slice(2);
  const caseIndex = args.indexOf("--case");
  if (caseIndex >= 0) {
    const id = args[caseIndex + 1];
    const channelCase = CHANNEL_CASES.find((candidate) => candidate.id === id);
    if (channelCase === undefined) {
      console.error(`Unknown case "${id}" (cases: ${CHANNEL_CASES.map((c) => c.id).join(", ")})`);
      process.exit(2);
    }
    const opsPerSec = channelCase.id === "shared_ring-workers"
      ? await measureSharedRing()
      : await measureHandoff(channelCase);
    console.log(args.includes("--json") ? JSON.stringify({ id, opsPerSec }) : `${id}: ${millions(opsPerSec)} M ops/s`);
  } else {
    const runsIndex = args.indexOf("--runs");
    const rows = await runChannelBenchmarks({ runs: runsIndex >= 0 ? Number(args[runsIndex + 1]) : 5 });
    console.log(args.includes("--json") ? JSON.stringify(rows, null, 2) : formatChannelRows(rows));
  }
}
