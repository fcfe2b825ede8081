/**
 * What answers on a TCP port, for an error message when a broker client could not make sense of
 * it (a Redis URL at RabbitMQ's port, NATS at Redis's, …). Two connections, each bounded: on the
 * first, what the server says unasked (NATS greets with `INFO {…}`), then its answer to
 * `PING\r\n\r\n` (Redis `+PONG` or `-ERR…`, RabbitMQ its `AMQP` protocol header, an HTTP server a
 * status line); if it closed that one without a word, a second with an MQTT CONNECT (an MQTT
 * broker answers with a CONNACK), and if that too was closed unanswered, a third with a Kafka
 * ApiVersions request (a Kafka broker answers with the request's correlation id). Node's `net` (Bun and Deno have it), like `instance.ts`: the
 * broker adapters run on a server runtime.
 * @module
 */
import { connect } from "node:net";

/** The protocols recognised. */
export type Protocol = "redis" | "amqp" | "nats" | "mqtt" | "http" | "kafka";

export interface Sniffed {
  /** The protocol the bytes belong to, when recognised. */
  protocol?: Protocol;
  /** The first bytes it sent (at most 64), shown in messages. */
  sent: Uint8Array;
  /** It closed the connection without sending anything. */
  closed: boolean;
}

/** How each protocol is called in sentences. */
export const PROTOCOL_NAMES: Record<Protocol, string> = {
  redis: "a Redis server",
  amqp: "a RabbitMQ/AMQP broker",
  nats: "a NATS server",
  mqtt: "an MQTT broker",
  http: "an HTTP server",
  kafka: "a Kafka broker",
};

/** MQTT 3.1.1 CONNECT: clean session, keep-alive 60 s, an empty client id (the broker picks one). */
const MQTT_CONNECT = Uint8Array.of(0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, 0, 60, 0, 0);
const MQTT_DISCONNECT = Uint8Array.of(0xe0, 0);
/**
 * Kafka ApiVersions v0 (request header v1): size 10, api key 18, version 0, correlation id 1, no
 * client id. A Kafka broker answers with a size and correlation id 1; it closes the connection on
 * PING (read as a 1.3 GB request size) and on an MQTT CONNECT alike.
 */
const KAFKA_API_VERSIONS = Uint8Array.of(0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff);

/** A Kafka response to KAFKA_API_VERSIONS: a size that fits, then correlation id 1. */
function kafkaAnswer(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[4] === 0 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 1;
}

function recognise(bytes: Uint8Array): Protocol | undefined {
  const text = new TextDecoder("latin1").decode(bytes.subarray(0, 8));
  if (text.startsWith("INFO ")) return "nats";
  if (text.startsWith("AMQP")) return "amqp";
  if (text.startsWith("HTTP/")) return "http";
  if (/^[+-][A-Za-z]/.test(text)) return "redis";
  if (bytes[0] === 0x20 && bytes[1] === 2) return "mqtt"; // CONNACK
  return undefined;
}

/**
 * One connection: waits `quietMs` for a greeting, then sends `probe` (if any) and waits `answerMs`
 * for an answer. Resolves with what came (at most 64 bytes) and whether the peer closed first.
 */
function look(host: string, port: number, probe: Uint8Array | undefined, quietMs: number, answerMs: number): Promise<{ bytes: Uint8Array; closed: boolean; failed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let done = false;
    let connected = false;
    const timers: ReturnType<typeof setTimeout>[] = [];
    const socket = connect({ host, port });
    const finish = (closed: boolean, failed = false) => {
      if (done) return;
      done = true;
      for (const timer of timers) clearTimeout(timer);
      if (probe === MQTT_CONNECT && !closed && !failed) socket.end(MQTT_DISCONNECT);
      socket.destroy();
      const bytes = new Uint8Array(Math.min(64, size));
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk.subarray(0, bytes.length - at), at);
        at += Math.min(chunk.length, bytes.length - at);
      }
      resolve({ bytes, closed, failed });
    };
    socket.on("data", (data: Uint8Array) => {
      chunks.push(data);
      size += data.length;
      // A little more may follow in the next packet; what came is enough to tell.
      timers.push(setTimeout(() => finish(false), 20));
    });
    // A reset after the connection opened is a way of closing it; before, the port is not open.
    socket.on("error", () => finish(size === 0, !connected));
    socket.on("close", () => finish(size === 0));
    socket.on("connect", () => {
      connected = true;
      timers.push(setTimeout(() => {
        if (size > 0 || done) return;
        if (probe === undefined) return finish(false);
        socket.write(probe);
        timers.push(setTimeout(() => finish(false), answerMs));
      }, quietMs));
    });
    timers.push(setTimeout(() => finish(false, size === 0), quietMs + answerMs + 1000));
  });
}

/** What answers at `host:port`; two or three seconds at most. */
export async function sniff(host: string, port: number): Promise<Sniffed> {
  // Eight bytes: RabbitMQ answers only once it has a whole protocol header's worth.
  const first = await look(host, port, new TextEncoder().encode("PING\r\n\r\n"), 300, 700);
  if (first.bytes.length > 0 || first.failed || !first.closed) {
    return { protocol: recognise(first.bytes), sent: first.bytes, closed: first.closed && first.bytes.length === 0 };
  }
  // Closed without a word on PING: an MQTT broker does that to anything but a CONNECT.
  const second = await look(host, port, MQTT_CONNECT, 0, 700);
  const protocol = recognise(second.bytes);
  if (protocol === "mqtt") return { protocol, sent: second.bytes, closed: false };
  if (second.bytes.length > 0 || !second.closed) return { sent: first.bytes, closed: true };
  // Closed without a word on MQTT too: a Kafka broker does that to anything but its own protocol.
  const third = await look(host, port, KAFKA_API_VERSIONS, 0, 500);
  return kafkaAnswer(third.bytes) ? { protocol: "kafka", sent: third.bytes, closed: false } : { sent: first.bytes, closed: true };
}

/** Bytes as a short readable string: printable ASCII as is, the rest as \xNN. */
export function preview(bytes: Uint8Array, max = 24): string {
  let text = "";
  for (const byte of bytes.subarray(0, max)) {
    text += byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return `"${text}${bytes.length > max ? "…" : ""}"`;
}
