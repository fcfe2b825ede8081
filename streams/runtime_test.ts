import { describe, expect, test } from "bun:test";
import { checkPipeline, queryPipeline, type RuntimeCheckpoint, type PipelineSpec, StreamRuntime, StreamSpecError } from "./runtime.ts";
import { runOracle, sortedResults } from "./oracle.ts";
import { drive, logSource, pendingOutput } from "./source.ts";
import { partitionedLog } from "../queues/partitioned_log.ts";
import type { StreamEvent, WindowQuery, WindowResult, WindowSpec } from "./types.ts";
import { DedupSink, outOfOrderEvents } from "./runtime_test_support.ts";

function collect(spec: PipelineSpec, events: readonly StreamEvent[]) {
  const results: WindowResult[] = [];
  const late: StreamEvent[] = [];
  const rt = new StreamRuntime(spec, { result: (r) => void results.push(r), late: (e) => void late.push(e) });
  rt.pushAll(events);
  rt.end();
  return { rt, results, late };
}

const tumbling10: WindowQuery = { window: { kind: "tumbling", size: 10 }, watermark: { outOfOrderness: 3, every: { events: 4 } }, allowedLateness: 2 };

describe("stream runtime: stages", () => {
  const events = outOfOrderEvents(2_000, 5, 8);

  test("map and a filter predicate equal the oracle over the transformed events", () => {
    const spec: PipelineSpec = {
      watermark: tumbling10.watermark,
      stages: [
        { kind: "map", fn: (e) => ({ ...e, value: e.value * 2 }) },
        { kind: "filter", predicate: (e) => e.key !== 3 },
        { kind: "keyBy", parallelism: 2 },
        { kind: "window", window: tumbling10.window, allowedLateness: 2 },
        { kind: "sink" },
      ],
    };
    const { rt, results } = collect(spec, events);
    // The watermark counts source events, so the oracle sees the same arrival positions: filtered
    // events become key −1 with a value that lands in its own windows, which are then left out.
    const transformed = events.map((e) => (e.key === 3 ? { ...e, key: -1 } : { ...e, value: e.value * 2 }));
    const want = runOracle(transformed, tumbling10).results.filter((r) => r.key !== -1);
    expect(sortedResults(results)).toEqual(sortedResults(want));
    expect(rt.stats.stageIn.slice(0, 2)).toEqual([2_000, 2_000]);
    expect(rt.stats.stageIn[2]).toBe(events.filter((e) => e.key !== 3).length);
  });

  test("a keep-probability filter keeps about that share, the same draws every run", () => {
    const spec: PipelineSpec = {
      watermark: tumbling10.watermark,
      stages: [{ kind: "filter", keep: 0.3, seed: 5 }, { kind: "keyBy" }, { kind: "window", window: { kind: "tumbling", size: 1_000_000 } }, { kind: "sink" }],
    };
    const many = outOfOrderEvents(20_000, 1, 0);
    const a = collect(spec, many).results;
    const b = collect(spec, many).results;
    expect(a).toEqual(b);
    const kept = a[0]!.count;
    // Binomial(20,000, 0.3): sd ≈ 64.8; ±5 sd.
    expect(Math.abs(kept - 6_000)).toBeLessThan(5 * Math.sqrt(20_000 * 0.3 * 0.7));
  });

  test("flatMap with fanOut 3 triples every count and sum", () => {
    const spec = (fanOut: number): PipelineSpec => ({
      watermark: tumbling10.watermark,
      stages: [{ kind: "flatMap", fanOut }, { kind: "keyBy", parallelism: 3 }, { kind: "window", window: tumbling10.window, allowedLateness: 2 }, { kind: "sink" }],
    });
    // Late updates come three at a time, so compare each window's last firing (all its events).
    const last = (results: WindowResult[]) => {
      const byWindow = new Map<string, WindowResult>();
      for (const r of sortedResults(results)) byWindow.set(`${r.key}/${r.start}`, r);
      return [...byWindow.values()];
    };
    const once = last(collect(spec(1), events).results);
    const thrice = last(collect(spec(3), events).results);
    expect(thrice.map((r) => [r.key, r.start, r.count, r.sum, r.min, r.max])).toEqual(once.map((r) => [r.key, r.start, 3 * r.count, 3 * r.sum, r.min, r.max]));
  });

  test("state size grows with open windows and is 0 after the end; watermark lag is maxTs − W", () => {
    const rt = new StreamRuntime(queryPipeline(tumbling10, 4));
    rt.pushAll(events, 0, 1_000);
    const mid = rt.stats;
    expect(mid.stateSize).toBeGreaterThan(0);
    expect(mid.stateSizes.reduce((a, b) => a + b, 0)).toBe(mid.stateSize);
    const maxTs = Math.max(...events.slice(0, 1_000).map((e) => e.ts));
    expect(mid.watermark).toBeLessThanOrEqual(maxTs - 3 - 1);
    expect(mid.watermarkLag).toBe(maxTs - mid.watermark);
    rt.pushAll(events, 1_000);
    rt.end();
    expect(rt.stats.stateSize).toBe(0);
    expect(rt.stats.results).toBe(runOracle(events, tumbling10).results.length);
  });

  test("processing-time watermarks: emitted once T ms of the clock have passed", () => {
    let now = 0;
    const spec = queryPipeline({ window: { kind: "tumbling", size: 10 }, watermark: { outOfOrderness: 0, every: { ms: 100 } } });
    const rt = new StreamRuntime(spec, {}, { now: () => now });
    rt.push({ seq: 0, key: 1, ts: 50, value: 1 });
    expect(rt.stats.watermark).toBe(-Infinity);
    now = 100;
    rt.push({ seq: 1, key: 1, ts: 60, value: 1 });
    expect(rt.stats.watermark).toBe(59);
    expect(rt.stats.results).toBe(1); // [50,60) fired at 59
    rt.push({ seq: 2, key: 1, ts: 80, value: 1 });
    rt.periodicWatermark();
    expect(rt.stats.watermark).toBe(79);
  });

  test("bad pipelines are refused with the field named", () => {
    const w = tumbling10.watermark;
    const refuse = (spec: unknown, field: string) => {
      let error: unknown;
      try {
        checkPipeline(spec as PipelineSpec);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StreamSpecError);
      expect((error as StreamSpecError).field).toBe(field);
      expect((error as Error).message.startsWith(field)).toBe(true);
    };
    refuse({ watermark: w, stages: [{ kind: "window", window: { kind: "tumbling", size: 5 } }] }, "stages[0]");
    refuse({ watermark: w, stages: [{ kind: "keyBy" }, { kind: "window", window: { kind: "tumbling", size: -5 } }] }, "stages[1].window.size");
    refuse({ watermark: w, stages: [{ kind: "keyBy" }, { kind: "window", window: { kind: "sliding", size: 5, slide: 0 } }] }, "stages[1].window.slide");
    refuse({ watermark: w, stages: [{ kind: "shuffle" }] }, "stages[0].kind");
    refuse({ watermark: w, stages: [{ kind: "keyBy", parallelism: 0 }, { kind: "window", window: { kind: "session", gap: 1 } }] }, "stages[0].parallelism");
    refuse({ watermark: w, stages: [{ kind: "keyBy" }, { kind: "window", window: { kind: "session", gap: 1 }, allowedLateness: -1 }] }, "stages[1].allowedLateness");
    refuse({ watermark: { outOfOrderness: -1, every: { events: 1 } }, stages: [] }, "watermark.outOfOrderness");
    refuse({ watermark: { outOfOrderness: 1 }, stages: [] }, "watermark.every");
    refuse({ watermark: w, stages: [{ kind: "keyBy" }] }, "stages");
    refuse({ watermark: w, stages: [{ kind: "filter", keep: 2 }] }, "stages[0].keep");
  });
});

