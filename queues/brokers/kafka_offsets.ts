/**
 * A consumer group's offsets, committed and read over a connection of the adapter's own to the
 * group's coordinator (Kafka's OffsetCommit v8 and OffsetFetch v8), beside the client's consumer.
 *
 * Why not `Consumer.commit`: @platformatic/kafka 2.12.1 answers a commit refused with a rejoin
 * error (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID) by sending JoinGroup and
 * committing again. A commit sent in one generation and answered after the member had already
 * rejoined into the next makes it join once more; the group's metadata carries the owned
 * partitions, so that join starts a new rebalance, whose commits fail the same way: with a commit
 * after every processed record, a group of three never settled (a new generation every heartbeat,
 * each re-reading from the committed offsets). Here a refused commit is only refused: the member
 * rejoins when its heartbeat says so, and the records of the refused commit come again.
 *
 * A commit also carries metadata, `d=<offset>`: the highest offset of the partition any member of
 * the group has handed out (see `kafka.ts`: how a redelivery is told from a first delivery).
 * @module
 */
import { Connection, findCoordinatorV4, offsetCommitV8, offsetFetchV8 } from "@platformatic/kafka";
import { bootstrapBrokers } from "./kafka_client.ts";

/** What a commit writes for one partition. */
export interface PartitionCommit {
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  /** The highest offset of the partition handed out by the group so far (-1: none). */
  delivered: bigint;
}

/** What the group has committed for one partition. */
export interface Committed {
  /** -1 when nothing was committed. */
  offset: bigint;
  /** From the commit's metadata; -1 when it carried none. */
  delivered: bigint;
}

/** Kafka's error codes that say the coordinator is elsewhere (or not ready): find it again. */const NOT_COORDINATOR = new Set([14 /* COORDINATOR_LOAD_IN_PROGRESS */, 15 /* COORDINATOR_NOT_AVAILABLE */, 16 /* NOT_COORDINATOR */]);

/** The metadata text of a commit, and back. */
export function deliveredMetadata(delivered: bigint): string {
  return `d=${delivered}`;
}
export function parseDelivered(metadata: string | null | undefined): bigint {
  const match = /^d=(-?\d+)$/.exec(metadata ?? "");
  return match ? BigInt(match[1]!) : -1n;
}

export class GroupOffsets {
  #connection: Promise<Connection> | undefined;
  readonly #brokers: string[];

  constructor(
    url: string,
    readonly groupId: string,
    readonly clientId: string,
    readonly timeoutMs: number,
  ) {
    this.#brokers = bootstrapBrokers(url);
  }

  async #connect(host: string, port: number): Promise<Connection> {
    const connection = new Connection(this.clientId, { connectTimeout: this.timeoutMs, requestTimeout: Math.max(5000, this.timeoutMs) });
    connection.on("error", () => {}); // a broker that went away: the next call connects again
    await connection.connect(host, port);
    return connection;
  }

  /** A connection to the group's coordinator (found through a bootstrap broker), kept while it lives. */
  #coordinator(): Promise<Connection> {
    this.#connection ??= (async () => {
      let lastError: unknown;
      for (const broker of this.#brokers) {
        const [host, port] = [broker.slice(0, broker.lastIndexOf(":")), Number(broker.slice(broker.lastIndexOf(":") + 1))];
        let bootstrap: Connection | undefined;
        try {
          bootstrap = await this.#connect(host, port);
          const found = await findCoordinatorV4.api.async(bootstrap, 0, [this.groupId]);
          const coordinator = found.coordinators[0]!;
          if (coordinator.host === host && coordinator.port === port) {
            const same = bootstrap;
            bootstrap = undefined;
            return same;
          }
          return await this.#connect(coordinator.host, coordinator.port);
        } catch (error) {
          lastError = error;
        } finally {
          await bootstrap?.close().catch(() => {});
        }
      }
      throw lastError;
    })();
    const pending = this.#connection;
    pending.catch(() => {
      if (this.#connection === pending) this.#connection = undefined;
    });
    return pending;
  }

  /** Forgets the coordinator connection (it failed, or the coordinator moved). */
  async #reset(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    await connection?.then((c) => c.close()).catch(() => {});
  }

  /**
   * Commits as member `memberId` of generation `generationId`. Returns the partitions the broker
   * took; the others were refused (the group is rebalancing or has moved on: no rejoin from here).
   * Throws when the coordinator cannot be reached.
   */
  async commit(topic: string, generationId: number, memberId: string, offsets: readonly PartitionCommit[]): Promise<Set<number>> {
    const partitions = offsets.map((o) => ({
      partitionIndex: o.partition,
      committedOffset: o.offset,
      committedLeaderEpoch: o.leaderEpoch,
      committedMetadata: deliveredMetadata(o.delivered),
    }));
    let response;
    try {
      response = await offsetCommitV8.api.async(await this.#coordinator(), this.groupId, generationId, memberId, null, [{ name: topic, partitions }]);
    } catch (error) {
      const answered = (error as { response?: typeof response }).response;
      if (answered === undefined) {
        await this.#reset();
        throw error;
      }
      response = answered;
    }
    const taken = new Set<number>();
    let moved = false;
    for (const t of response.topics) {
      for (const p of t.partitions) {
        if (p.errorCode === 0) taken.add(p.partitionIndex);
        else if (NOT_COORDINATOR.has(p.errorCode)) moved = true;
      }
    }
    if (moved) await this.#reset();
    return taken;
  }

  /** What the group has committed for `partitions` of `topic` (offset and the delivered mark). */
  async fetch(topic: string, partitions: readonly number[]): Promise<Map<number, Committed>> {
    let response;
    try {
      response = await offsetFetchV8.api.async(await this.#coordinator(), [{ groupId: this.groupId, memberEpoch: -1, topics: [{ name: topic, partitionIndexes: [...partitions] }] }], false);
    } catch (error) {
      await this.#reset();
      throw error;
    }
    const out = new Map<number, Committed>();
    for (const t of response.groups[0]?.topics ?? []) {
      for (const p of t.partitions) out.set(p.partitionIndex, { offset: p.committedOffset, delivered: parseDelivered(p.metadata) });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.#reset();
  }
}
