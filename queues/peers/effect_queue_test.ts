import { expect, test } from "bun:test";
import { effectQueuePeer } from "./effect_queue_entry.ts";

// The conformance suite runs for this entry in queues/conformance/channel_conformance_test.ts.

test("effect_queue create() refuses strategies Effect cannot report", () => {
  expect(() => effectQueuePeer.create({ capacity: 2, overflow: "drop-oldest" })).toThrow(RangeError);
  expect(() => effectQueuePeer.create({ capacity: 2, overflow: "reject" })).toThrow(RangeError);
});
