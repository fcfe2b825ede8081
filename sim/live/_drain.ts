/**
 * The final drain of a live replication, once its window has closed: producers finish (at the
 * planned end they first send what was due and is still unsent), faults under way finish, the
 * channel closes, and the consumers read what is left without doing the work, so the delivery
 * checker sees every message — within a time limit, half of which at most goes to sends still
 * waiting for room.
 * @module
 */
import type { Channel } from "../../queues/types.ts";
import type { LiveClock } from "./_clock.ts";
import type { LiveAccounting } from "./_accounting.ts";
import type { Consumers } from "./_consumers.ts";
import type { Crashes } from "./_crashes.ts";
import type { Producers } from "./_producers.ts";

/** The parts of the replication the drain winds down. */
export interface DrainParts {
  channel: Channel<number>;
  clock: LiveClock;
  books: LiveAccounting;
  producers: Producers;
  consumers: Consumers;
  crashes: Crashes;
}

/** How the drain goes. */
export interface DrainPlan {
  /** Let the producers send what was due before the end (not after an abort or a customer-count stop). */
  catchUp: boolean;
  /** The longest the catching-up may take, ms. */
  lateMs: number;
  /** The longest the drain may take, ms. */
  limitMs: number;
}

/**
 * Winds the replication down; rethrows the first failure of a consumer, a fault or the producer
 * thread. `drained`: every consumer finished reading in time.
 */
export async function drain(parts: DrainParts, plan: DrainPlan): Promise<{ drained: boolean; noConsumerLeft: boolean }> {
  const { channel, clock, books, producers, consumers, crashes } = parts;
  const remote = producers.remote;
  consumers.draining = true;
  if (plan.catchUp) await raceDeadline(producers.done, performance.now() + plan.lateMs);
  producers.stopped = true;
  clock.close();
  // A fault still under way (a broker coming back, a consumer reconnecting) finishes first.
  await Promise.allSettled(crashes.work);
  remote?.stop();
  const drainDeadline = performance.now() + plan.limitMs;
  // Sends still waiting for room get half of it at most: the consumers keep at least the other
  // half to read what was accepted, so that a long line of blocked sends cannot leave acked
  // messages unread (unseen) at the end.
  const sendsDeadline = drainDeadline - plan.limitMs / 2;
  if (remote === undefined) await producers.done;
  else await raceDeadline(remote.sourcesDone, sendsDeadline);
  while (producers.pendingSends > 0 && performance.now() < sendsDeadline && consumers.error === undefined) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  books.closing = true;
  channel.close();
  const ownAlive = consumers.lives.flatMap((life) => (life.own !== undefined && !life.dead ? [life.own] : []));
  for (const handle of ownAlive) handle.close();
  let drained = false;
  await raceDeadline(Promise.allSettled(consumers.running).then(() => void (drained = true)), drainDeadline);
  // Every consumer crashed and none came back: what is still queued was never read, not lost.
  const noConsumerLeft = consumers.lives.every((life) => life.dead);
  if (noConsumerLeft) drained = false;
  if (!drained) consumers.receiveAbort.abort();
  await Promise.allSettled(consumers.running);
  if (remote !== undefined) {
    // Sends still waiting in the producer thread fail on the closed ring: collect those reports.
    await raceDeadline(remote.settled, Math.max(drainDeadline, performance.now() + 200));
    remote.finish();
  }
  await Promise.allSettled([...ownAlive.map((handle) => handle.dispose()), ...crashes.dropped]);
  await channel.dispose?.();
  if (consumers.error !== undefined) throw consumers.error;
  if (crashes.error !== undefined) throw crashes.error;
  if (remote?.error !== undefined) throw remote.error;
  return { drained, noConsumerLeft };
}

/** Waits for `promise`, but not past `deadline` (performance.now() ms). */
async function raceDeadline(promise: Promise<unknown>, deadline: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))));
  await Promise.race([promise, late]);
  clearTimeout(timer);
}
