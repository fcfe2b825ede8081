/**
 * The hand-written M/M/1 loop of bench/sim.ts (`handLoopEvents`: λ = 0.9, μ = 1, the same random
 * streams, two next-event times), as a process of its own: what bench/startup.ts holds the
 * `queuelab run` command against. It imports only the random streams, so the process costs Bun's
 * start-up and the loop, nothing else.
 *
 *   bun bench/startup_hand.ts 3000000     # customers; prints events and the mean number in system
 * @module
 */
import { createStream } from "../sim/core/random.ts";

const customers = Number(process.argv[2] ?? 3_000_000);
const arrivals = createStream(1, "hand", "a");
const services = createStream(1, "hand", "s");
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
console.log(`${events} events, mean number in system ${(area / now).toFixed(4)}`);
