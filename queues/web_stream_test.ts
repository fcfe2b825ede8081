import { expect, test } from "bun:test";
import { webStream } from "./web_stream.ts";

// The conformance suite runs for this entry in queues/conformance/channel_conformance_test.ts.

test("web_stream writable pipes into the channel with backpressure", async () => {
  const channel = webStream.create<number>({ capacity: 2 });
  const source = new ReadableStream<number>({
    start(controller) {
      for (let i = 0; i < 10; i++) controller.enqueue(i);
      controller.close();
    },
  });
  const piping = source.pipeTo(channel.writable);
  const seen: number[] = [];
  for await (const delivery of channel) {
    seen.push(delivery.value);
    expect(channel.size).toBeLessThanOrEqual(2);
  }
  await piping;
  expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test("web_stream create() refuses drop-oldest and an infinite capacity", () => {
  expect(() => webStream.create({ capacity: 2, overflow: "drop-oldest" })).toThrow(RangeError);
  expect(() => webStream.create({ capacity: Infinity })).toThrow(RangeError);
});
