/**
 * RabbitMQ behind the Channel contract (amqplib), on a durable classic queue.
 *
 * - send: `sendToQueue` on a confirm channel, persistent; resolves on the broker's confirm.
 *   Bounded channels declare `x-max-length` = capacity with `x-overflow`: `drop-head` for
 *   `drop-oldest` (the evicted message goes to the dead-letter exchange, reason maxlen), and
 *   `reject-publish` for the rest (the broker nacks the publish: `block` retries, `drop-newest`
 *   refuses, `reject` throws).
 * - receive: a consumer with manual acks and `basic.qos` prefetch (`settings.prefetch`, default
 *   64); with prefetch 0, one `basic.get` per waiting receive instead.
 * - ack / nack: `basic.ack`; a nack republishes the message (confirmed) with its next attempt in
 *   the header `x-queuelab-attempt`, then acks the original (so it comes back at the tail; a crash
 *   in between gives a duplicate, never a loss). Past `maxDeliveries` (or `requeue` false) the
 *   message is published (confirmed) to the dead-letter queue `<queue>.dead`, then acked.
 * - consumer loss: the broker requeues what the lost consumer held; attempt = header + 1 when the
 *   broker flags the delivery `redelivered`.
 * - capacity: `x-max-length` counts ready messages only; deliveries a consumer has fetched and
 *   not acked are outside it.
 * - why classic, not quorum: a quorum queue (3.10) checks reject-publish after the enqueue (one
 *   message past the limit gets in) and then keeps refusing until the queue falls below a lower
 *   mark, so `block` and `drop-newest` would not be exact; its `x-delivery-count` is not needed
 *   with the attempt header.
 *
 * Settings: `url` (default amqp://guest:guest@127.0.0.1:5672), `name` (the queue, default
 * unique), `prefetch`, `cleanup` (default true: dispose deletes the queue, the dead-letter queue,
 * and under drop-oldest the eviction exchange and queue), `connectTimeoutMs` (default 3000).
 * @module
 */
import amqp from "amqplib";
import type { Channel as AmqpChannel, ChannelModel, ConfirmChannel, ConsumeMessage, GetMessage } from "amqplib";
import type { ChannelOptions } from "../types.ts";
import { BrokerChannel, type BrokerDriver, type Incoming, setting, uniqueName } from "./_broker_channel.ts";
import { BrokerUnavailableError, describeConnectError, withTimeout } from "./errors.ts";

export const RABBITMQ_DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672";

