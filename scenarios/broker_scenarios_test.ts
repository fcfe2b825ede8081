import { describe, expect, test } from "bun:test";
import { fileURLToPath } from "node:url";
import { loadScenario } from "./load.ts";
import { expandSweep } from "./sweep.ts";

const BROKERS = ["redis_streams", "rabbitmq", "nats_jetstream", "mqtt", "kafka"];

describe("broker scenarios", () => {
  for (const name of ["broker_comparison", "broker_stall", "broker_overflow", "broker_consumer_crash", "broker_restart"]) {
    test(`scenarios/${name}.ts is a valid live scenario, one point per implementation`, async () => {
      const scenario = await loadScenario(fileURLToPath(new URL(`./${name}.ts`, import.meta.url)));
      expect(scenario.name).toBe(name);
      expect((scenario as { engine?: string }).engine).toBe("live");
      const queues = expandSweep(scenario as never).map((point) => point.queue);
      expect(queues.filter((queue) => BROKERS.includes(queue)).length).toBeGreaterThanOrEqual(3);
    });
  }
});
