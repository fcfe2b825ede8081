// The broker-independent part of the adapters, over a driver in memory: how sends wait for room
// under block. No broker needed, no timing asserted beyond counts of calls.
import { describe, expect, test } from "bun:test";
import { BrokerChannel, type BrokerDriver } from "./_broker_channel.ts";
import { ChannelClosedError } from "../types.ts";

/** A driver whose broker refuses every publish while `full`, and records what it took. */
class FullDriver implements BrokerDriver {
  readonly broker = "memory";
  full = true;
  publishes = 0;
  taken: string[] = [];
  publish(body: string): Promise<"accepted" | "full"> {
    this.publishes++;
    if (this.full) return Promise.resolve("full");
    this.taken.push(body);
    return Promise.resolve("accepted");
  }
  startConsuming(): void {}
  backlog(): Promise<number> {
    return Promise.resolve(0);
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

describe("BrokerChannel under block", () => {
  test("sends waiting for room line up: one asks the broker at a time, and they get in in send order", async () => {
    const driver = new FullDriver();
    const channel = new BrokerChannel<number>(driver, { capacity: 1, overflow: "block" }, 0);
    let told = 0;
    const sends = Array.from({ length: 100 }, (_, i) => channel.send(i, { onWait: () => void told++ }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(told).toBe(100);
    // Issued together, each send asked once before any answer came back (100); refused, they
    // lined up, and only the first in line asked again, every 1, 2, 4, then 5 ms: at most ~50
    // times in 200 ms. Each send retrying on its own (1 → 50 ms) asked about 900 times.
    expect(driver.publishes).toBeLessThan(100 + 60);
    // A send made while others wait joins the line without asking the broker.
    const before = driver.publishes;
    const late = channel.send(100, { onWait: () => void told++ });
    expect(told).toBe(101);
    expect(driver.publishes).toBe(before);
    sends.push(late);
    driver.full = false;
    expect(await Promise.all(sends)).toEqual(Array.from({ length: 101 }, () => "accepted"));
    expect(driver.taken.map(Number)).toEqual(Array.from({ length: 101 }, (_, i) => i));
    await channel.dispose();
  });

  test("close releases every send in the line, and an aborted one leaves it to the next", async () => {
    const driver = new FullDriver();
    const channel = new BrokerChannel<number>(driver, { capacity: 1, overflow: "block" }, 0);
    const first = channel.send(0);
    const controller = new AbortController();
    const second = channel.send(1, { signal: controller.signal });
    const third = channel.send(2);
    for (const sending of [first, second, third]) sending.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(new Error("gave up"));
    await expect(second).rejects.toThrow("gave up");
    channel.close();
    await expect(first).rejects.toBeInstanceOf(ChannelClosedError);
    await expect(third).rejects.toBeInstanceOf(ChannelClosedError);
    expect(driver.taken).toEqual([]);
    await channel.dispose();
  });
});
