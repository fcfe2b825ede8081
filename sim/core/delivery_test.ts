import { describe, expect, test } from "bun:test";
import { DeliveryChecker } from "./delivery.ts";

/** Attempts and acks `n` messages of `producer`. */
function sendAll(checker: DeliveryChecker, producer: number, n: number): void {
  for (let seq = 0; seq < n; seq++) {
    checker.attempted(producer, seq);
    checker.acked(producer, seq);
  }
}

describe("DeliveryChecker", () => {
  test("counts() of a clean run: everything acked is delivered once, in order", () => {
    const checker = new DeliveryChecker();
    sendAll(checker, 0, 100);
    sendAll(checker, 1, 50);
    for (let seq = 0; seq < 100; seq++) checker.received(0, seq);
    for (let seq = 0; seq < 50; seq++) checker.received(1, seq);
    const c = checker.counts();
    expect(c).toMatchObject({ attempted: 150, acked: 150, delivered: 150, lost: 0, duplicated: 0, reordered: 0, unexpected: 0 });
    expect(checker.caughtUp()).toBe(true);
  });

  test("counts() catches acked-but-never-delivered and says where the gap is", () => {
    const checker = new DeliveryChecker();
    sendAll(checker, 0, 10);
    for (const seq of [2, 3, 5, 6]) checker.received(0, seq);
    const c = checker.counts();
    expect(c.lost).toBe(6);
    expect(c.lostBefore).toBe(2); // 0, 1
    expect(c.lostBetween).toBe(1); // 4
    expect(c.lostAfter).toBe(3); // 7, 8, 9
    expect(checker.caughtUp()).toBe(false);
  });

  test("counts({ drained: false }) calls the tail unseen, not lost", () => {
    const checker = new DeliveryChecker();
    sendAll(checker, 0, 10);
    for (let seq = 0; seq < 7; seq++) checker.received(0, seq);
    const c = checker.counts({ drained: false });
    expect(c.lost).toBe(0);
    expect(c.unseen).toBe(3);
  });

  test("counts({ drained: false }) of a producer acked out of order (block retries): every undelivered one is unseen", () => {
    // Sends 0–9 wait for room and are accepted in the order the retries win: 0, 1, 5, 2, 3, …
    const order = [0, 1, 5, 2, 3, 6, 4, 7, 8, 9];
    const checker = new DeliveryChecker();
    for (const seq of order) checker.attempted(0, seq);
    for (const seq of order) checker.acked(0, seq);
    // The consumer read what was accepted first, then the drain ran out of time.
    for (const seq of [0, 1, 5, 2]) checker.received(0, seq);
    const undrained = checker.counts({ drained: false });
    expect({ lost: undrained.lost, unseen: undrained.unseen }).toEqual({ lost: 0, unseen: 6 });
    // Drained, the same gaps are losses; acked in order, a gap before the last delivered one is one.
    expect(checker.counts().lost).toBe(6);
    const inOrder = new DeliveryChecker();
    sendAll(inOrder, 0, 10);
    for (const seq of [0, 1, 2, 5]) inOrder.received(0, seq);
    const c = inOrder.counts({ drained: false });
    expect({ lost: c.lost, lostBetween: c.lostBetween, unseen: c.unseen }).toEqual({ lost: 2, lostBetween: 2, unseen: 4 });
  });

  test("withdrawn(): a send still waiting for room at the end is settled, neither failed nor lost", () => {
    const checker = new DeliveryChecker();
    for (let seq = 0; seq < 5; seq++) checker.attempted(0, seq);
    for (let seq = 0; seq < 3; seq++) checker.acked(0, seq);
    checker.withdrawn(0, 3);
    checker.withdrawn(0, 4);
    for (let seq = 0; seq < 3; seq++) checker.received(0, seq);
    const c = checker.counts();
    expect(c).toMatchObject({ attempted: 5, acked: 3, withdrawn: 2, failed: 0, indeterminate: 0, lost: 0, delivered: 3 });
    expect(c.acked + c.withdrawn! + c.failed + c.indeterminate + c.droppedByPolicy).toBe(c.attempted);
  });

  test("received() counts duplicates, reordering (per scope), unexpected messages", () => {
    const checker = new DeliveryChecker();
    sendAll(checker, 0, 4);
    checker.received(0, 0);
    checker.received(0, 2);
    checker.received(0, 1); // below 2: reordered
    checker.received(0, 2); // again: duplicated
    checker.received(0, 3);
    checker.received(3, 0); // never attempted
    // Two consumers in parallel: each sees increasing sequences, so nothing is reordered.
    sendAll(checker, 1, 4);
    checker.received(1, 1, "consumer 1");
    checker.received(1, 0, "consumer 0");
    checker.received(1, 3, "consumer 1");
    checker.received(1, 2, "consumer 0");
    const c = checker.counts();
    expect(c.reordered).toBe(1);
    expect(c.duplicated).toBe(1);
    expect(c.unexpected).toBe(1);
    expect(c.delivered).toBe(4 + 1 + 4);
  });

  test("counts() separates policy drops, failures, and indeterminate sends that arrived anyway", () => {
    const checker = new DeliveryChecker();
    for (let seq = 0; seq < 6; seq++) checker.attempted(0, seq);
    checker.acked(0, 0);
    checker.droppedByPolicy(0, 1); // refused
    checker.acked(0, 2);
    checker.droppedByPolicy(0, 2); // evicted after acceptance: said, not lost
    checker.failed(0, 3);
    checker.indeterminate(0, 4);
    // seq 5: never settled: indeterminate at the end
    checker.received(0, 0);
    checker.received(0, 3);
    checker.received(0, 4);
    const c = checker.counts();
    expect(c).toMatchObject({
      attempted: 6,
      acked: 2,
      droppedByPolicy: 2,
      failed: 1,
      indeterminate: 2,
      lost: 0,
      recovered: 1,
      failedButDelivered: 1,
      delivered: 3,
    });
  });

  test("abandoned(): a crashed consumer's unacked message counts until it is received again", () => {
    const checker = new DeliveryChecker();
    sendAll(checker, 0, 4);
    for (let seq = 0; seq < 4; seq++) checker.received(0, seq);
    checker.abandoned(0, 2); // in service when its consumer died
    checker.abandoned(0, 3);
    checker.received(0, 2); // delivered again to another consumer
    const c = checker.counts();
    expect(c).toMatchObject({ delivered: 4, lost: 0, abandoned: 1, duplicated: 1 });
  });
});
