/**
 * Spec builders for the simulator's tests.
 * @module
 */
import type { StationSpec } from "../core/spec.ts";

/** One FIFO server, exponential service at rate 1, unbounded, no routes — then `extra`. */
export function station(id: string, extra: Partial<StationSpec> = {}): StationSpec {
  return {
    id,
    servers: 1,
    service: { dist: "exponential", rate: 1 },
    capacity: null,
    overflow: "block",
    discipline: "fifo",
    queue: "ring_buffer",
    routes: [],
    initial: 0,
    ...extra,
  };
}
