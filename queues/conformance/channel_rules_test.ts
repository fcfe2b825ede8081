// The conformance rules themselves can fail: a channel that breaks a rule is caught by it.
import { describe, expect, test } from "bun:test";
import { channel } from "../channel.ts";
import type { Channel, ChannelOptions } from "../types.ts";
import { CHANNEL_RULES, type RuleContext } from "./channel_rules.ts";

/** A context over the in-process channel; `keep` sees every item received. */
function contextOver(keep: (item: unknown) => void): RuleContext {
  return {
    name: "leaky",
    entry: channel,
    network: false,
    stackPairs: 100,
    numbersOnly: false,
    stream: false,
    async open<T>(extra?: ChannelOptions<T>): Promise<Channel<T>> {
      const inner = await channel.create<T>(extra);
      const receive = inner.receive.bind(inner);
      inner.receive = async (...args) => {
        const delivery = await receive(...args);
        keep(delivery.value);
        return delivery;
      };
      return inner;
    },
    async shut(c) {
      c.close();
    },
    modelRun: () => Promise.reject(new Error("not used")),
    interleavings: () => Promise.reject(new Error("not used")),
  };
}

describe("C10 no leaks", () => {
  const gc = (globalThis as { Bun?: unknown }).Bun;
  test.skipIf(gc === undefined)("fails for a channel that keeps every item it delivered", async () => {
    const kept: unknown[] = [];
    const [leak] = CHANNEL_RULES.C10(contextOver((item) => kept.push(item)));
    await expect(leak!.body()).rejects.toThrow();
    expect(kept.length).toBe(16);
  });

  test.skipIf(gc === undefined)("passes for the same channel when nothing keeps them", async () => {
    const [clean] = CHANNEL_RULES.C10(contextOver(() => {}));
    await clean!.body();
  });
});
