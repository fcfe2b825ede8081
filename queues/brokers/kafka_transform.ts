/**
 * Consume-transform-produce on Kafka, exactly once: records read from one topic by a consumer
 * group are transformed and produced to another inside a transaction that also commits the
 * group's offsets (Kafka's `sendOffsetsToTransaction`), so the output and the input's progress
 * are written together or not at all. A worker that dies mid-transaction leaves it open; the
 * next worker with the same `transactionalId` fences it (the broker aborts it), and reading the
 * output with `read_committed` never sees its records. Without transactions
 * (`transactional: false`: produce, then commit the offsets) the same crash gives duplicates.
 * @module
 */
import { Consumer, type Message, Producer, stringDeserializers, stringSerializers } from "@platformatic/kafka";
import { bootstrapBrokers } from "./kafka.ts";

/** What one transform worker does. */
export interface TransformOptions {
  url: string;
  from: string;
  to: string;
  group: string;
  /** Exactly once (default) or at-least-once (produce, then commit the offsets). */
  transactional?: boolean;
  /** The transactional id; the same for a worker that takes over from a dead one. */
  transactionalId: string;
  transform: (value: string) => string;
  /** Most records per transaction (default 50). */
  batch?: number;
  /** Stop after this many records have been read (a bounded run). */
  stopAfter: number;
  /**
   * Die (close everything at once, no commit) in the middle of batch number `crashInBatch`
   * (1-based): after its records are produced, before the commit.
   */
  crashInBatch?: number;
  /** Longest wait for the next record, in ms (default 5,000): the run ends there. */
  idleMs?: number;
}

/** How a worker's run ended. */
export interface TransformRun {
  read: number;
  committedBatches: number;
  crashed: boolean;
}

/** Runs one worker until `stopAfter` records, a crash, or `idleMs` without a record. */
export async function runTransform(options: TransformOptions): Promise<TransformRun> {
  const transactional = options.transactional ?? true;
  const common = { bootstrapBrokers: bootstrapBrokers(options.url), retries: 10, retryDelay: 250 };
  const consumer = new Consumer<string, string, string, string>({
    ...common,
    clientId: `${options.transactionalId}-consumer`,
    groupId: options.group,
    deserializers: stringDeserializers,
    sessionTimeout: 6000,
    heartbeatInterval: 1000,
    maxWaitTime: 100,
  });
  const producer = new Producer<string, string, string, string>({
    ...common,
    clientId: `${options.transactionalId}-producer`,
    serializers: stringSerializers,
    idempotent: true,
    acks: -1,
    ...(transactional ? { transactionalId: options.transactionalId } : {}),
  });
  const run: TransformRun = { read: 0, committedBatches: 0, crashed: false };
  const stream = await consumer.consume({ topics: [options.from], mode: "committed", fallbackMode: "earliest", autocommit: false });
  const size = options.batch ?? 50;
  const idleMs = options.idleMs ?? 5000;
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Message<string, string, string, string>>;
  try {
    let batchNumber = 0;
    while (run.read < options.stopAfter) {
      const batch: Message<string, string, string, string>[] = [];
      while (batch.length < size && run.read + batch.length < options.stopAfter) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const next = await Promise.race([
          iterator.next(),
          new Promise<undefined>((resolve) => void (timer = setTimeout(() => resolve(undefined), batch.length === 0 ? idleMs : 50))),
        ]);
        clearTimeout(timer);
        if (next === undefined || next.done) break;
        batch.push(next.value);
      }
      if (batch.length === 0) break;
      batchNumber++;
      run.read += batch.length;
      const messages = batch.map((m) => ({ topic: options.to, value: options.transform(m.value), ...(m.key ? { key: m.key } : {}) }));
      const crash = options.crashInBatch === batchNumber;
      if (transactional) {
        // producerId -1, epoch -1: "a new producer" in InitProducerId. @platformatic/kafka 2.12.1
        // sends 0 and 0 unless told, which the broker answers with PRODUCER_FENCED when an earlier
        // producer of this transactional id left a transaction open — exactly the take-over here.
        const transaction = await producer.beginTransaction({ producerId: -1n, producerEpoch: -1 });
        await transaction.send({ messages });
        if (crash) {
          run.crashed = true;
          break; // produced, never committed: the transaction stays open until fenced
        }
        await transaction.addConsumer(consumer);
        for (const last of lastPerPartition(batch)) await transaction.addOffset(last);
        await transaction.commit();
      } else {
        await producer.send({ messages });
        if (crash) {
          run.crashed = true;
          break; // produced, offsets never committed: the next worker reads the batch again
        }
        const offsets = lastPerPartition(batch).map((m) => ({ topic: m.topic, partition: m.partition, offset: m.offset + 1n, leaderEpoch: m.leaderEpoch }));
        await consumer.commit({ offsets });
      }
      run.committedBatches++;
    }
  } finally {
    await stream.close().catch(() => {});
    await consumer.close(true).catch(() => {});
    await producer.close(true).catch(() => {});
  }
  return run;
}

/** The last record read from each partition (its offset + 1 is what the group commits). */
function lastPerPartition(batch: Message<string, string, string, string>[]): Message<string, string, string, string>[] {
  const last = new Map<number, Message<string, string, string, string>>();
  for (const message of batch) last.set(message.partition, message);
  return [...last.values()];
}
