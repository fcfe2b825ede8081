// The broker itself crashes mid-run and comes back: what survives, per broker.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "broker_restart",
  description:
    "The broker dies mid-run. The run starts a private broker of each kind on a port of its own (Redis " +
    "6393 with an append-only file synced on every write, NATS 4235 with JetStream file storage, mosquitto " +
    "1895 with persistence on, a RabbitMQ node 5674 with a durable queue and persistent messages), sends " +
    "200 messages per second into one consumer (1 ms of work, ρ = 0.2), kills the broker at t = 2 s " +
    "(SIGKILL: a crash, nothing flushed), starts it again 0.5 s later on the same data, and removes it " +
    "after the run. Clients reconnect by themselves; sends made while it is down wait, and their latency — " +
    "counted from the intended send time — shows the outage. Redis and JetStream must come through with " +
    "lost = 0: what they acked was on disk. JetStream redelivers messages whose acks it had not yet stored " +
    "(duplicates, counted, not failed). mosquitto writes its persistence file only on a graceful stop and " +
    "every autosave interval, so a crash loses what it had acked but not delivered: the report shows it as " +
    "lost. Set faults.0.mode to \"graceful\" (SIGTERM) to watch mosquitto keep everything. RabbitMQ must " +
    "lose nothing confirmed either: its adapter reconnects, and publishes a message again when the confirm " +
    "was lost with the connection (a duplicate at worst). Its node takes 5 to 8 s to start again, past the " +
    "end of this 5 s run: its sends after the crash wait and are all delivered, but W covers only what " +
    "finished within the run — set run.time to 15 to see its recovery.",
  engine: "live",
  arrivals: { dist: "exponential", rate: 200 },
  service: { dist: "deterministic", value: 0.001 },
  servers: 1,
  queue: ["redis_streams", "nats_jetstream", "mqtt", "rabbitmq"],
  work: "sleep",
  broker: { claimIdleMs: 1000, ackWaitMs: 2000 },
  faults: [{ kind: "broker-restart", at: 2, down: 0.5, mode: "crash" }],
  run: { time: 5 },
  seed: 25,
});
