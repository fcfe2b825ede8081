// Over 400 lines is avoided by keeping the lifecycle (warm-up, snapshots, output) in replication.ts; this file only writes the hot loop's source.
/**
 * Writes the JavaScript source of one model's hot loop: the event calendar as fixed slots (one
 * for the source's next arrival, one per server), each station's arrive / admit / release /
 * route code with its capacity, overflow strategy and sampler written in, customers as indices
 * into typed arrays. The source depends on the model's shape only (`ModelShape`); the numbers
 * (rates, capacities, routing probabilities) come in through `P` when it is instantiated, so
 * one compiled loop serves every point of a sweep that changes only numbers.
 *
 * Every step is the general engine's (sim/des/network.ts, station.ts, source.ts, kernel.ts) in
 * the same order, with the same floating-point operations: events at one time fire in the order
 * they were scheduled (a sequence number per scheduling, as the kernel's), each random stream is
 * drawn from exactly when the general engine draws from it, and every sum is added to in the
 * same order. `specialise_test.ts` holds the two engines to the same output, bit for bit.
 * @module
 */

/** What the generated code depends on, beside the numbers `P` carries. */
export interface ModelShape {
  stations: StationShape[];
  /** Index of the station the source feeds. */
  target: number;
  /** The source's gaps: exponential (inlined) or any other process (its `next`, called). */
  arrivals: "exponential" | "process";
  series: boolean;
  mser: boolean;
  sendDelay: boolean;
  /** One station and no routes: the system's latency counts are the station's. */
  systemIsStation: boolean;
}

export interface StationShape {
  servers: number;
  /** A finite capacity K. */
  finite: boolean;
  overflow: "block" | "drop-newest" | "drop-oldest" | "reject";
  /** Exponential service (inlined), a fixed value (no draw), or any other distribution's `sample`. */
  service: "exponential" | "deterministic" | "object";
  /** The stations routes lead to, in route order. */
  routes: number[];
}

/** Offsets of a station's numbers in the state array `S` (`STRIDE` numbers per station). */
export const PRESENT = 0, BUSY = 1, HELD = 2, LAST = 3, LAST_BLOCKED = 4, LAST_SERIES = 5, SINCE = 6, STRIDE = 8;

/** Whether arrivals at station `shape` may be blocked (the general engine's `full && overflow === "block"`). */
const blocks = (s: StationShape) => s.overflow === "block" && s.finite;

