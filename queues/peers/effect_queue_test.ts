import { expect, test } from "bun:test";
import { effectQueuePeer } from "./effect_queue.ts";
import { channelConformance } from "../conformance/channel_suite.ts";

channelConformance("effect_queue", effectQueuePeer);

test("effect_queue create() refuses strategies Effect cannot report", () => {
  expect(() => effectQueuePeer.create({ capacity: 2, overflow: "drop-oldest" })).toThrow(RangeError);
  expect(() => effectQueuePeer.create({ capacity: 2, overflow: "reject" })).toThrow(RangeError);
});
