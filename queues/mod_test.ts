import { describe, expect, test } from "bun:test";
import { createQueue, entryNames, getEntry, registry } from "./mod.ts";
import { RESTARTABLE } from "./brokers/instance.ts";

describe("registry", () => {
  test("getEntry() returns the entry for a known name", () => {
    expect(getEntry("ring_buffer")).toBe(registry.ring_buffer);
  });

  test("getEntry() on an unknown name throws, naming it and listing the known names", () => {
    expect(() => getEntry("ring_bufer")).toThrow(/"ring_bufer".*ring_buffer/);
  });

  test("createQueue() makes a working queue for every queue-kind entry", () => {
    for (const name of entryNames()) {
      const entry = getEntry(name);
      if (entry.kind !== "queue") continue;
      const queue = createQueue<string>(name, entry.promises.bounded === true ? { capacity: 4 } : {});
      expect(queue.offer("x", 0)).toBe(true);
      expect(queue.poll()).toBe("x");
    }
  });

  test("createQueue() throws on an entry that makes channels", () => {
    const channelName = entryNames().find((name) => getEntry(name).kind === "channel");
    if (channelName === undefined) return; // no channel registered yet
    expect(() => createQueue(channelName)).toThrow(/channel/);
  });

  test("every entry declares a description, an origin and its promises", () => {
    for (const name of entryNames()) {
      const entry = getEntry(name);
      expect(entry.description.length).toBeGreaterThan(0);
      expect(entry.origin.length).toBeGreaterThan(0);
      expect(Array.isArray(entry.promises.overflow)).toBe(true);
    }
  });

  test("capabilities: an entry that says it is restartable is one the private-broker launcher knows, and the reverse", () => {
    const restartable = entryNames().filter((name) => getEntry(name).capabilities?.restartable === true);
    expect((restartable as string[]).sort()).toEqual([...RESTARTABLE].sort());
  });

  test("capabilities: consumers of their own are declared by entries that can give them, and only channels make threads of producers", () => {
    for (const name of entryNames()) {
      const can = getEntry(name).capabilities ?? {};
      if (can.ownConsumer === "connection") expect(can.broker).toBe(true);
      if (can.producerThread || can.ownConsumer !== undefined) expect(getEntry(name).kind).toBe("channel");
      if (can.fanOut || can.acksOnArrival !== undefined || can.crashLoses !== undefined) expect(can.broker).toBe(true);
    }
  });
});