/** The attempt a republished (nacked) message is on; absent on a first publish. */
const ATTEMPT_HEADER = "x-queuelab-attempt";
const PERSISTENT = { persistent: true };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The URL without its password, for messages. */
function shown(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

/** Connects, or throws BrokerUnavailableError within `timeoutMs`. */
export async function connectRabbitMq(url: string, timeoutMs: number): Promise<ChannelModel> {
  const connecting = amqp.connect(url, { timeout: timeoutMs });
  try {
    const connection = await withTimeout(connecting, timeoutMs, "connect");
    connection.on("error", () => {}); // surfaced through the failing operations
    return connection;
  } catch (error) {
    connecting.then((late) => late.close().catch(() => {}), () => {});
    throw new BrokerUnavailableError("rabbitmq", shown(url), describeConnectError(error), { cause: error });
  }
}

class RabbitMqDriver implements BrokerDriver {
  readonly broker = "rabbitmq";
  #consumer: AmqpChannel | undefined;
  #stopped = false;
  #wakeup: (() => void) | undefined;

  constructor(
    readonly connection: ChannelModel,
    readonly publisher: ConfirmChannel,
    readonly queue: string,
    readonly prefetch: number,
    readonly maxDeliveries: number,
    readonly cleanup: boolean,
    readonly evictions: boolean,
  ) {}

  publish(body: string): Promise<"accepted" | "full"> {
    return this.#send(body, 1);
  }

  #deadLetter(content: Buffer, attempt: number): Promise<void> {
    const options = { persistent: true, headers: { [ATTEMPT_HEADER]: attempt } };
    return new Promise((resolve, reject) =>
      this.publisher.sendToQueue(`${this.queue}.dead`, content, options, (error) => (error ? reject(error) : resolve()))
    );
  }

  #send(body: string, attempt: number): Promise<"accepted" | "full"> {
    const options = attempt === 1 ? PERSISTENT : { persistent: true, headers: { [ATTEMPT_HEADER]: attempt } };
    return new Promise((resolve, reject) => {
      try {
        this.publisher.sendToQueue(this.queue, Buffer.from(body), options, (error: Error | null) => {
          if (error === null || error === undefined) resolve("accepted");
          // A nack: reject-publish on a full queue (the only nack a healthy classic queue sends).
          else if (/nack/i.test(error.message)) resolve("full");
          else reject(error); // the channel closed before the confirm: outcome unknown
        });
      } catch (error) {
        reject(error);
      }
    });
  }

  startConsuming(push: (message: Incoming) => void, demand: () => number): void {
    // A dispose may close the connection while the consumer is still being set up.
    this.#start(push, demand).catch(() => {});
  }

  async #start(push: (message: Incoming) => void, demand: () => number): Promise<void> {
    const channel = (this.#consumer = await this.connection.createChannel());
    channel.on("error", () => {});
    const deliver = (message: ConsumeMessage | GetMessage) => {
      const counted = Number(message.properties.headers?.[ATTEMPT_HEADER] ?? 1);
      const attempt = counted + (message.fields.redelivered ? 1 : 0);
      const body = message.content.toString();
      push({
        body,
        attempt,
        ack: async () => channel.ack(message),
        nack: async (requeue) => {
          if (!requeue || attempt >= this.maxDeliveries) {
            // Straight into the dead-letter queue (confirmed), then let the original go: the
            // dead-letter exchange carries only drop-head evictions.
            await this.#deadLetter(message.content, attempt);
            return channel.ack(message);
          }
          // Publish the next attempt (confirmed) before letting the original go.
          if ((await this.#send(body, attempt + 1)) === "accepted") channel.ack(message);
          else channel.nack(message, false, true);
        },
      });
    };
    if (this.prefetch > 0) {
      await channel.prefetch(this.prefetch);
      await channel.consume(this.queue, (message) => message && deliver(message), { noAck: false });
      return;
    }
    // prefetch 0: one basic.get per waiting receive.
    while (!this.#stopped) {
      try {
        if (demand() <= 0) {
          await new Promise<void>((resolve) => {
            this.#wakeup = resolve;
            setTimeout(resolve, 50);
          });
          continue;
        }
        const message = await channel.get(this.queue, { noAck: false });
        if (message) deliver(message);
        else await sleep(2);
      } catch {
        return; // the channel closed
      }
    }
  }

  wake(): void {
    this.#wakeup?.();
  }

  async backlog(): Promise<number> {
    return (await this.publisher.checkQueue(this.queue)).messageCount;
  }

  async dispose(): Promise<void> {
    this.#stopped = true;
    try {
      await this.#consumer?.close().catch(() => {});
      if (this.cleanup) {
        await this.publisher.deleteQueue(this.queue);
        await this.publisher.deleteQueue(`${this.queue}.dead`);
        if (this.evictions) {
          await this.publisher.deleteQueue(`${this.queue}.evicted`);
          await this.publisher.deleteExchange(`${this.queue}.dlx`);
        }
      }
      await withTimeout(this.connection.close(), 3000, "close");
    } catch {
      // The connection is gone already (a broker restart): nothing more to release.
    }
  }
}

/** Opens a RabbitMQ channel (connects, declares the quorum queue and its dead-letter pair). */
export async function createRabbitMqChannel<T>(options: ChannelOptions<T> = {}): Promise<BrokerChannel<T>> {
  const settings = options.settings;
  const url = setting(settings, "url", RABBITMQ_DEFAULT_URL);
  const queue = setting(settings, "name", uniqueName());
  const capacity = options.capacity ?? Infinity;
  const overflow = options.overflow ?? "block";
  const maxDeliveries = options.maxDeliveries ?? Infinity;
  const prefetch = setting(settings, "prefetch", 64);
  if (capacity !== Infinity && !(Number.isInteger(capacity) && capacity >= 1)) {
    throw new RangeError(`Cannot create rabbitmq: capacity must be a whole number ≥ 1 or Infinity, got ${capacity}`);
  }
  const connection = await connectRabbitMq(url, setting(settings, "connectTimeoutMs", 3000));
  try {
    const publisher = await connection.createConfirmChannel();
    publisher.on("error", () => {});
    await publisher.assertQueue(`${queue}.dead`, { durable: true });
    const args: Record<string, unknown> = { "x-queue-type": "classic" };
    const evictions = capacity !== Infinity && overflow === "drop-oldest";
    if (capacity !== Infinity) {
      args["x-max-length"] = capacity;
      args["x-overflow"] = evictions ? "drop-head" : "reject-publish";
    }
    if (evictions) {
      // drop-head dead-letters what it evicts: to <queue>.evicted, read back to report to onDrop.
      const dlx = `${queue}.dlx`;
      await publisher.assertExchange(dlx, "fanout", { durable: true });
      await publisher.assertQueue(`${queue}.evicted`, { durable: true });
      await publisher.bindQueue(`${queue}.evicted`, dlx, "");
      args["x-dead-letter-exchange"] = dlx;
    }
    await publisher.assertQueue(queue, { durable: true, arguments: args });
    const driver = new RabbitMqDriver(
      connection, publisher, queue, prefetch, maxDeliveries, setting(settings, "cleanup", true), evictions,
    );
    const channel = new BrokerChannel<T>(driver, { ...options, capacity, overflow }, prefetch);
    if (evictions) {
      const reader = await connection.createChannel();
      reader.on("error", () => {});
      await reader.consume(`${queue}.evicted`, (message) => {
        if (message) channel.reportEvicted(message.content.toString());
      }, { noAck: true });
    }
    return channel;
  } catch (error) {
    await connection.close().catch(() => {});
    throw error;
  }
}
