/**
 * What every Kafka client of the lab shares (the `kafka` channel, the transform worker, the
 * tests): the URL's broker list, quick-to-fail client options, and making a topic, with a
 * {@linkcode BrokerUnavailableError} in words when Kafka cannot be reached.
 * @module
 */
import { Admin } from "@platformatic/kafka";
import { BrokerUnavailableError, explainConnectError, withTimeout } from "./errors.ts";

export const KAFKA_DEFAULT_URL = "kafka://127.0.0.1:9092";

/** `kafka://a:9092,b:9093` → ["a:9092", "b:9093"]. */
export function bootstrapBrokers(url: string): string[] {
  const list = url.replace(/^kafka:\/\//, "").replace(/\/.*$/, "");
  const brokers = list.split(",").map((broker) => broker.trim()).filter((broker) => broker !== "");
  if (brokers.length === 0 || brokers.some((broker) => !/^[^:]+:\d+$/.test(broker))) {
    throw new TypeError(`Invalid broker setting "url": expected kafka://host:port[,host:port…], got ${JSON.stringify(url)}`);
  }
  return brokers;
}

/** A topic name Kafka accepts (letters, digits, `.`, `_`, `-`). */
export function topicName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** Options every client of one channel shares: quick to give up on a broker that is not there. */
export function clientOptions(url: string, clientId: string, timeoutMs: number) {
  return {
    clientId,
    bootstrapBrokers: bootstrapBrokers(url),
    connectTimeout: timeoutMs,
    timeout: Math.max(timeoutMs, 5000),
    retries: 3,
    retryDelay: 250,
  };
}

/** Makes a topic (nothing if it exists already); throws BrokerUnavailableError when Kafka cannot be reached. */
export async function ensureTopic(url: string, topic: string, partitions: number, timeoutMs: number): Promise<void> {
  const admin = new Admin({ ...clientOptions(url, `${topic}-admin`, timeoutMs), retries: 0 });
  try {
    await withTimeout(admin.createTopics({ topics: [topic], partitions, replicas: 1 }), timeoutMs + 500, "connect");
  } catch (error) {
    if (!/already exists/i.test(describe(error))) {
      throw new BrokerUnavailableError("kafka", url, await explainConnectError("kafka", url, rootCause(error)), { cause: error });
    }
  } finally {
    await admin.close().catch(() => {});
  }
}

/** The text of an error and of the errors it wraps (the client nests the broker's reasons). */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 6; depth++) {
    if (e instanceof Error) {
      parts.push(`${(e as { code?: string }).code ?? ""} ${e.message}`);
      const nested = (e as { errors?: unknown[] }).errors;
      if (Array.isArray(nested)) for (const inner of nested) parts.push(describe(inner));
      e = e.cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join("; ");
}

/** The innermost error the client wrapped (in `errors[0]` or `cause`), as it is. */
export function innermostCause(error: unknown): unknown {
  let e = error;
  for (let depth = 0; depth < 6; depth++) {
    const nested = (e as { errors?: unknown[] })?.errors;
    const next = Array.isArray(nested) && nested.length > 0 ? nested[0] : (e as { cause?: unknown })?.cause;
    if (next === undefined || next === null) break;
    e = next;
  }
  return e;
}

/** The innermost cause, whose code (ECONNREFUSED, …) says what happened. */
function rootCause(error: unknown): unknown {
  const e = innermostCause(error);
  return e instanceof Error ? e : new Error(describe(error));
}

