/**
 * Bus: publish-to-all-handlers throughput and matching cost, queuelab's `topic_bus` beside the
 * in-process peers, as ratios. (A file over 400 lines: each implementation has its own loop.)
 *
 * Cases (one op is one publish, every matching handler run):
 * - `fanout-N` (N = 1, 10, 100, 1,000): N subscriptions to one exact topic, each handler a
 *   counter; the publish reaches all N.
 * - `match-LANG-N` (exact, mqtt, amqp; N = 10, 1,000, 100,000 patterns): N distinct patterns
 *   over a four-level topic tree of a million topics (a seeded tenth of the levels are
 *   single-level wildcards, a twentieth end in `#`), each with a counting handler; publishes
 *   cycle through 1,000 seeded topics, half of them a pattern with its wildcards filled in (so
 *   every size has matches), half anywhere in the tree.
 *
 * Implementations: `topic_bus` (sync dispatch, exact `stats`: one count per publish on the
 * route; its route cache holds the 1,000 topics), `topic_bus_uncounted` (the same bus made with
 * `stats: false`: no count per publish, as no emitter keeps one — the like-for-like row against
 * the emitters), `topic_bus_nocache` (match cases, patterns: the trie alone), `topic_bus_decoupled` (fanout:
 * every publish goes through N buffers and runners; one batch ends with `drain()`), and the
 * peers driven through their own API as their users write it — `emit(topic, event)` on
 * eventemitter3, node:events and mitt, `dispatchEvent(new CustomEvent(...))` on an EventTarget,
 * `next({ topic, event })` on an RxJS Subject with a `filter` per subscription; for patterns,
 * one listener per subscription on a shared event running the reference matcher (`matches`,
 * bus/patterns.ts), as bus/peers/ do. topic_bus is called as an emitter is: `publish` is not
 * awaited per call (its handlers are synchronous, so it returns one shared resolved Promise).
 * Like with like: every implementation runs the same counting handler on the same event object,
 * synchronously, from its own copy of the same loop; the loop keeps its place in the topics in a
 * local (a closure variable written on every publish cost more than an eventemitter3 emit, so
 * the harness was most of what fanout-1 measured). `harness` (fanout cases) is the loop calling
 * the handler directly, no bus: the ceiling, and what part of a publish's time is the loop's.
 *
 * Every implementation of every case runs in `runs` fresh processes (`bun bench/bus.ts --case ID
 * --impl NAME --json`), rounds interleaved across implementations so that noise on the shared
 * machine spreads over all of them, timed in process CPU time. (All of a case's implementations
 * in one process were measured first: whichever ran first was flattered and the later ones
 * charged for its garbage and JIT state, by up to 400× between two runs.) Reported per
 * implementation: median publishes/s, min–max, and the ratio to eventemitter3's median in the
 * same case and rounds.
 * @module
 */
import { Bench } from "tinybench";
import { EventEmitter as EventEmitter3 } from "eventemitter3";
import { EventEmitter as NodeEventEmitter } from "node:events";
import mitt from "mitt";
import { filter, Subject } from "rxjs";
import { matches } from "../bus/patterns.ts";
import { TopicBus } from "../bus/topic_bus.ts";
import type { PatternLanguage } from "../bus/types.ts";
import type { BenchSuite } from "./suite.ts";

/** One case: a workload; every implementation runs it. */
export interface BusCase {
  id: string;
  kind: "fanout" | "match";
  language: PatternLanguage;
  /** Subscribers (fanout) or patterns (match). */
  size: number;
}

/** One result row. */
export interface BusBenchRow {
  case: string;
  implementation: string;
  /** Median over processes of the publishes per CPU-second. */
  opsPerSec: number;
  min: number;
  max: number;
  runs: number;
  /** opsPerSec / eventemitter3's median in the same case. */
  ratio: number;
}

export const BUS_CASES: BusCase[] = [
  ...[1, 10, 100, 1_000].map((size): BusCase => ({ id: `fanout-${size}`, kind: "fanout", language: "exact", size })),
  ...(["exact", "mqtt", "amqp"] as const).flatMap((language) =>
    [10, 1_000, 100_000].map((size): BusCase => ({ id: `match-${language}-${size}`, kind: "match", language, size }))
  ),
];

const PEERS = ["eventemitter3", "node_events", "event_target", "mitt", "rxjs_subject"] as const;

/** The implementations a case runs. */
export function implementationsOf(busCase: BusCase): string[] {
  const own = busCase.kind === "fanout"
    ? ["topic_bus", "topic_bus_uncounted", "topic_bus_decoupled"]
    : busCase.language === "exact"
    ? ["topic_bus", "topic_bus_uncounted"]
    : ["topic_bus", "topic_bus_uncounted", "topic_bus_nocache"];
  return [...own, ...PEERS, ...(busCase.kind === "fanout" ? ["harness"] : [])];
}

