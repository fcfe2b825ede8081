import { afterEach, beforeEach, describe, expect, spyOn, test } from "bun:test";
import { main } from "../main.ts";
import { registry } from "../../queues/mod.ts";
import { buses } from "../../bus/mod.ts";
import { streams } from "../../streams/mod.ts";
import { library } from "../../scenarios/library.ts";

describe("queuelab list", () => {
  let printed: string[] = [];
  let spy: ReturnType<typeof spyOn>;
  beforeEach(() => {
    printed = [];
    spy = spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(" "));
    });
  });
  afterEach(() => spy.mockRestore());

  test("list --json prints a JSON array: every queue and channel first, then every bus, stream processor and built-in scenario", async () => {
    expect(await main(["list", "--json"])).toBe(0);
    const all = JSON.parse(printed.join("\n")) as Array<Record<string, unknown>>;
    const queueNames = Object.keys(registry);
    const rows = all.slice(0, queueNames.length);
    expect(rows.map((row) => row.name)).toEqual(queueNames);
    const rest = all.slice(queueNames.length);
    expect(rest.map((row) => `${row.kind} ${row.name}`)).toEqual([
      ...Object.keys(buses).map((name) => `bus ${name}`),
      ...Object.keys(streams).map((name) => `stream ${name}`),
      ...library.map((item) => `scenario ${item.name}`),
    ]);
    const topicBus = rest.find((row) => row.name === "topic_bus")!;
    expect(topicBus.dispatch).toEqual(["sync", "decoupled"]);
    expect(topicBus.isolation).toBe(true);
    expect(rest.find((row) => row.name === "redis_pubsub")!.broker).toBe(true);
    expect(rest.find((row) => row.kind === "stream" && row.name === "queuelab")!.checkpoints).toBe(true);
    // Only what an entry declares: the batch column follows promises.batch.
    expect(rows.find((row) => row.name === "channel")!.batch).toBe(true);
    expect(rows.find((row) => row.name === "array_fifo")!.batch).toBe(false);
    for (const row of rows) {
      for (const field of ["kind", "mode", "order", "delivery", "bounded", "overflow", "rendezvous", "crossThread", "batch", "origin", "exceptions"]) {
        expect(row).toHaveProperty(field);
      }
    }
    const flatqueue = rows.find((row) => row.name === "flatqueue")!;
    expect(Object.keys(flatqueue.exceptions as object)).toContain("C1");
  });

  test("list --kind queues prints an aligned table naming every registry entry", async () => {
    expect(await main(["list", "--kind", "queues"])).toBe(0);
    const text = printed.join("\n");
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^name\s+kind\s+order\s+delivery\s+bounded\s+overflow/);
    for (const name of Object.keys(registry)) {
      expect(lines.some((line) => line.startsWith(`${name} `))).toBe(true);
    }
    // Aligned: the "order" column starts at the same offset on every entry row.
    const orderAt = lines[0]!.indexOf("order");
    for (const line of lines.slice(2, 2 + Object.keys(registry).length)) {
      expect(line[orderAt - 1]).toBe(" ");
      expect(line[orderAt]).not.toBe(" ");
    }
  });

  test("list prints a titled section a kind; --kind prints one kind alone", async () => {
    expect(await main(["list"])).toBe(0);
    const text = printed.join("\n");
    const at = ["QUEUES AND CHANNELS", "BUSES", "STREAM PROCESSORS", "BUILT-IN SCENARIOS"].map((title) => text.indexOf(`\n${title}`) + 1);
    expect(text.startsWith("QUEUES AND CHANNELS")).toBe(true);
    for (let i = 1; i < at.length; i++) expect(at[i]!).toBeGreaterThan(at[i - 1]!);
    for (const name of Object.keys(buses)) expect(text).toMatch(new RegExp(`\\n${name} +(sync|decoupled)`));
    for (const item of library) expect(text).toMatch(new RegExp(`\\n${item.name} +\\S`));

    printed = [];
    expect(await main(["list", "--kind", "buses"])).toBe(0);
    const busesOnly = printed.join("\n");
    expect(busesOnly.split("\n")[0]).toMatch(/^name\s+dispatch\s+patterns\s+order\s+delivery\s+isolation/);
    expect(busesOnly).not.toContain("array_fifo");
    expect(busesOnly).toContain("limits (topics an entry cannot carry):");

    printed = [];
    expect(await main(["list", "--kind", "scenarios"])).toBe(0);
    const scenarios = printed.join("\n").replace(/\s+/g, " ");
    // Every description in full, however it was wrapped.
    for (const item of library) expect(scenarios).toContain(`${item.name} (${item.file}) ${item.description.replace(/\s+/g, " ")}`);

    printed = [];
    expect(await main(["list", "--kind", "streams", "--json"])).toBe(0);
    expect((JSON.parse(printed.join("\n")) as Array<{ kind: string }>).every((row) => row.kind === "stream")).toBe(true);
  });

  test("an unknown --kind is bad input: exit 2", async () => {
    const errors = spyOn(console, "error").mockImplementation(() => {});
    const stderr = spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main(["list", "--kind", "widgets"])).toBe(2);
    } finally {
      errors.mockRestore();
      stderr.mockRestore();
    }
  });
});
