/**
 * The hand-written M/M/1 loop (bench/hand_loop.ts: λ = 0.9, μ = 1, the same random streams, two
 * next-event times), as a process of its own: what bench/startup.ts holds the
 * `queuelab run` command against. It imports only the random streams, so the process costs Bun's
 * start-up and the loop, nothing else.
 *
 *   bun bench/startup_hand.ts 3000000     # customers; prints events and the mean number in system
 * @module
 */
import { mm1HandLoop } from "./hand_loop.ts";

const customers = Number(process.argv[2] ?? 3_000_000);
const { events, now, area } = mm1HandLoop(customers, 1);
console.log(`${events} events, mean number in system ${(area / now).toFixed(4)}`);