interface Event {
  readonly n: number;
}
const EVENT: Event = { n: 1 };

/**
 * A bus set up for a case: `run(count)` publishes `count` events over the topics in turn (and,
 * decoupled, waits until every handler ran). Each implementation has its own loop, so no call
 * site in the loop is shared between implementations (a shared one turns polymorphic in the JIT
 * and charges the later implementations for the earlier ones).
 */
type Run = (count: number) => void | Promise<void>;

/** Builds `implementation` with one subscription per pattern, each calling `handler`. */
function rig(implementation: string, language: PatternLanguage, patterns: string[], topics: string[], handler: (event: Event) => void): Run {
  const exact = language === "exact";
  const selects = (pattern: string, topic: string) => exact ? pattern === topic : matches(language, pattern, topic);
  const last = topics.length - 1;
  let at = 0;
  switch (implementation) {
    case "topic_bus":
    case "topic_bus_uncounted":
    case "topic_bus_nocache": {
      const bus = new TopicBus<Event>(language, "sync", {
        cache: implementation !== "topic_bus_nocache",
        stats: implementation !== "topic_bus_uncounted",
      });
      for (const pattern of patterns) void bus.subscribe(pattern, handler);
      return (count) => {
        let a = at;
        for (let i = 0; i < count; i++) {
          void bus.publish(topics[a]!, EVENT);
          a = a === last ? 0 : a + 1;
        }
        at = a;
      };
    }
    case "topic_bus_decoupled": {
      const bus = new TopicBus<Event>(language, "decoupled");
      for (const pattern of patterns) void bus.subscribe(pattern, handler);
      return async (count) => {
        let a = at;
        for (let i = 0; i < count; i++) {
          void bus.publish(topics[a]!, EVENT);
          a = a === last ? 0 : a + 1;
        }
        at = a;
        await bus.drain();
      };
    }
    case "harness": {
      // The loop alone: the handler called once per publish, no bus. Its rate is the ceiling
      // the loop allows, so a reader sees how much of a publish's time is the harness's.
      const call = handler as (event: Event, topic: string) => void;
      return (count) => {
        let a = at;
        for (let i = 0; i < count; i++) {
          call(EVENT, topics[a]!);
          a = a === last ? 0 : a + 1;
        }
        at = a;
      };
    }
    case "eventemitter3": {
      const emitter = new EventEmitter3();
      if (exact) {
        for (const pattern of patterns) emitter.on(pattern, handler);
        return (count) => {
          let a = at;
          for (let i = 0; i < count; i++) {
            emitter.emit(topics[a]!, EVENT);
            a = a === last ? 0 : a + 1;
          }
          at = a;
        };
      }
      for (const pattern of patterns) {
        emitter.on("publish", (event: Event, topic: string) => {
          if (selects(pattern, topic)) handler(event);
        });
      }
      return (count) => {
        let a = at;
        for (let i = 0; i < count; i++) {
          emitter.emit("publish", EVENT, topics[a]!);
          a = a === last ? 0 : a + 1;
        }
        at = a;
      };
    }
    case "node_events": {
      const emitter = new NodeEventEmitter().setMaxListeners(0);
      if (exact) {
        for (const pattern of patterns) emitter.on(pattern, handler);
        return (count) => {
          let a = at;
          for (let i = 0; i < count; i++) {
            emitter.emit(topics[a]!, EVENT);
            a = a === last ? 0 : a + 1;
          }
          at = a;
        };
      }
      for (const pattern of patterns) {
        emitter.on("publish", (event: Event, topic: string) => {
          if (selects(pattern, topic)) handler(event);
        });
      }
      return (count) => {
        let a = at;
        for (let i = 0; i < count; i++) {
          emitter.emit("publish", EVENT, topics[a]!);
          a = a === last ? 0 : a + 1;
        }
        at = a;
      };
    }
    case "event_target": {
      const target = new EventTarget();
      if (exact) {
        for (const pattern of patterns) target.addEventListener(pattern, (message) => handler((message as CustomEvent<Event>).detail));
        return (count) => {
          let a = at;
          for (let i = 0; i < count; i++) {
            target.dispatchEvent(new CustomEvent(topics[a]!, { detail: EVENT }));
            a = a === last ? 0 : a + 1;
          }
          at = a;
        };
      }
      for (const pattern of patterns) {
        target.addEventListener("publish", (message) => {
          const { topic, event } = (message as CustomEvent<{ topic: string; event: Event }>).detail;
          if (selects(pattern, topic)) handler(event);
        });
      }
      return (count) => {
        let a = at;
        for (let i = 0; i < count; i++) {
          target.dispatchEvent(new CustomEvent("publish", { detail: { topic: topics[a]!, event: EVENT } }));
          a = a === last ? 0 : a + 1;
        }
        at = a;
      };
    }
    case "mitt": {
      const emitter = mitt<Record<string, Event>>();
      if (exact) {
        for (const pattern of patterns) emitter.on(pattern, handler);
      } else {
        for (const pattern of patterns) {
          emitter.on("*", (topic, event) => {
            if (selects(pattern, topic as string)) handler(event);
          });
        }
      }
      return (count) => {
        let a = at;
        for (let i = 0; i < count; i++) {
          emitter.emit(topics[a]!, EVENT);
          a = a === last ? 0 : a + 1;
        }
        at = a;
      };
    }
    case "rxjs_subject": {
      const subject = new Subject<{ topic: string; event: Event }>();
      for (const pattern of patterns) {
        subject.pipe(filter((message) => selects(pattern, message.topic))).subscribe((message) => handler(message.event));
      }
      return (count) => {
        let a = at;
        for (let i = 0; i < count; i++) {
          subject.next({ topic: topics[a]!, event: EVENT });
          a = a === last ? 0 : a + 1;
        }
        at = a;
      };
    }
  }
  throw new RangeError(`implementation: no bus benchmark for "${implementation}"`);
}