/** The factory's source: `new Function("P", source)` returns the replication's hot half. */
export function generate(shape: ModelShape): string {
  const st = shape.stations;
  const out: string[] = [];
  const emit = (line: string) => out.push(line);
  // Slot 0: the source's next arrival; then each station's servers.
  const base: number[] = [];
  let slots = 1;
  for (const s of st) {
    base.push(slots);
    slots += s.servers;
  }
  const held = st.map(() => false); // stations whose servers may hold a customer blocked downstream
  st.forEach((s, i) => {
    for (const j of s.routes) if (blocks(st[j]!)) held[i] = true;
  });

  emit(`"use strict";`);
  emit(`const S = P.S, tick = P.tick, sysSums = P.sysSums, sysSojourn = P.sysSojourn, sysWait = P.sysWait;`);
  emit(`let window;`);
  emit(`const series = P.series, mser = P.mser, sendDelay = P.sendDelay, G = P.G;`);
  emit(`const NS = ${slots};`);
  emit(`const T = new Float64Array(NS).fill(Infinity), Q = new Float64Array(NS).fill(Infinity), SC = new Int32Array(NS);`);
  emit(`let now = 0, fired = 0, pending = 0, seq = 0, stopped = false;`);
  // Customers: parallel arrays indexed by a customer number, numbers reused through a free stack.
  emit(`let CE = new Float64Array(64), CA = new Float64Array(64), CS = new Float64Array(64), CW = new Float64Array(64), CB = new Float64Array(64), CF = new Uint8Array(64);`);
  emit(`let FREE = new Int32Array(64), freeTop = 0, made = 0;`);
  emit(`function grow() {
  const n = CE.length * 2;
  const g = (a, A) => { const b = new A(n); b.set(a); return b; };
  CE = g(CE, Float64Array); CA = g(CA, Float64Array); CS = g(CS, Float64Array); CW = g(CW, Float64Array); CB = g(CB, Float64Array); CF = g(CF, Uint8Array);
  FREE = g(FREE, Int32Array);
}`);
  emit(`function alloc() {
  let c;
  if (freeTop > 0) c = FREE[--freeTop];
  else { if (made === CE.length) grow(); c = made++; }
  CE[c] = now; CA[c] = now; CS[c] = NaN; CW[c] = 0; CB[c] = now; CF[c] = 0;
  return c;
}`);
  emit(`function free(c) { FREE[freeTop++] = c; }`);
  // Window moments (warm-up's end by time, batch ends, the stop): few, kept sorted by (time, seq).
  emit(`const misc = [];`);
  emit(`function at(time, fire) {
  if (!(time >= now)) throw new RangeError("Cannot schedule an event in the past: time " + time + " < now " + now);
  const e = { t: time, q: seq++, fire };
  let i = misc.length;
  misc.push(e);
  while (i > 0 && (misc[i - 1].t > e.t || (misc[i - 1].t === e.t && misc[i - 1].q > e.q))) { misc[i] = misc[i - 1]; i--; }
  misc[i] = e;
  pending++;
}`);
  emit(`function schedule(k, time, c) {
  if (!(time >= now)) throw new RangeError("Cannot schedule an event in the past: time " + time + " < now " + now);
  T[k] = time; Q[k] = seq++; SC[k] = c; pending++;
}`);
  // The source.
  if (shape.arrivals === "exponential") emit(`const arng = P.arrivalRng, amean = P.arrivalMean;`);
  else emit(`const aproc = P.arrivalProcess;`);
  const gap = shape.arrivals === "exponential" ? `t + -Math.log(arng.next()) * amean` : `aproc.next(t)`;
  emit(`function nextArrival(t) {
  const next = ${gap};
  if (next !== Infinity) schedule(0, next, -1); else G[3] = 1;
}`);
  const tgt = shape.target;
  const srcBlocks = blocks(st[tgt]!);
  emit(`function arrival() {
  const c = alloc();
  G[0]++;
  const outcome = arrive${tgt}(c, ${srcBlocks ? -1 : -2});
  if (outcome === 1) { G[4]++; return; }
  ${shape.sendDelay ? "sendDelay.record(0);" : ""}
  nextArrival(now);
}`);
  // The blocked arrival of the source got in (source.ts `release`).
  emit(`function sourceRelease(c) {
  G[4]--;
  ${shape.sendDelay ? "sendDelay.record(Math.round((now - CB[c]) / tick));" : ""}
  CE[c] = now;
  nextArrival(now);
}`);
  emit(`function lost(c) {
  free(c);
  G[1]++;
  if (window.observing) sysSums.dropped++;
}`);
  emit(`function exit(c) {
  G[2]++;
  const sojourn = now - CE[c];
  const wait = CW[c];
  const waited = (CF[c] & 2) !== 0;
  free(c);
  ${shape.mser ? "mser.add(sojourn);" : ""}
  if (window.observing) {
    sysSums.departed++;
    sysSums.sumSojourn += sojourn;
    sysSums.sumWait += wait;
    if (waited) sysSums.waitedCount++;
    ${shape.systemIsStation ? "" : "sysSojourn.record(Math.round(sojourn / tick)); sysWait.record(Math.round(wait / tick));"}
  }
  window.depart();
}`);
  st.forEach((s, i) => station(emit, s, i, base[i]!, held[i]!, st, shape));
  // The calendar: the earliest (time, seq) among the slots and the window's moments.
  const scan: string[] = [];
  scan.push(`let bt = T[0], bq = Q[0], bk = 0;`);
  if (slots <= 8) {
    for (let k = 1; k < slots; k++) scan.push(`{ const t = T[${k}]; if (t < bt || (t === bt && Q[${k}] < bq)) { bt = t; bq = Q[${k}]; bk = ${k}; } }`);
  } else {
    scan.push(`for (let k = 1; k < NS; k++) { const t = T[k]; if (t < bt || (t === bt && Q[k] < bq)) { bt = t; bq = Q[k]; bk = k; } }`);
  }
  const cases: string[] = [];
  st.forEach((s, i) => {
    for (let j = 0; j < s.servers; j++) cases.push(`case ${base[i]! + j}:`);
    cases.push(`  done${i}(c); break;`);
  });
  emit(`function advance(budget) {
  stopped = false;
  let left = budget;
  while (pending > 0 && !stopped) {
    if (--left < 0) return true;
    ${scan.join("\n    ")}
    if (misc.length > 0) {
      const m = misc[0];
      if (m.t < bt || (m.t === bt && m.q < bq)) {
        misc.shift();
        pending--;
        now = m.t;
        fired++;
        m.fire();
        continue;
      }
    }
    pending--;
    now = bt;
    fired++;
    T[bk] = Infinity;
    Q[bk] = Infinity;
    if (bk === 0) { arrival(); continue; }
    const c = SC[bk];
    switch (bk) {
      ${cases.join("\n      ")}
    }
  }
  return false;
}`);
  // Initial customers, then the source (network.ts `begin`); the window is the caller's.
  const initial = st
    .map((_, i) => `for (let k = 0; k < P.initial[${i}] && !(S[${i * STRIDE + PRESENT}] >= P.capacity[${i}]); k++) { const c = alloc(); P.counts[${i}].arrived++; G[0]++; admit${i}(c); }`)
    .join("\n  ");
  emit(`function begin() {
  ${initial}
  nextArrival(0);
}`);
  emit(`return {
  begin, advance, at,
  setWindow(w) { window = w; },
  stop() { stopped = true; },
  touch: [${st.map((_, i) => `touch${i}`).join(", ")}],
  waiting: [${st.map((s, i) => (blocks(s) ? `() => wk${i}.length - wh${i}` : "() => 0")).join(", ")}],
  get now() { return now; },
  get fired() { return fired; },
};`);
  return out.join("\n");
}

