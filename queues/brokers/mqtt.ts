/**
 * MQTT behind the Channel contract (mqtt.js, MQTT 5; mosquitto in the lab).
 *
 * - send: `publish` on the topic `queuelab/<name>` at `settings.qos` (0, 1 or 2; default 1);
 *   QoS 1 resolves on PUBACK, QoS 2 on PUBCOMP, QoS 0 once written to the socket.
 * - receive: the handle subscribes at create, on a persistent session (`clean: false`, session
 *   expiry `settings.sessionExpirySeconds`, default 300), so what is published before the first
 *   receive — or while the handle is offline — is kept by the broker for it (up to the broker's
 *   per-client queue limit: mosquitto's `max_queued_messages`, 1,000 by default, beyond which
 *   QoS 1/2 messages are dropped silently although the publisher got its PUBACK).
 * - ack / nack: nothing to do. mqtt.js sends PUBACK when a message arrives, not on `ack()`, and
 *   MQTT has no negative ack: a QoS 1/2 message comes back (flagged `dup`, attempt 2) only when
 *   a persistent session reconnects before it was acknowledged.
 * - no capacity and no overflow strategy: MQTT has neither (a broker limit is not a channel's).
 * - MQTT is publish/subscribe: every subscribed handle gets every message. A handle that only
 *   sends sets `settings.subscribe: false`.
 *
 * Settings: `url` (default mqtt://127.0.0.1:1883), `name`, `qos`, `clientId` (default unique;
 * reuse it to resume a session), `subscribe` (default true), `sessionExpirySeconds`, `cleanup`
 * (default true: dispose ends the session; false leaves it to collect messages while offline),
 * `connectTimeoutMs` (default 3000).
 * @module
 */
import { connect, type IPublishPacket, type MqttClient } from "mqtt";
import type { ChannelOptions } from "../types.ts";
import { BrokerChannel, type BrokerDriver, type Incoming, setting, uniqueName } from "./_broker_channel.ts";
import { BrokerUnavailableError, explainConnectError, withTimeout } from "./errors.ts";

export const MQTT_DEFAULT_URL = "mqtt://127.0.0.1:1883";

const DONE: Promise<void> = Promise.resolve();

/**
 * Connects with a persistent session, or throws BrokerUnavailableError within `timeoutMs`.
 * `onMessage` is attached before the connection opens: a resumed session's queued messages may
 * arrive in the same read as the CONNACK.
 */
export async function connectMqtt(
  url: string,
  clientId: string,
  sessionExpirySeconds: number,
  timeoutMs: number,
  onMessage?: (topic: string, payload: Buffer, packet: IPublishPacket) => void,
): Promise<{ client: MqttClient; receiveMaximum: number }> {
  const client = connect(url, {
    clientId,
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: sessionExpirySeconds },
    connectTimeout: timeoutMs,
    reconnectPeriod: 0,
  });
  if (onMessage !== undefined) client.on("message", onMessage);
  let receiveMaximum = 20;
  // Only this function's own listeners come off afterwards: mqtt.js listens to its own
  // "close" to reconnect, and removing every listener would leave a restarted broker unreached.
  let onError: (error: Error) => void = () => {};
  let onClose: () => void = () => {};
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        client.once("connect", (connack) => {
          receiveMaximum = connack.properties?.receiveMaximum ?? 20;
          resolve();
        });
        onError = reject;
        onClose = () => reject(new Error("connection closed"));
        client.once("error", onError);
        client.once("close", onClose);
      }),
      timeoutMs + 500,
      "connect",
    );
  } catch (error) {
    client.end(true);
    throw new BrokerUnavailableError("mqtt", url, await explainConnectError("mqtt", url, error), { cause: error });
  }
  client.off("error", onError);
  client.off("close", onClose);
  client.on("error", () => {}); // surfaced through the failing publishes
  client.options.reconnectPeriod = 250; // connected once: ride out a broker restart
  return { client, receiveMaximum };
}

class MqttDriver implements BrokerDriver {
  readonly broker = "mqtt";
  #early: Incoming[] = [];
  #push: ((message: Incoming) => void) | undefined;

  client!: MqttClient;

  constructor(
    readonly topic: string,
    readonly qos: 0 | 1 | 2,
    readonly cleanup: boolean,
  ) {}

  readonly onMessage = (topic: string, payload: Buffer, packet: IPublishPacket): void => {
    if (topic !== this.topic) return;
    const message: Incoming = {
      body: payload.toString(),
      attempt: packet.dup ? 2 : 1,
      ack: () => DONE,
      nack: () => DONE,
    };
    if (this.#push !== undefined) this.#push(message);
    else this.#early.push(message);
  };

  /** Publishes in flight, and those waiting for a slot (QoS 1/2 only). */
  #inFlight = 0;
  #waiting: (() => void)[] = [];
  /** The broker's Receive Maximum (MQTT 5 CONNACK; mosquitto: max_inflight_messages, 20). */
  receiveMaximum = 20;

  async publish(body: string): Promise<"accepted"> {
    if (this.qos === 0) {
      await this.client.publishAsync(this.topic, body, { qos: 0 });
      return "accepted";
    }
    // Past the broker's window mosquitto answers "quota exceeded" (QoS 2) or lets a later
    // message overtake (QoS 1): keep at most receiveMaximum publishes unacknowledged, in order.
    if (this.#inFlight >= this.receiveMaximum || this.#waiting.length > 0) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#inFlight++;
    }
    try {
      await this.client.publishAsync(this.topic, body, { qos: this.qos });
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) next(); // the slot passes on
      else this.#inFlight--;
    }
    return "accepted";
  }

  startConsuming(push: (message: Incoming) => void): void {
    this.#push = push;
    const early = this.#early;
    this.#early = [];
    for (const message of early) push(message);
  }

  backlog(): Promise<number> {
    return Promise.resolve(0); // MQTT cannot say; the channel waits one more turn for the wire
  }

  async dispose(): Promise<void> {
    this.client.options.reconnectPeriod = 0;
    const options = this.cleanup ? { properties: { sessionExpiryInterval: 0 } } : {};
    await withTimeout(this.client.endAsync(false, options), 3000, "disconnect").catch(() => this.client.end(true));
  }
}

/** Opens an MQTT channel (connects, subscribes on a persistent session unless told not to). */
export async function createMqttChannel<T>(options: ChannelOptions<T> = {}): Promise<BrokerChannel<T>> {
  const settings = options.settings;
  const url = setting(settings, "url", MQTT_DEFAULT_URL);
  const topic = `queuelab/${setting(settings, "name", uniqueName())}`;
  const qos = setting<number>(settings, "qos", 1);
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new RangeError(`Invalid broker setting "qos": expected 0, 1 or 2, got ${qos}`);
  if (options.capacity !== undefined && options.capacity !== Infinity) {
    throw new RangeError(`Cannot create mqtt: MQTT has no capacity (got ${options.capacity}); only Infinity`);
  }
  const driver = new MqttDriver(topic, qos, setting(settings, "cleanup", true));
  const { client, receiveMaximum } = await connectMqtt(
    url,
    setting(settings, "clientId", uniqueName("queuelab-client")),
    setting(settings, "sessionExpirySeconds", 300),
    setting(settings, "connectTimeoutMs", 3000),
    driver.onMessage,
  );
  driver.client = client;
  driver.receiveMaximum = receiveMaximum;
  try {
    if (setting(settings, "subscribe", true)) await client.subscribeAsync(topic, { qos });
    return new BrokerChannel<T>(driver, { ...options, capacity: Infinity, overflow: "block" }, 0);
  } catch (error) {
    client.end(true);
    throw error;
  }
}
