// Private brokers on free ports: two of one kind run side by side (what two test runs on one
// machine do), each answering its own protocol on its own port; a start whose free port was
// taken in between tries another; a restart returns to the same port; a given port is kept.
import { describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { needs } from "./_test_support.ts";
import { BrokerServer, freePort, privateBroker, reachable } from "./instance.ts";

/** Sends `hello` to 127.0.0.1:`port` and resolves with the first bytes that come back (5 s at most). */
function firstAnswer(port: number, hello: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer on port ${port} within 5 s`));
    }, 5000);
    socket.once("connect", () => socket.write(hello));
    socket.once("data", (chunk: Buffer) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(chunk);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

const text = (s: string) => new TextEncoder().encode(s);

/** Per kind: the bytes that make its broker speak, and how its first answer begins. */
const PROTOCOLS: Record<string, { program: string; hello: Uint8Array; answers: (reply: Buffer) => boolean }> = {
  redis_streams: { program: "redis-server", hello: text("PING\r\n"), answers: (r) => r.toString().startsWith("+PONG") },
  // The NATS server speaks first: an INFO line naming its own port.
  nats_jetstream: { program: "nats-server", hello: new Uint8Array(), answers: (r) => r.toString().startsWith("INFO {") },
  // MQTT 3.1.1 CONNECT (clean session, client id "q") → CONNACK, accepted.
  mqtt: {
    program: "mosquitto",
    hello: new Uint8Array([0x10, 13, 0, 4, ...text("MQTT"), 4, 0x02, 0, 60, 0, 1, ...text("q")]),
    answers: (r) => r[0] === 0x20 && r[1] === 2 && r[3] === 0,
  },
  // The AMQP 0-9-1 protocol header → a method frame (Connection.Start).
  rabbitmq: { program: "rabbitmq-server", hello: new Uint8Array([...text("AMQP"), 0, 0, 9, 1]), answers: (r) => r[0] === 1 },
  // Kafka ApiVersions v0, correlation id 1 → a response with correlation id 1.
  kafka: {
    program: "java",
    hello: new Uint8Array([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff]),
    answers: (r) => r.length >= 8 && r[4] === 0 && r[5] === 0 && r[6] === 0 && r[7] === 1,
  },
};

describe("private brokers on free ports", () => {
  test("freePort: a port on 127.0.0.1 that nothing answers on and that can be bound", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(1024);
    expect(port).toBeLessThanOrEqual(65_535);
    expect(await reachable(port, 300)).toBe(false);
    const listener = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    try {
      expect(await reachable(port, 1000)).toBe(true);
    } finally {
      listener.stop(true);
    }
  });

  for (const [queue, protocol] of Object.entries(PROTOCOLS)) {
    needs(protocol.program, test)(`two private ${queue} brokers at once: two ports, each its own broker; one gone leaves the other`, async () => {
      const a = privateBroker(queue);
      const b = privateBroker(queue);
      expect(() => a.port).toThrow(/no port yet/);
      try {
        await Promise.all([a.start(), b.start()]);
        expect(a.port).not.toBe(b.port);
        expect(a.url).toContain(`127.0.0.1:${a.port}`);
        expect(b.url).toContain(`127.0.0.1:${b.port}`);
        for (const server of [a, b]) {
          const reply = await firstAnswer(server.port, protocol.hello);
          expect(protocol.answers(reply), `${queue} on ${server.port}: ${JSON.stringify(reply.toString())}`).toBe(true);
        }
        if (queue === "nats_jetstream") {
          for (const server of [a, b]) expect((await firstAnswer(server.port, protocol.hello)).toString()).toContain(`"port":${server.port}`);
        }
        await a.remove();
        expect(await reachable(a.port, 300)).toBe(false);
        expect(protocol.answers(await firstAnswer(b.port, protocol.hello))).toBe(true);
      } finally {
        await Promise.all([a.remove(), b.remove()]);
      }
    }, 120_000);
  }

  const redisArgv = (dir: string, port: number) =>
    ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir, "--daemonize", "no"];

  needs("redis-server", test)("a broker that exits on its free port (taken in between) is started again on another; a restart keeps the port", async () => {
    const tried: number[] = [];
    // The first launch stands for a broker that found its port taken and exited at once.
    const server = new BrokerServer(undefined, (dir, port) => {
      tried.push(port);
      return tried.length === 1 ? ["sh", "-c", "exit 1"] : redisArgv(dir, port);
    });
    try {
      await server.start();
      expect(tried).toHaveLength(2);
      expect(tried[1]).not.toBe(tried[0]);
      expect(server.port).toBe(tried[1]!);
      expect((await firstAnswer(server.port, text("PING\r\n"))).toString()).toStartWith("+PONG");
      await server.stop("crash");
      await server.start();
      expect(tried).toEqual([tried[0]!, server.port, server.port]);
      expect((await firstAnswer(server.port, text("PING\r\n"))).toString()).toStartWith("+PONG");
    } finally {
      await server.remove();
    }
  }, 60_000);

  needs("redis-server", test)("a restart whose port was taken meanwhile fails and says so (clients know only that port)", async () => {
    const server = new BrokerServer(undefined, redisArgv);
    try {
      await server.start();
      const port = server.port;
      await server.stop("crash");
      const squatter = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
      try {
        await expect(server.start()).rejects.toThrow(`cannot start a private broker on port ${port}: something already listens there (it took this free port`);
        expect(server.port).toBe(port);
      } finally {
        squatter.stop(true);
      }
    } finally {
      await server.remove();
    }
  }, 60_000);

  test("a given port is not traded for another: a broker that exits there fails the start, naming the port", async () => {
    const port = await freePort();
    const server = new BrokerServer(port, () => ["sh", "-c", "echo 'cannot bind' >&2; exit 1"]);
    try {
      await expect(server.start()).rejects.toThrow(new RegExp(`private broker on port ${port} did not start \\(it exited with code 1\\)[^]*cannot bind`));
      expect(server.running).toBe(false);
    } finally {
      await server.remove();
    }
  });

  test("three free ports in a row that fail: the start gives up with the last reason", async () => {
    let launches = 0;
    const server = new BrokerServer(undefined, () => {
      launches++;
      return ["sh", "-c", "exit 2"];
    });
    try {
      await expect(server.start()).rejects.toThrow(/did not start \(it exited with code 2\)/);
      expect(launches).toBe(3);
      expect(() => server.port).toThrow(/no port yet/);
    } finally {
      await server.remove();
    }
  });
});
