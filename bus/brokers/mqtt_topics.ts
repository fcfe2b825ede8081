/**
 * MQTT topics behind the Bus contract (mqtt.js, MQTT 5; mosquitto in the lab), at QoS 0 (at
 * most once) or QoS 1 (at least once).
 *
 * - names: a topic is `<ns>/<topic>` and a pattern `<ns>/<pattern>`: the MQTT language is the
 *   broker's own, `+` and `#` (with its parent level) matched by the broker. The `$`-rule
 *   (MQTT 5.0 §4.7.2) cannot survive the prefix (`<ns>/$x` does not start with `$`), so the bus
 *   applies it on arrival. Exact topics are hex-encoded into one level (`<ns>/x/<hex>`), so a
 *   topic with `+` or `#` in it is carried too.
 * - publish: one client per bus; QoS 0 resolves once written to the socket, QoS 1 on PUBACK,
 *   with at most the broker's Receive Maximum unacknowledged, in publish order (past mosquitto's
 *   window a later QoS 1 message could overtake).
 * - subscribe: a client per subscription (each subscriber its own MQTT session, so the broker
 *   does the fan-out), a persistent session (expiry 300 s; ended on unsubscribe) subscribed at
 *   the bus's QoS. The client stops reading (mqtt.js `handleMessage` is held) while
 *   `concurrency` handlers are busy, so a slow subscription's backlog waits on the broker.
 * - QoS 0, why at most once: the broker sends each message once and keeps none for a session
 *   that is offline; a subscriber reconnecting misses what was published meanwhile.
 * - QoS 1, why at least once: the broker keeps a session's unacknowledged messages and sends
 *   them again (DUP) when it reconnects — a message whose handler had run comes twice (counted
 *   `duplicated`). mqtt.js acknowledges (PUBACK) when the message is admitted into a handler
 *   slot, not after the handler: a process that dies mid-handler loses that message. And
 *   mosquitto queues at most `max_queued_messages` (1,000 by default) per session beyond the 20
 *   in flight, dropping the rest silently (the publisher had its PUBACK): a subscription slower
 *   than its publishers for longer than that loses events — counted by `drain` ("not-delivered").
 * - capacity and overflow: none (MQTT has no per-subscription bound but the broker's).
 *
 * Options: `url` (default mqtt://127.0.0.1:1883), `namespace` (default unique); the QoS is the
 * entry's (`mqtt_qos0`, `mqtt_qos1`).
 * @module
 */
import type { IPublishPacket, MqttClient } from "mqtt";
import { connectMqtt, MQTT_DEFAULT_URL } from "../../queues/brokers/mqtt.ts";
import { uniqueName } from "../../queues/brokers/mod.ts";
import { withTimeout } from "../../queues/brokers/errors.ts";
import type { Bus, BusOptions, PatternLanguage } from "../types.ts";
import { BrokerBus, type BusDriver, checkCreate, type Deliver, type DriverSubscribeOptions, type DriverSubscription } from "./_broker_bus.ts";

const CONNECT_TIMEOUT_MS = 3000;
const SESSION_EXPIRY_SECONDS = 300;
const encoder = new TextEncoder();

function hex(text: string): string {
  let out = "";
  for (const byte of encoder.encode(text)) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** Ends `client` and its session. */
async function end(client: MqttClient): Promise<void> {
  client.options.reconnectPeriod = 0;
  await withTimeout(client.endAsync(false, { properties: { sessionExpiryInterval: 0 } }), 3000, "disconnect")
    .catch(() => client.end(true));
}

class MqttTopicsDriver implements BusDriver {
  readonly broker = "mqtt";
  readonly buffered = true;
  #inFlight = 0;
  #waiting: (() => void)[] = [];

  constructor(
    readonly client: MqttClient,
    readonly receiveMaximum: number,
    readonly url: string,
    readonly language: PatternLanguage,
    readonly namespace: string,
    readonly qos: 0 | 1,
  ) {}

  #name(text: string): string {
    return this.language === "exact" ? `${this.namespace}/x/${hex(text)}` : `${this.namespace}/${text}`;
  }

  topicError(): string | null {
    return null;
  }

  patternError(): string | null {
    return null;
  }

  async publish(topic: string, body: string): Promise<void> {
    if (this.qos === 0) {
      await this.client.publishAsync(this.#name(topic), body, { qos: 0 });
      return;
    }
    // At most receiveMaximum unacknowledged, handed on in order (see the module notes).
    if (this.#inFlight >= this.receiveMaximum || this.#waiting.length > 0) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#inFlight++;
    }
    try {
      await this.client.publishAsync(this.#name(topic), body, { qos: 1 });
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#inFlight--;
    }
  }

  async subscribe(pattern: string, options: DriverSubscribeOptions, deliver: Deliver): Promise<DriverSubscription> {
    const filter = this.#name(pattern);
    let unfinished = 0;
    let held: (() => void) | undefined;
    const finished = () => {
      unfinished--;
      if (held !== undefined && unfinished < options.concurrency + 1) {
        const release = held;
        held = undefined;
        release();
      }
    };
    const onMessage = (_topic: string, payload: Buffer, _packet: IPublishPacket) => {
      unfinished++;
      deliver(payload.toString(), finished);
    };
    const { client } = await connectMqtt(
      this.url,
      uniqueName(`${this.namespace}-${options.name}`),
      SESSION_EXPIRY_SECONDS,
      CONNECT_TIMEOUT_MS,
      onMessage,
    );
    // Read the next message only while a handler slot is free (or one is about to be).
    client.handleMessage = (_packet, callback) => {
      if (unfinished <= options.concurrency) callback();
      else held = () => callback();
    };
    try {
      await client.subscribeAsync(filter, { qos: this.qos });
    } catch (error) {
      client.end(true);
      throw error;
    }
    return {
      close: () => end(client),
      interrupt: async () => {
        client.stream.destroy(); // mqtt.js reconnects (250 ms) and resumes the session
      },
    };
  }

  close(): Promise<void> {
    return end(this.client);
  }
}

/** Opens an MQTT bus at `qos` (connects the publishing client). */
export async function createMqttTopicsBus<T>(qos: 0 | 1, options: BusOptions = {}): Promise<Bus<T>> {
  const name = `mqtt_qos${qos}`;
  const language = checkCreate(name, options, ["mqtt", "exact"]);
  const namespace = options.namespace ?? uniqueName("queuelab-bus");
  if (/[+#]/.test(namespace) || namespace.length === 0) {
    throw new RangeError(`namespace: expected a non-empty MQTT topic prefix without "+" or "#", got "${namespace}"`);
  }
  const url = options.url ?? MQTT_DEFAULT_URL;
  const { client, receiveMaximum } = await connectMqtt(url, uniqueName(`${namespace}-publisher`), 0, CONNECT_TIMEOUT_MS);
  const driver = new MqttTopicsDriver(client, receiveMaximum, url, language, namespace, qos);
  // MQTT cannot say whether the broker still holds something for a session: under QoS 1, where a
  // missing event is rare (mosquitto's queue limit), drain waits longer before calling it lost.
  return new BrokerBus<T>(driver, {
    language,
    delivery: qos === 0 ? "at-most-once" : "at-least-once",
    overflow: [],
    settleMs: qos === 0 ? 500 : 2000,
  });
}
