/**
 * M/M/c/K with push-out of the oldest waiting customer (`drop-oldest` on a FIFO station): the
 * times of the customers that are served.
 *
 * Why the station-level figures are M/M/c/K's. Couple a drop-oldest station and a drop-newest
 * one on the same arrival and service-completion epochs (service times memoryless, so a
 * completion is an event of rate min(n, c)·μ whoever is in service). Below K both do the
 * same thing. An arrival finding K present leaves K present in both: drop-newest refuses it,
 * drop-oldest evicts the head of the queue and queues the newcomer. Completions then act on
 * the same number present. So the number present follows the same path in both, and every
 * quantity that depends only on it is the same: L, Lq, utilization, throughput λ(1 − p_K) and
 * the share of arrivals that causes a loss, p_K (pBlock). What differs is WHO leaves: under
 * push-out the evicted customer is one that has already waited, so the departing customers'
 * W, Wq and pWait are not M/M/c/K's (and W ≠ L / throughput: the evicted customers' time counts
 * in L but none of them departs).
 *
 * The exact mean for served customers: follow one tagged arrival. Servers are all busy while
 * anyone waits, so while the tagged customer waits, the state is (j, m): its position j in the
 * queue (1 = head) and the m customers behind it, j + m ≤ Q = K − c. From (j, m), at rate cμ a
 * service completes and the head enters service (j → j − 1; from j = 1 the tagged customer
 * starts service). At rate λ a customer arrives: if the queue has room (j + m < Q) it joins
 * behind (m → m + 1); if full (j + m = Q) the head is pushed out and the newcomer joins behind,
 * (j, m) → (j − 1, m + 1) — and from j = 1 the pushed-out head is the tagged customer. With
 * P(j, m) the probability of being served from (j, m) and R(j, m) = E[remaining wait ·
 * 1{served}], first-step analysis over the next event (mean holding time 1/(λ + cμ)) gives
 *   P = (λ·P_arrival + cμ·P_service) / (λ + cμ),
 *   R = P / (λ + cμ) + (λ·R_arrival + cμ·R_service) / (λ + cμ),
 * with (served) P = 1, R = 0 and (pushed out) P = 0, R = 0. j never grows, and within a level m
 * only grows, so the values are filled level by level, m downwards, in O(Q²). By PASTA an
 * arrival finds n present with the M/M/c/K probability p_n: it is served at once (n < c),
 * queues at (n − c + 1, 0) (c ≤ n < K), or — finding the station full — pushes out the head
 * and queues at (Q, 0). Then E[Wq | served] = Σ p_n R_n / Σ p_n P_n, W = Wq + 1/μ, and
 * Σ p_n P_n = 1 − p_K, which the tests check as an identity.
 * (The tagged-customer method is the one Kleinrock, vol. 1 §3, and Gross & Harris use for
 * FIFO waiting-time distributions; the chain here is its push-out variant.)
 * @module
 */
import type { TheoryMetrics } from "../../result/result.ts";

/** Above this waiting room the O(Q²) recursion is left out (its cost grows as Q²). */
export const MAX_PUSH_OUT_ROOM = 5_000;

/** Served customers' figures at an M/M/c/K push-out station, and how many are served. */
export interface PushOutMetrics extends Pick<TheoryMetrics, "W" | "Wq" | "pWait"> {
  W: number;
  Wq: number;
  pWait: number;
  /** Share of arrivals that are eventually served (= 1 − p_K). */
  served: number;
}

/**
 * Mean sojourn, mean wait and share waiting of the SERVED customers of an M/M/c/K station that
 * pushes out the head of its queue when an arrival finds it full. `probabilities` are the
 * M/M/c/K state probabilities p_0 … p_K (`mmck(…).probabilities`). K ≤ c leaves no waiting
 * room: nobody waits and nobody is pushed out. Returns undefined when the waiting room exceeds
 * {@linkcode MAX_PUSH_OUT_ROOM}.
 */
export function pushOutServed(
  lambda: number,
  mu: number,
  c: number,
  K: number,
  probabilities: readonly number[],
): PushOutMetrics | undefined {
  if (probabilities.length !== K + 1) {
    throw new RangeError(`Cannot compute push-out times: need ${K + 1} state probabilities, got ${probabilities.length}`);
  }
  const servers = Math.min(c, K);
  const room = K - servers;
  if (room > MAX_PUSH_OUT_ROOM) return undefined;
  if (room === 0) return { W: 1 / mu, Wq: 0, pWait: 0, served: 1 - probabilities[K]! };
  const total = lambda + servers * mu;
  const arrival = lambda / total;
  const service = (servers * mu) / total;
  // Level j's values at m = 0 … room − j; `previous` holds level j − 1's.
  let previousP = new Float64Array(room + 1);
  let previousR = new Float64Array(room + 1);
  const entryP = new Float64Array(room + 1); // P(j, 0), j = 1 … room
  const entryR = new Float64Array(room + 1);
  for (let j = 1; j <= room; j++) {
    const P = new Float64Array(room - j + 1);
    const R = new Float64Array(room - j + 1);
    for (let m = room - j; m >= 0; m--) {
      // After a completion: level j − 1 at the same m, or service for the head.
      const serviceP = j === 1 ? 1 : previousP[m]!;
      const serviceR = j === 1 ? 0 : previousR[m]!;
      let arrivalP: number;
      let arrivalR: number;
      if (j + m < room) {
        arrivalP = P[m + 1]!;
        arrivalR = R[m + 1]!;
      } else {
        // Full: the head is pushed out (the tagged customer itself when j = 1).
        arrivalP = j === 1 ? 0 : previousP[m + 1]!;
        arrivalR = j === 1 ? 0 : previousR[m + 1]!;
      }
      const p = arrival * arrivalP + service * serviceP;
      P[m] = p;
      R[m] = p / total + arrival * arrivalR + service * serviceR;
    }
    entryP[j] = P[0]!;
    entryR[j] = R[0]!;
    previousP = P;
    previousR = R;
  }
  let served = 0;
  let waitServed = 0;
  let waitedServed = 0;
  for (let n = 0; n <= K; n++) {
    const pn = probabilities[n]!;
    if (n < servers) {
      served += pn;
      continue;
    }
    const j = n < K ? n - servers + 1 : room;
    served += pn * entryP[j]!;
    waitServed += pn * entryR[j]!;
    waitedServed += pn * entryP[j]!;
  }
  if (served === 0) return { W: 1 / mu, Wq: 0, pWait: 0, served };
  const Wq = waitServed / served;
  return { W: Wq + 1 / mu, Wq, pWait: waitedServed / served, served };
}
