/**
 * Connection errors that say what happened, against the real local services: refused
 * credentials, and a URL pointing at another broker's port. NATS and MQTT credentials are tried
 * on private servers started here with a user and password (nats-server, mosquitto).
 */
import { afterAll, describe, expect, test as base } from "bun:test";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brokerTest, needs, reachable } from "./_test_support.ts";
import { BrokerUnavailableError, describeConnectError, redactUrl } from "./errors.ts";
import { connectMqtt } from "./mqtt.ts";
import { connectNats } from "./nats_jetstream.ts";
import { connectRabbitMq } from "./rabbitmq.ts";
import { connectRedis } from "./redis_streams.ts";

const redis = await brokerTest("redis", 6379);
const rabbit = await brokerTest("rabbitmq", 5672);
const nats = await brokerTest("nats", 4222);
const mosquitto = await brokerTest("mosquitto", 1883);

/** The message `connecting` fails with (a BrokerUnavailableError). */
async function failure(connecting: Promise<unknown>): Promise<string> {
  const outcome = await connecting.then(
    (client) => ({ client }),
    (error: unknown) => ({ error }),
  );
  if ("client" in outcome) throw new Error("expected the connection to fail");
  expect(outcome.error).toBeInstanceOf(BrokerUnavailableError);
  return (outcome.error as Error).message;
}

const mqtt = (url: string) => connectMqtt(url, `queuelab-errors-${process.pid}`, 0, 1000);
const wrongPort = (port: number, what: string) =>
  `127.0.0.1:${port} did not answer as ${what}`;

describe("what a connection error says", () => {
  base.each([
    ["Connection refused: Not authorized", "authentication failed"],
    ['Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"', "authentication failed"],
    ["connect ECONNREFUSED 127.0.0.1:1", "connection refused"],
  ])("%s → %s", (message, expected) => {
    expect(describeConnectError(new Error(message))).toBe(expected);
  });

  base("passwords are hidden in the URL the error shows", () => {
    expect(redactUrl("amqp://guest:s3cret@127.0.0.1:5672/vh")).toBe("amqp://guest:***@127.0.0.1:5672/vh");
    expect(redactUrl("redis://:s3cret@127.0.0.1:6379")).toBe("redis://:***@127.0.0.1:6379");
    expect(new BrokerUnavailableError("nats", "nats://a:b@h:1", "x").message).toBe("Cannot connect to nats at nats://a:***@h:1: x");
  });

  rabbit("RabbitMQ refusing the password names the user, not 'connection refused'", async () => {
    expect(await failure(connectRabbitMq("amqp://guest:wrong@127.0.0.1:5672", 3000))).toBe(
      "Cannot connect to rabbitmq at amqp://guest:***@127.0.0.1:5672: RabbitMQ refused the credentials for user guest " +
        "(check the user name and password in broker.url)",
    );
    expect(await failure(connectRabbitMq("amqp://guest:guest@127.0.0.1:5672/no-such-vhost", 3000))).toEndWith(
      ': RabbitMQ would not open the virtual host "no-such-vhost" for user guest (it does not exist, or the user may not use it)',
    );
  });

  redis("Redis refusing a user's password names the user", async () => {
    expect(await failure(connectRedis("redis://nobody:wrong@127.0.0.1:6379", 3000))).toBe(
      "Cannot connect to redis at redis://nobody:***@127.0.0.1:6379: Redis refused the credentials for user nobody " +
        "(check the user name and password in broker.url)",
    );
  });

  rabbit("a Redis, NATS or MQTT URL at RabbitMQ's port", async () => {
    const amqp = "it answers like a RabbitMQ/AMQP broker (it sent \"AMQP\\x00\\x00\\x09\\x01\"); is broker.url pointing at the right port?";
    expect(await failure(connectRedis("redis://127.0.0.1:5672", 3000))).toBe(
      `Cannot connect to redis at redis://127.0.0.1:5672: ${wrongPort(5672, "a Redis server")}: ${amqp}`,
    );
    expect(await failure(connectNats("nats://127.0.0.1:5672", 1000))).toEndWith(`${wrongPort(5672, "a NATS server")}: ${amqp}`);
    expect(await failure(mqtt("mqtt://127.0.0.1:5672"))).toEndWith(`${wrongPort(5672, "an MQTT broker")}: ${amqp}`);
  });

  nats("a Redis, AMQP or MQTT URL at NATS's port", async () => {
    const answer = /: it answers like a NATS server \(it sent "INFO \{.*…"\); is broker\.url pointing at the right port\?$/;
    const redisMessage = await failure(connectRedis("redis://127.0.0.1:4222", 3000));
    expect(redisMessage).toStartWith(`Cannot connect to redis at redis://127.0.0.1:4222: ${wrongPort(4222, "a Redis server")}`);
    expect(redisMessage).toMatch(answer);
    expect(redisMessage).not.toContain("Please report this");
    expect(await failure(connectRabbitMq("amqp://127.0.0.1:4222", 3000))).toMatch(answer);
    expect(await failure(mqtt("mqtt://127.0.0.1:4222"))).toMatch(answer);
  });

  redis("an AMQP, NATS or MQTT URL at Redis's port", async () => {
    const answer = 'it answers like a Redis server (it sent "+PONG\\x0d\\x0a"); is broker.url pointing at the right port?';
    expect(await failure(connectRabbitMq("amqp://127.0.0.1:6379", 1000))).toEndWith(`${wrongPort(6379, "a RabbitMQ/AMQP broker")}: ${answer}`);
    expect(await failure(connectNats("nats://127.0.0.1:6379", 1000))).toEndWith(`${wrongPort(6379, "a NATS server")}: ${answer}`);
    expect(await failure(mqtt("mqtt://127.0.0.1:6379"))).toEndWith(`${wrongPort(6379, "an MQTT broker")}: ${answer}`);
  });

  mosquitto("a Redis or AMQP URL at the MQTT port", async () => {
    const answer = 'it answers like an MQTT broker (it sent " \\x02\\x00\\x00"); is broker.url pointing at the right port?';
    expect(await failure(connectRedis("redis://127.0.0.1:1883", 3000))).toEndWith(`${wrongPort(1883, "a Redis server")}: ${answer}`);
    expect(await failure(connectRabbitMq("amqp://127.0.0.1:1883", 3000))).toEndWith(`${wrongPort(1883, "a RabbitMQ/AMQP broker")}: ${answer}`);
  });
});

