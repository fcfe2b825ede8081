/**
 * The faults of live runs (the scenario's `faults`), the parts the engine sets up around a
 * replication: the consumer handles a crash can drop, the broker restart as a timed action, and
 * the notes that say what the faults did. The crash and the stall themselves, which act on the
 * consumers, are in `_crashes.ts`.
 * @module
 */
import type { AckQueue } from "../../queues/ack_queue.ts";
import type { BrokerServer } from "../../queues/brokers/mod.ts";
import { getEntry } from "../../queues/mod.ts";
import type { Channel } from "../../queues/types.ts";
import type { FaultOutcome } from "../../result/result.ts";
import type { Fault } from "../../scenarios/_faults.ts";
import type { ConsumerHandle, LiveReplicationOutput } from "./_replication.ts";
import type { TimedAction } from "./_crashes.ts";

/** How long a restarted broker stays down by default, in seconds. */
export const DEFAULT_DOWN = 0.5;

/** A broker consumer's own handle: a crash drops its connection, with what it fetched, unacked. */
export function brokerConsumer(own: Channel<number> & { buffered?: number }): ConsumerHandle {
  return {
    receiver: own,
    buffered: () => own.buffered ?? 0,
    crash: async () => void (await own.dispose?.()), // the connection drops, nothing acked
    close: () => own.close(),
    dispose: async () => void (await own.dispose?.()),
  };
}

/** An ack_queue consumer of its own: losing it requeues what it held (prefetch 1). */
export function ackQueueConsumer(queue: AckQueue<number>): ConsumerHandle {
  const own = queue.consumer({ prefetch: 1 });
  return {
    receiver: own,
    buffered: () => 0,
    crash: async () => own.close(),
    close: () => {}, // the queue's close ends its consumers' receives once drained
    dispose: async () => own.close(),
  };
}

/**
 * The broker-restart fault as a timed action: stop the private broker (`mode`), wait `down`
 * seconds, start it again on the same data, and say how long it was away.
 */
export function restartAction(
  server: BrokerServer & { program: string },
  restart: Extract<Fault, { kind: "broker-restart" }>,
  replication: number,
): TimedAction {
  return {
    at: restart.at * 1000,
    run: async (now) => {
      const mode = restart.mode ?? "crash";
      const at = now();
      await server.stop(mode);
      await new Promise((resolve) => setTimeout(resolve, (restart.down ?? DEFAULT_DOWN) * 1000));
      await server.start();
      const until = now();
      return {
        kind: "broker-restart",
        replication,
        at: at / 1000,
        until: until / 1000,
        port: server.port,
        mode,
        summary: `the private ${server.program} on port ${server.port} was ${mode === "crash" ? "killed (SIGKILL)" : "stopped (SIGTERM)"} ` +
          `at ${(at / 1000).toFixed(3)} s and answered again at ${(until / 1000).toFixed(3)} s`,
      } satisfies FaultOutcome;
    },
  };
}

/** "1 message", "3 messages". */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What the faults did, in sentences: how many messages came back, and what it cost. */
export function faultNotes(station: { queue: string }, outcomes: FaultOutcome[], outputs: LiveReplicationOutput[]): string[] {
  if (outcomes.length === 0) return [];
  const can = getEntry(station.queue).capabilities ?? {};
  const notes: string[] = [];
  const first = outcomes.filter((o) => o.replication === 0);
  for (const outcome of first) notes.push(`Fault (replication 0): ${outcome.summary}.`);
  notes.push("Theory describes the same system without faults: the gap between it and these measurements is what the faults cost.");
  const total = (key: "duplicated" | "lost" | "abandoned") => outputs.reduce((a, o) => a + (o.delivery[key] ?? 0), 0);
  const duplicated = total("duplicated");
  const lost = total("lost");
  const abandoned = total("abandoned");
  const crashes = outcomes.filter((o) => o.kind === "consumer-crash");
  const held = crashes.reduce((a, o) => a + (o.held ?? 0), 0);
  const consumers = crashes.length > 1 ? "consumers" : "consumer";
  if (held > 0) {
    notes.push(
      abandoned === 0 && lost === 0
        ? `The ${count(held, "unacked delivery", "unacked deliveries")} the crashed ${consumers} held came back and were served; ` +
          `${count(duplicated, "reception was a duplicate", "receptions were duplicates")} (counted, not failed: at-least-once), ` +
          "and their sojourn times include the wait for redelivery."
        : `The crashed ${consumers} held ${count(held, "unacked delivery", "unacked deliveries")}; ` +
          `${count(abandoned, "message")} in service never came back (abandoned) and ` +
          `${count(lost, "acked message was", "acked messages were")} never delivered (lost)` +
          (can.acksOnArrival !== undefined
            ? `: ${can.acksOnArrival}, so what a dead consumer had fetched is gone`
            : can.ownConsumer !== undefined
            ? outputs.some((o) => o.noConsumerLeft) ? ": they went back to the queue, but no consumer was left to take them" : ""
            : `: ${station.queue} is an in-process queue without acks — what a consumer took dies with it`) + ".",
    );
  }
  const refusedAcks = outputs.reduce((a, o) => a + o.ackFailures, 0);
  if (crashes.length > 0 && refusedAcks > 0 && !outcomes.some((o) => o.kind === "broker-restart")) {
    notes.push(
      `${count(refusedAcks, "ack", "acks")} of the surviving consumers ${refusedAcks === 1 ? "was" : "were"} refused by ${station.queue} ` +
        "(the work was done, but the message had meanwhile gone to another consumer — a rebalance after the crash or the restart — " +
        "which received it again): each such message may be one of the duplicates.",
    );
  }
    const orphaned = outputs.filter((o) => o.noConsumerLeft);
  if (orphaned.length > 0) {
    const unseen = orphaned.reduce((a, o) => a + o.delivery.unseen, 0);
    notes.push(
      `No consumer was left at the end of ${orphaned.length} replication(s) (crashed, and not restarted): the ${unseen} ` +
        "acked messages still queued were never read — counted as unseen, not lost.",
    );
  }
  if (outcomes.some((o) => o.kind === "broker-restart")) {
    const sum = (key: "failed" | "indeterminate") => outputs.reduce((a, o) => a + o.delivery[key], 0);
    const failed = sum("failed");
    const unknown = sum("indeterminate");
    const ackFailures = outputs.reduce((a, o) => a + o.ackFailures, 0);
    const crash = outcomes.some((o) => o.kind === "broker-restart" && o.mode === "crash");
    notes.push(
      (lost === 0
        ? `Through the broker restart nothing acked was lost; ${count(duplicated, "duplicate reception")} ` +
          "(a message delivered twice: its ack was not stored before the stop, or its publish was sent again after the confirm was lost)"
        : `Through the broker restart ${count(lost, "acked message was", "acked messages were")} lost` +
          (crash && can.crashLoses !== undefined ? `: ${can.crashLoses}` : "")) +
        (failed + unknown > 0
          ? `. ${count(failed, "send")} failed while it was down (the producer was told: not a loss)` +
            (unknown > 0 ? ` and ${unknown} never got an answer (indeterminate)` : "")
          : "") +
        (ackFailures > 0 ? `; ${count(ackFailures, "consumer ack")} failed (the work was done; those messages may come again)` : "") +
        ".",
    );
  }
  return notes;
}
