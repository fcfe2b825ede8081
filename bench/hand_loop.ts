/**
 * The ceiling the simulator is measured against: M/M/1 (λ = 0.9, μ = 1) as one loop over two
 * next-event times, drawing from the same random streams as the engines. bench/sim.ts times it
 * in process; bench/startup_hand.ts runs it as a process of its own. It imports only the random
 * streams.
 * @module
 */
import { createStream } from "../sim/core/random.ts";

/** Runs `customers` departures; returns the events, the time reached and ∫ number in system dt. */
export function mm1HandLoop(customers: number, seed: number): { events: number; now: number; area: number } {
  const arrivals = createStream(seed, "hand", "a");
  const services = createStream(seed, "hand", "s");
  let now = 0;
  let nextArrival = -Math.log(arrivals.next()) / 0.9;
  let nextDeparture = Infinity;
  let inSystem = 0;
  let departed = 0;
  let events = 0;
  let area = 0;
  while (departed < customers) {
    events++;
    if (nextArrival <= nextDeparture) {
      area += inSystem * (nextArrival - now);
      now = nextArrival;
      if (inSystem++ === 0) nextDeparture = now - Math.log(services.next());
      nextArrival = now - Math.log(arrivals.next()) / 0.9;
    } else {
      area += inSystem * (nextDeparture - now);
      now = nextDeparture;
      departed++;
      nextDeparture = --inSystem > 0 ? now - Math.log(services.next()) : Infinity;
    }
  }
  return { events, now, area };
}