/** A free TCP port on loopback (the private servers below listen on it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const started: ChildProcess[] = [];
const folders: string[] = [];
afterAll(() => {
  for (const child of started) child.kill("SIGKILL");
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Starts `command` and waits (at most 5 s) for it to accept connections on `port`. */
async function serve(command: string[], port: number): Promise<void> {
  const child = spawn(command[0]!, command.slice(1), { stdio: "ignore" });
  started.push(child);
  for (let i = 0; i < 50 && !(await reachable(port, 200)); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (!(await reachable(port, 500))) throw new Error(`${command[0]} did not start on port ${port}`);
}

describe("credentials on servers that require them", () => {
  needs("nats-server", base)("NATS: a wrong password names the user; none at all says one is needed", async () => {
    const port = await freePort();
    await serve(["nats-server", "-a", "127.0.0.1", "-p", String(port), "--user", "alice", "--pass", "secret"], port);
    expect(await failure(connectNats(`nats://alice:wrong@127.0.0.1:${port}`, 2000))).toBe(
      `Cannot connect to nats at nats://alice:***@127.0.0.1:${port}: the NATS server refused the credentials for user alice ` +
        "(check the user name and password in broker.url)",
    );
    expect(await failure(connectNats(`nats://127.0.0.1:${port}`, 2000))).toEndWith(
      ": the NATS server requires credentials (Authorization Violation): give them in broker.url, nats://user:password@host:port",
    );
  });

  needs("mosquitto_passwd", needs("mosquitto", base))("MQTT: a wrong password names the user, not 'connection refused'", async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "queuelab-mqtt-auth-"));
    folders.push(dir);
    const passwords = join(dir, "passwords");
    spawnSync("mosquitto_passwd", ["-b", "-c", passwords, "alice", "secret"]);
    const config = join(dir, "mosquitto.conf");
    // As root, mosquitto would switch to its own user, which may not read this folder.
    writeFileSync(config, `listener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${passwords}\nuser root\n`);
    await serve(["mosquitto", "-c", config], port);
    expect(await failure(mqtt(`mqtt://alice:wrong@127.0.0.1:${port}`))).toBe(
      `Cannot connect to mqtt at mqtt://alice:***@127.0.0.1:${port}: the MQTT broker refused the credentials for user alice ` +
        "(not authorized; check the user name and password in broker.url)",
    );
    expect(await failure(mqtt(`mqtt://127.0.0.1:${port}`))).toEndWith(
      ": the MQTT broker requires a user name and password (not authorized): give them in broker.url, mqtt://user:password@host:port",
    );
  });
});