describe("stream runtime: checkpoints, crash and restore from partitioned_log", () => {
  const windows: WindowSpec[] = [{ kind: "tumbling", size: 50 }, { kind: "sliding", size: 60, slide: 20 }, { kind: "session", gap: 4 }];
  for (const window of windows) {
    test(`${window.kind}: a crash restored from the last checkpoint and replayed gives the crash-free results`, async () => {
      const events = outOfOrderEvents(6_000, 40, 90, 11, 3);
      const query: WindowQuery = { window, watermark: { outOfOrderness: 10, every: { events: 5 } }, allowedLateness: 8 };
      const spec = queryPipeline(query, 3);
      const channel = partitionedLog.create<StreamEvent>({ settings: { partitions: 1 } });
      for (const e of events) channel.trySend(e);
      channel.close();

      const clean = collect(spec, events);
      expect(sortedResults(clean.results)).toEqual(sortedResults(runOracle(events, query).results));
      expect(clean.late.length).toBeGreaterThan(0);

      const sink = new DedupSink();
      let saved: RuntimeCheckpoint | undefined;
      const store = (cp: RuntimeCheckpoint) => void (saved = structuredClone(cp));
      const source = logSource(channel);
      const first = new StreamRuntime(spec, sink);
      expect(await drive(first, source, { checkpointEvery: 700, store, crashAfter: 2_345 })).toBe("crashed");
      expect(saved!.position).toBe(2_100);
      const emitted = new Set(sink.byId.keys());
      expect(emitted.size).toBeGreaterThan(0);

      const second = new StreamRuntime(spec, sink, { from: saved! });
      source.seek(saved!.position);
      expect(await drive(second, source, { checkpointEvery: 700, store })).toBe("ended");
      expect(second.stats.position).toBe(6_000);
      expect(sink.conflicts).toBe(0);
      expect(sortedResults([...sink.byId.values()])).toEqual(sortedResults(clean.results));
      expect([...sink.lateBySeq.values()].sort((a, b) => a.seq - b.seq)).toEqual(clean.late.sort((a, b) => a.seq - b.seq));

      // The state matters: replaying from the same position without it loses results.
      const stateless = new DedupSink();
      for (const r of sink.byId.values()) if (emitted.has(`${r.key}/${r.start}/${r.end}/${r.firing}`)) stateless.result(r);
      const blank = new StreamRuntime(spec, stateless);
      blank.pushAll(events, saved!.position);
      blank.end();
      expect(sortedResults([...stateless.byId.values()])).not.toEqual(sortedResults(clean.results));
    });
  }

  test("restoring with another parallelism is refused", () => {
    const rt = new StreamRuntime(queryPipeline(tumbling10, 2));
    const cp = rt.checkpoint();
    expect(() => new StreamRuntime(queryPipeline(tumbling10, 3), {}, { from: cp })).toThrow(/checkpoint.windows/);
  });

  test("drive: a slow consumer holds the source back (no event is read while it awaits)", async () => {
    const events = outOfOrderEvents(3_000, 10, 5);
    const channel = partitionedLog.create<StreamEvent>({ settings: { partitions: 1 } });
    for (const e of events) channel.trySend(e);
    channel.close();
    const pending = pendingOutput();
    const rt = new StreamRuntime(queryPipeline(tumbling10), pending.output);
    let consumed = 0;
    const positions: number[] = [];
    await drive(rt, logSource(channel), {
      batch: 500,
      consume: async (results) => {
        const at = rt.position;
        await new Promise((resolve) => setTimeout(resolve, 2));
        positions.push(rt.position - at);
        consumed += results.length;
      },
    }, pending);
    expect(positions.length).toBeGreaterThanOrEqual(6);
    expect(positions.every((d) => d === 0)).toBe(true);
    expect(consumed).toBe(rt.stats.results);
  });
});
