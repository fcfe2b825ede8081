import { describe, expect, test } from "bun:test";
import { AckQueue } from "./ack_queue.ts";
import { settle } from "./conformance/channel_model.ts";

// The conformance suite runs for this entry in queues/conformance/channel_conformance_test.ts.

describe("ack_queue", () => {
  test("ack_queue consumer receive() waits while its prefetch is used up", async () => {
    const queue = new AckQueue<number>();
    const consumer = queue.consumer({ prefetch: 2 });
    for (let i = 0; i < 5; i++) await queue.send(i);
    const first = await consumer.receive();
    const second = await consumer.receive();
    expect(consumer.tryReceive()).toBeUndefined();
    let third: number | undefined;
    const waiting = consumer.receive().then((d) => (third = d.value));
    await settle();
    expect(third).toBeUndefined();
    first.ack();
    await waiting;
    expect([first.value, second.value, third]).toEqual([0, 1, 2]);
  });

  test("ack_queue consumer close() requeues its unacked deliveries, flagged redelivered", async () => {
    const queue = new AckQueue<string>();
    const lost = queue.consumer({ prefetch: 10 });
    const other = queue.consumer();
    await queue.send("a");
    await queue.send("b");
    await queue.send("c");
    const a = await lost.receive();
    const b = await lost.receive();
    a.ack();
    expect(b.value).toBe("b");
    lost.close();
    await expect(lost.receive()).rejects.toThrow();
    const again = await other.receive();
    expect([again.value, again.redelivered, again.attempt]).toEqual(["b", true, 2]);
    b.ack(); // ignored: the delivery was already settled by the loss
    again.ack();
    const c = await other.receive();
    expect([c.value, c.redelivered]).toEqual(["c", false]);
    c.ack();
    expect(queue.unacked).toBe(0);
  });

  test("ack_queue dead-letters after maxDeliveries and on nack(false)", async () => {
    const queue = new AckQueue<string>({ maxDeliveries: 2 });
    await queue.send("poison");
    await queue.send("bad");
    const first = await queue.receive();
    expect(first.value).toBe("poison");
    first.nack();
    const second = await queue.receive();
    expect([second.value, second.attempt]).toEqual(["poison", 2]);
    second.nack();
    const bad = await queue.receive();
    expect(bad.value).toBe("bad");
    bad.nack(false);
    expect(queue.tryReceive()).toBeUndefined();
    expect(queue.deadLetters).toEqual([
      { value: "poison", attempts: 2, reason: "delivery-limit" },
      { value: "bad", attempts: 1, reason: "rejected" },
    ]);
  });

  test("ack_queue a receive on a closed queue waits for unacked deliveries before it ends", async () => {
    const queue = new AckQueue<number>();
    await queue.send(1);
    const delivery = await queue.receive();
    queue.close();
    const next = queue.receive();
    delivery.nack();
    expect((await next).value).toBe(1);
    (await next).ack();
    await expect(queue.receive()).rejects.toThrow("closed");
  });
});