/** One station's functions: touch, start, admit, arrive, release, let in, done (route). */
function station(emit: (line: string) => void, s: StationShape, i: number, base: number, held: boolean, st: StationShape[], shape: ModelShape): void {
  const o = i * STRIDE;
  const present = `S[${o + PRESENT}]`, busy = `S[${o + BUSY}]`, heldN = `S[${o + HELD}]`;
  emit(`const sum${i} = P.sums[${i}], cnt${i} = P.counts[${i}], hs${i} = P.sojourn[${i}], hw${i} = P.wait[${i}], cap${i} = P.capacity[${i}];`);
  if (s.service === "exponential") emit(`const srng${i} = P.serviceRng[${i}], smean${i} = P.serviceMean[${i}];`);
  else if (s.service === "deterministic") emit(`const sval${i} = P.serviceValue[${i}];`);
  else emit(`const srng${i} = P.serviceRng[${i}], sdist${i} = P.serviceDist[${i}];`);
  if (s.routes.length > 0) emit(`const rrng${i} = P.routeRng[${i}], cum${i} = P.cumulative[${i}];`);
  // The buffer: a FIFO ring of customer numbers.
  emit(`let bq${i} = new Int32Array(16), bh${i} = 0, bt${i} = 0, bm${i} = 15;`);
  emit(`function push${i}(c) {
  bq${i}[bt${i}] = c;
  bt${i} = (bt${i} + 1) & bm${i};
  if (bt${i} === bh${i}) {
    const n = bq${i}.length, b = new Int32Array(n * 2);
    for (let k = 0; k < n; k++) b[k] = bq${i}[(bh${i} + k) & bm${i}];
    bq${i} = b; bh${i} = 0; bt${i} = n; bm${i} = n * 2 - 1;
  }
}`);
  if (blocks(s)) emit(`const wk${i} = [], wc${i} = []; let wh${i} = 0;`);
  // touch: the areas up to t (station.ts `touch`, metrics.ts `advance` / `advanceBlocked`).
  emit(`function touch${i}(t) {
  const dt = t - S[${o + LAST}];
  if (dt > 0) { sum${i}.areaPresent += ${present} * dt; sum${i}.areaBusy += ${busy} * dt; S[${o + LAST}] = t; }
  ${held ? `if (${heldN} > 0) { const db = t - S[${o + LAST_BLOCKED}]; if (db > 0) { sum${i}.areaBlocked += ${heldN} * db; S[${o + LAST_BLOCKED}] = t; } }` : ""}
  ${shape.series ? `series.area(${i}, S[${o + LAST_SERIES}], t, ${present}, ${busy}); S[${o + LAST_SERIES}] = t;` : ""}
}`);
  const sample = s.service === "exponential" ? `-Math.log(srng${i}.next()) * smean${i}` : s.service === "deterministic" ? `sval${i}` : `sdist${i}.sample(srng${i})`;
  const freeSlot = s.servers === 1 ? `const k = ${base};` : `let k = ${base}; while (Q[k] !== Infinity) k++;`;
  emit(`function start${i}(c) {
  ${busy}++;
  CS[c] = now;
  ${freeSlot}
  schedule(k, now + ${sample}, c);
}`);
  emit(`function admit${i}(c) {
  touch${i}(now);
  CA[c] = now;
  ${present}++;
  cnt${i}.admitted++;
  sum${i}.admitted++;
  if (${busy} < ${s.servers}) { CF[c] &= 2; start${i}(c); }
  else { CF[c] |= 1; CS[c] = NaN; push${i}(c); }
}`);
  // arrive: 0 admitted, 1 blocked, 2 dropped; `from` is -1 (the source), a station, or -2 (no release).
  let full: string;
  switch (s.overflow) {
    case "block":
      full = `if (from === -2) throw new Error("a blocked arrival needs a release callback");
  CB[c] = now; cnt${i}.blocked++; sum${i}.blocked++;
  wk${i}.push(from); wc${i}.push(c);
  return 1;`;
      break;
    case "drop-oldest":
      full = `if (bt${i} !== bh${i}) {
    touch${i}(now);
    CA[c] = now; ${present}++; cnt${i}.admitted++; sum${i}.admitted++;
    const e = bq${i}[bh${i}]; bh${i} = (bh${i} + 1) & bm${i};
    push${i}(c);
    ${present}--; cnt${i}.evicted++; sum${i}.dropped++; lost(e);
    CF[c] |= 1;
    return 0;
  }
  cnt${i}.refused++; sum${i}.dropped++; lost(c); return 2;`;
      break;
    case "reject":
      full = `cnt${i}.rejected++; sum${i}.dropped++; lost(c); return 2;`;
      break;
    default:
      full = `cnt${i}.refused++; sum${i}.dropped++; lost(c); return 2;`;
  }
  emit(`function arrive${i}(c, from) {
  cnt${i}.arrived++;
  sum${i}.arrived++;
  ${s.finite ? `if (${present} < cap${i}) { admit${i}(c); return 0; }\n  ${full}` : `admit${i}(c); return 0;`}
}`);
  const letIn = blocks(s)
    ? `while (${present} < cap${i} && wk${i}.length > wh${i}) {
    const from = wk${i}[wh${i}], b = wc${i}[wh${i}];
    wh${i}++;
    if (wh${i} === wk${i}.length) { wk${i}.length = 0; wc${i}.length = 0; wh${i} = 0; }
    sum${i}.blockTime += now - CB[b];
    ${releaseBlocked(st, i)}
    admit${i}(b);
  }`
    : "";
  emit(`function release${i}(c, held) {
  touch${i}(now);
  ${present}--;
  ${busy}--;
  ${held ? `if (held) ${heldN}--;` : ""}
  cnt${i}.departed++;
  const wait = CS[c] - CA[c];
  CW[c] += wait;
  const waited = CF[c] & 1;
  if (waited) CF[c] |= 2;
  const sojourn = now - CA[c];
  sum${i}.departed++;
  sum${i}.sumSojourn += sojourn;
  sum${i}.sumWait += wait;
  if (waited) sum${i}.waitedCount++;
  hs${i}.record(Math.round(sojourn / tick));
  hw${i}.record(Math.round(wait / tick));
  ${shape.series ? `series.departure(${i}, now);` : ""}
  if (bt${i} !== bh${i}) { const n = bq${i}[bh${i}]; bh${i} = (bh${i} + 1) & bm${i}; start${i}(n); }
  ${letIn}
}`);
  // done: service over, route on or out (network.ts `serviceDone`).
  const lines: string[] = [];
  if (s.routes.length > 0) {
    lines.push(`const u = rrng${i}.next();`);
    s.routes.forEach((j, r) => {
      const to = st[j]!;
      const go = blocks(to)
        ? `if (S[${j * STRIDE + PRESENT}] >= cap${j}) {
      { const db = now - S[${o + LAST_BLOCKED}]; if (db > 0) { sum${i}.areaBlocked += ${heldN} * db; S[${o + LAST_BLOCKED}] = now; } }
      ${heldN}++;
      arrive${j}(c, ${i});
      return;
    }
    release${i}(c, false); arrive${j}(c, -2); return;`
        : `release${i}(c, false); arrive${j}(c, -2); return;`;
      lines.push(`${r === 0 ? "" : "else "}if (u < cum${i}[${r}]) {\n    ${go}\n  }`);
    });
  }
  lines.push(`release${i}(c, false);\n  exit(c);`);
  emit(`function done${i}(c) {\n  ${lines.join("\n  ")}\n}`);
}

/** The code that releases whoever was blocked at station `i` (`from` = -1: the source; else a station). */
function releaseBlocked(st: StationShape[], i: number): string {
  const upstream = st.map((s, j) => (s.routes.includes(i) ? j : -1)).filter((j) => j >= 0);
  const parts = [`if (from === -1) sourceRelease(b);`];
  for (const j of upstream) parts.push(`else if (from === ${j}) release${j}(b, true);`);
  return parts.join(" ");
}