/** A seeded xorshift32 in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

const TREE = [["r", 10], ["s", 100], ["d", 100], ["m", 10]] as const;

/** `count` distinct patterns and 1,000 topics of the tree in `language` (seeded). */
export function workload(language: PatternLanguage, count: number): { patterns: string[]; topics: string[] } {
  const next = random(0x5eed + count);
  const separator = language === "amqp" ? "." : "/";
  const one = language === "amqp" ? "*" : "+";
  const topic = () => TREE.map(([prefix, size]) => `${prefix}${Math.floor(next() * size)}`);
  const patterns = new Set<string>();
  while (patterns.size < count) {
    const levels = topic();
    if (language !== "exact") {
      for (let i = 0; i < levels.length; i++) {
        const roll = next();
        if (roll < 0.05 && i > 0) {
          levels.length = i;
          levels.push("#");
          break;
        }
        if (roll < 0.15) levels[i] = one;
      }
    }
    patterns.add(levels.join(separator));
  }
  // Half the topics instantiate a pattern (its wildcards filled at random), so that publishes
  // reach someone at every size; the other half are anywhere in the tree.
  const chosen = [...patterns];
  const topics = Array.from({ length: 1_000 }, (_, i) => {
    const levels = topic();
    if (i % 2 === 1) return levels.join(separator);
    const pattern = chosen[Math.floor(next() * chosen.length)]!.split(separator);
    return pattern.flatMap((level, l) => level === "#" ? levels.slice(l) : level === one ? [levels[l]!] : [level]).join(separator);
  });
  return { patterns: [...patterns], topics };
}

function cpuMilliseconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Measures `implementation` on `busCase` in this process; returns publishes per CPU-second. */
export async function measureCase(busCase: BusCase, implementation: string, timeMs = 600): Promise<number> {
  const { patterns, topics } = busCase.kind === "fanout"
    ? { patterns: Array.from({ length: busCase.size }, () => "t"), topics: ["t"] }
    : workload(busCase.language, busCase.size);
  let handled = 0;
  const run = rig(implementation, busCase.language, patterns, topics, () => void handled++);
  // A batch long enough (≥ 40 ms) that the CPU clock's granularity and the timer's cost vanish:
  // at 5 ms the medians came out in steps of ~8% (this process clock ticks coarser than µs).
  const started = cpuMilliseconds();
  let batch = 1;
  while (batch < 1 << 24) {
    await run(batch);
    if (cpuMilliseconds() - started >= 40) break;
    batch *= 2;
  }
  const bench = new Bench({ time: timeMs, warmupTime: 300, iterations: 5, now: cpuMilliseconds });
  bench.add(implementation, () => run(batch));
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== "completed") throw new Error(`Cannot measure ${busCase.id} ${implementation}: the task ended ${result.state}`);
  if (handled === 0) throw new Error(`${busCase.id} ${implementation}: no handler ran`);
  // The median batch: robust to a GC pause or a compile landing in a few batches.
  return (batch * 1000) / result.latency.p50;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function measureInChild(busCase: BusCase, implementation: string): Promise<number> {
  const child = Bun.spawn([process.execPath, `${import.meta.dir}/bus.ts`, "--case", busCase.id, "--impl", implementation, "--json"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`Benchmark case ${busCase.id} ${implementation} failed (exit ${code}): ${stderr}`);
  return (JSON.parse(stdout) as { opsPerSec: number }).opsPerSec;
}

/** Runs the cases (those whose id contains `filter`), each implementation in `runs` fresh processes. */
export async function runBusBenchmarks(options: { runs?: number; filter?: string; log?: (line: string) => void } = {}): Promise<BusBenchRow[]> {
  const runs = Math.max(1, Math.floor(options.runs ?? 3));
  const log = options.log ?? ((line: string) => console.error(line));
  const wanted = BUS_CASES.filter((busCase) => options.filter === undefined || busCase.id.includes(options.filter));
  const samples = new Map<string, Map<string, number[]>>(
    wanted.map((busCase) => [busCase.id, new Map(implementationsOf(busCase).map((name) => [name, []]))]),
  );
  for (let round = 1; round <= runs; round++) {
    for (const busCase of wanted) {
      const measured: string[] = [];
      for (const [implementation, values] of samples.get(busCase.id)!) {
        const opsPerSec = await measureInChild(busCase, implementation);
        values.push(opsPerSec);
        measured.push(`${implementation} ${rate(opsPerSec)}`);
      }
      log(`bus ${round}/${runs} ${busCase.id}: ${measured.join(", ")}`);
    }
  }
  return wanted.flatMap((busCase) => {
    const perCase = samples.get(busCase.id)!;
    const baseline = median(perCase.get("eventemitter3")!);
    return [...perCase.entries()].map(([implementation, values]) => ({
      case: busCase.id,
      implementation,
      opsPerSec: median(values),
      min: Math.min(...values),
      max: Math.max(...values),
      runs: values.length,
      ratio: median(values) / baseline,
    }));
  });
}

/** Publishes/s, readable: "12.3 M/s", "45.6 k/s", "789/s". */
function rate(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} M/s`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k/s`;
  return `${value.toFixed(0)}/s`;
}

/** A Markdown table of the rows, implementations side by side per case. */
export function formatBusRows(rows: BusBenchRow[]): string {
  const lines = ["| case | implementation | publishes/s (median) | min–max | runs | vs eventemitter3 |", "|---|---|---:|---:|---:|---:|"];
  for (const row of rows) {
    lines.push(`| ${row.case} | ${row.implementation} | ${rate(row.opsPerSec)} | ${rate(row.min)}–${rate(row.max)} | ${row.runs} | ${row.ratio.toFixed(2)}× |`);
  }
  return lines.join("\n");
}

/** The suite as `bench/suites.ts` lists it. */
export const busSuite: BenchSuite = {
  name: "bus",
  description:
    "publish-to-all-handlers at 1–1,000 subscribers and matching at 10–100,000 patterns (exact, MQTT, AMQP), topic_bus beside node:events, EventTarget, eventemitter3, mitt and an RxJS Subject (ratios vs eventemitter3)",
  async run(options) {
    const rows = await runBusBenchmarks(options);
    return { rows, markdown: rows.length === 0 ? "" : formatBusRows(rows) };
  },
};

// Child mode: `bun bench/bus.ts --case ID --json` measures one case; without --case, every case.
if (import.meta.main) {
  const args = process.argv.slice(2);
  const caseIndex = args.indexOf("--case");
  if (caseIndex >= 0) {
    const id = args[caseIndex + 1];
    const busCase = BUS_CASES.find((candidate) => candidate.id === id);
    if (busCase === undefined) {
      console.error(`--case: unknown case "${id}"; expected one of ${BUS_CASES.map((c) => c.id).join(", ")}`);
      process.exit(2);
    }
    const implIndex = args.indexOf("--impl");
    const names = implIndex >= 0 ? [args[implIndex + 1]!] : implementationsOf(busCase);
    for (const implementation of names) {
      if (!implementationsOf(busCase).includes(implementation)) {
        console.error(`--impl: "${implementation}" does not run ${id}; expected one of ${implementationsOf(busCase).join(", ")}`);
        process.exit(2);
      }
      const opsPerSec = await measureCase(busCase, implementation);
      console.log(args.includes("--json") ? JSON.stringify({ id, implementation, opsPerSec }) : `${implementation}: ${rate(opsPerSec)}`);
    }
  } else {
    const filterIndex = args.indexOf("--filter");
    const runsIndex = args.indexOf("--runs");
    const rows = await runBusBenchmarks({
      filter: filterIndex >= 0 ? args[filterIndex + 1] : undefined,
      runs: runsIndex >= 0 ? Number(args[runsIndex + 1]) : undefined,
    });
    console.log(args.includes("--json") ? JSON.stringify(rows, null, 2) : formatBusRows(rows));
  }
}
