// Over 400 lines because the generator writes every path of an event (arrive, admit, release, route, block, evict) in one place, where their order can be checked against the general engine side by side.
/**
 * Writes the JavaScript source of one model's hot loop: the event calendar as fixed slots (one
 * for the source's next arrival, one per server), each station's arrive / admit / release /
 * route code with its capacity, overflow strategy and sampler written in, customers as indices
 * into typed arrays. The source depends on the model's shape only (`ModelShape`); the numbers
 * (rates, capacities, routing probabilities) come in through `P` when it is instantiated, so
 * one compiled loop serves every point of a sweep that changes only numbers. What the loop
 * touches on every event is held where the JIT sees a constant: the state, sums, counts and
 * counters in typed arrays the factory makes once (`S`, `A`, `G`, `R`; the caller reads them
 * through `arrays`), the numbers in the slots of `K` (written in by `init`), rather than in
 * variables each replication rebinds.
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
export const PRESENT = 0, BUSY = 1, HELD = 2, LAST = 3, LAST_BLOCKED = 4, LAST_SERIES = 5, SINCE = 6, STRIDE = 12;
/**
 * The series' open window of a station, added to in `S` (a constant array) rather than in the
 * recorder's arrays, which are rebound when the windows roll: loaded from the recorder when its
 * cursor is read (`seriesCursor`), written back before any call that may roll or read it
 * (`seriesFlush`). The same additions in the same order as into the recorder's own arrays.
 */
const SERIES_DEPTH = 7, SERIES_BUSY = 8, SERIES_DEPARTURES = 9;

/**
 * The statistics the generated code adds to, kept in one Float64Array `A` rather than in objects
 * (adding into an object's fields measured about 8% slower on M/M/1): per station its sums
 * (metrics.ts `Sums` without `time`, in this order) then its counts, `A_STRIDE` numbers a
 * station; the system's sums after the last station's.
 */
export const SUM_FIELDS = ["areaPresent", "areaBusy", "areaBlocked", "arrived", "admitted", "departed", "dropped", "blocked", "sumSojourn", "sumWait", "waitedCount", "blockTime"] as const;
export const COUNT_FIELDS = ["arrived", "admitted", "departed", "refused", "evicted", "rejected", "blocked"] as const;
export const A_STRIDE = SUM_FIELDS.length + COUNT_FIELDS.length;
/** Index in `A` of station `i`'s sum `field` (`i` = the number of stations: the system's). */
export const sumAt = (i: number, field: (typeof SUM_FIELDS)[number]): number => i * A_STRIDE + SUM_FIELDS.indexOf(field);
/** Index in `A` of station `i`'s count `field`. */
export const countAt = (i: number, field: (typeof COUNT_FIELDS)[number]): number => i * A_STRIDE + SUM_FIELDS.length + COUNT_FIELDS.indexOf(field);

/**
 * The random streams the generated code steps itself (xoroshiro128+ state in `P.R`, four int32
 * per stream, in this order): the exponential source's, each exponential service's, each
 * routing's. Streams read by a distribution's or a process's own code stay objects.
 */
export function inlineStreams(shape: ModelShape): { kind: "arrivals" | "service" | "routing"; station: number }[] {
  const out: { kind: "arrivals" | "service" | "routing"; station: number }[] = [];
  if (shape.arrivals === "exponential") out.push({ kind: "arrivals", station: -1 });
  shape.stations.forEach((s, i) => {
    if (s.service === "exponential") out.push({ kind: "service", station: i });
    if (s.routes.length > 0) out.push({ kind: "routing", station: i });
  });
  return out;
}

/** Whether arrivals at station `shape` may be blocked (the general engine's `full && overflow === "block"`). */
const blocks = (s: StationShape) => s.overflow === "block" && s.finite;

/**
 * The factory's source: `new Function("P", source)` returns the replication's hot half. The
 * common path of each event (an arrival, a service completion routed on or out) is written out
 * in one piece, with no call but the random draws and the latency counts: a call per step cost
 * more than the steps (the first version, one function per step, ran no faster than the
 * general engine). Rare paths (blocking, drop-oldest, growing an array) stay functions.
 */
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
  let uid = 0;
  const fresh = (name: string) => `${name}_${uid++}`;
  const at = (i: number, field: number) => `S[${i * STRIDE + field}]`;

  const touch = (i: number, t: string): string => {
    const dt = fresh("dt");
    const lines = [`{ const ${dt} = ${t} - ${at(i, LAST)}; if (${dt} > 0) { A[${sumAt(i, "areaPresent")}] += ${at(i, PRESENT)} * ${dt}; A[${sumAt(i, "areaBusy")}] += ${at(i, BUSY)} * ${dt}; ${at(i, LAST)} = ${t}; } }`];
    if (held[i]) {
      const db = fresh("db");
      lines.push(`if (${at(i, HELD)} > 0) { const ${db} = ${t} - ${at(i, LAST_BLOCKED)}; if (${db} > 0) { A[${sumAt(i, "areaBlocked")}] += ${at(i, HELD)} * ${db}; ${at(i, LAST_BLOCKED)} = ${t}; } }`);
    }
    if (shape.series) {
      // SeriesRecorder.area: within the open window, its two additions written out; past it, the call (it rolls).
      const d = fresh("d");
      lines.push(`if (${t} > sEnd) { seriesFlush(); series.area(${i}, ${at(i, LAST_SERIES)}, ${t}, ${at(i, PRESENT)}, ${at(i, BUSY)}); seriesCursor(); }
    else if (${t} > ${at(i, LAST_SERIES)}) { const ${d} = ${t} - ${at(i, LAST_SERIES)}; ${at(i, SERIES_DEPTH)} += ${at(i, PRESENT)} * ${d}; ${at(i, SERIES_BUSY)} += ${at(i, BUSY)} * ${d}; }
    ${at(i, LAST_SERIES)} = ${t};`);
    }
    return lines.join(" ");
  };
  const sample = (i: number): string => {
    const s = st[i]!;
    return s.service === "exponential" ? `-Math.log(rnd_s${i}()) * smean${i}` : s.service === "deterministic" ? `sval${i}` : `sdist${i}.sample(srng${i})`;
  };
  /** Service starts for customer `c` (a server is known to be free): station.ts `startService`. */
  const start = (i: number, c: string): string => {
    const k = fresh("k");
    const slot = st[i]!.servers === 1 ? `const ${k} = ${base[i]};` : `let ${k} = ${base[i]}; while (Q[${k}] !== Infinity) ${k}++;`;
    return `{ ${at(i, BUSY)}++; CS[${c}] = now; ${slot} T[${k}] = now + ${sample(i)}; Q[${k}] = seq++; SC[${k}] = ${c}; pending++; }`;
  };
  /** Station.admit. */
  const admit = (i: number, c: string): string =>
    `{ ${touch(i, "now")} CA[${c}] = now; ${at(i, PRESENT)}++; A[${countAt(i, "admitted")}]++; A[${sumAt(i, "admitted")}]++;
    if (${at(i, BUSY)} < ${st[i]!.servers}) { CF[${c}] &= 2; ${start(i, c)} }
    else { CF[${c}] |= 1; CS[${c}] = NaN; ${blocks(st[i]!) ? `if (((bt${i} - bh${i}) & bm${i}) >= room${i}) FREE[freeTop++] = ${c}; else {` : "{"} bq${i}[bt${i}] = ${c}; bt${i} = (bt${i} + 1) & bm${i}; if (bt${i} === bh${i}) grow${i}(); } } }`;
  /** Station.arrive; `result` (a variable name) gets 0 admitted, 1 blocked, 2 dropped, when given. */
  const arrive = (i: number, c: string, from: string, result?: string): string => {
    const s = st[i]!;
    const set = (v: number) => (result ? `${result} = ${v};` : "");
    const head = `A[${countAt(i, "arrived")}]++; A[${sumAt(i, "arrived")}]++;`;
    if (!s.finite) return `{ ${head} ${admit(i, c)} ${set(0)} }`;
    return `{ ${head} if (${at(i, PRESENT)} < cap${i}) { ${admit(i, c)} ${set(0)} } else { ${result ? `${result} = ` : ""}full${i}(${c}, ${from}); } }`;
  };
  /** Station.release (`held`: "true", "false", or a variable's name). */
  const release = (i: number, c: string, heldArg: string): string => {
    const [wait, sojourn, waited, next] = [fresh("wait"), fresh("sojourn"), fresh("waited"), fresh("next")];
    const s = st[i]!;
    return `{ ${touch(i, "now")} ${at(i, PRESENT)}--; ${at(i, BUSY)}--; ${held[i] && heldArg !== "false" ? `if (${heldArg}) ${at(i, HELD)}--;` : ""}
    A[${countAt(i, "departed")}]++;
    const ${wait} = CS[${c}] - CA[${c}]; CW[${c}] += ${wait};
    const ${waited} = CF[${c}] & 1; if (${waited}) CF[${c}] |= 2;
    const ${sojourn} = now - CA[${c}];
    A[${sumAt(i, "departed")}]++; A[${sumAt(i, "sumSojourn")}] += ${sojourn}; A[${sumAt(i, "sumWait")}] += ${wait}; if (${waited}) A[${sumAt(i, "waitedCount")}]++;
    ${record(`Hs${i}`, `hs${i}`, sojourn)} ${record(`Hw${i}`, `hw${i}`, wait)}
    ${shape.series ? `if (now > sEnd) { seriesFlush(); series.departure(${i}, now); seriesCursor(); } else ${at(i, SERIES_DEPARTURES)}++;` : ""}
    if (bt${i} !== bh${i}) { const ${next} = bq${i}[bh${i}]; bh${i} = (bh${i} + 1) & bm${i}; ${start(i, next)} }
    ${blocks(s) ? `if (wk${i}.length > wh${i}) letIn${i}();` : ""} }`;
  };
  /** network.ts `#exit`. */
  const exit = (c: string): string => {
    const [sojourn, wait, waited] = [fresh("sojourn"), fresh("wait"), fresh("waited")];
    return `{ G[2]++; const ${sojourn} = now - CE[${c}]; const ${wait} = CW[${c}]; const ${waited} = (CF[${c}] & 2) !== 0;
    FREE[freeTop++] = ${c};
    ${shape.mser ? `mser.add(${sojourn});` : ""}
    if (window.observing) { A[${sumAt(st.length, "departed")}]++; A[${sumAt(st.length, "sumSojourn")}] += ${sojourn}; A[${sumAt(st.length, "sumWait")}] += ${wait}; if (${waited}) A[${sumAt(st.length, "waitedCount")}]++;
      ${shape.systemIsStation ? "" : `${record("HsSys", "sysSojourn", sojourn)} ${record("HwSys", "sysWait", wait)}`} }
    window.depart(); }`;
  };
  /**
   * network.ts `serviceDone` for customer `c` at station `i`: the route drawn, then (a full
   * `block` station ahead) the server held, else the customer released here once and handed on.
   */
  const done = (i: number, c: string): string => {
    const s = st[i]!;
    if (s.routes.length === 0) return `${release(i, c, "false")} ${exit(c)}`;
    const [u, to] = [fresh("u"), fresh("to")];
    const parts = [`const ${u} = rnd_r${i}(); let ${to} = -1;`];
    parts.push(s.routes.map((j, r) => `${r === 0 ? "" : "else "}if (${u} < cum${i}_${r}) ${to} = ${j};`).join(" "));
    const targets = [...new Set(s.routes)];
    const blocking = targets.filter((j) => blocks(st[j]!));
    const hold = blocking.map((j) => `if (${to} === ${j} && ${at(j, PRESENT)} >= cap${j}) { holdBlocked${i}(); arriveF${j}(${c}, ${i}); }`).join(" else ");
    const onward = [`if (${to} === -1) ${exit(c)}`, ...targets.map((j) => `else if (${to} === ${j}) ${arrive(j, c, "-2")}`)].join("\n    ");
    parts.push(`${hold ? `${hold} else ` : ""}{ ${release(i, c, "false")}\n    ${onward} }`);
    return parts.join("\n    ");
  };
  /** The counts `record` writes, each with its exact-path helper (emitted at the end). */
  const exactPaths = new Map<string, string>();
  /** LatencyCounts.record of `x` in ticks into counts array `h` (its object: `obj`), written out. */
  const record = (h: string, obj: string, x: string): string => {
    const [q, v, e, t, sh] = [fresh("q"), fresh("v"), fresh("e"), fresh("t"), fresh("sh")];
    exactPaths.set(h, obj);
    // Math.round(x / tick) without the division: x · (1/tick) is within 2 ulps of x / tick, so
    // the two round alike unless they lie within 10^-4 of a half-integer (about one value in
    // 5,000), or the product is negative, beyond int32 or not a number: those take the division
    // (recordExact). The slot without a branch: bucket 0 is shift 0, so slot = shift · 1024 + (v >>> shift).
    return `{ const ${q} = ${x} * rtick, ${v} = (${q} + 0.5) | 0, ${e} = ${q} - ${v};
    if (${e} < 0.4999 && ${e} > -0.4999) { const ${t} = 21 - Math.clz32(${v}), ${sh} = ${t} & ~(${t} >> 31); ${h}[(${sh} << 10) + (${v} >>> ${sh})]++; }
    else exact${h}(${x}); }`;
  };

  /** The source's next arrival after `t` (source.ts `#schedule`). */
  const nextArrival = (t: string): string => {
    const next = fresh("next");
    const gap = shape.arrivals === "exponential" ? `${t} + -Math.log(rnd_a()) * amean` : `aproc.next(${t})`;
    return `{ const ${next} = ${gap}; if (${next} !== Infinity) { T[0] = ${next}; Q[0] = seq++; SC[0] = -1; pending++; } else G[3] = 1; }`;
  };
  const alloc = (c: string): string =>
    `let ${c}; if (freeTop > 0) ${c} = FREE[--freeTop]; else { if (made === CE.length) grow(); ${c} = made++; }
    CE[${c}] = now; CA[${c}] = now; CS[${c}] = NaN; CW[${c}] = 0; CB[${c}] = now; CF[${c}] = 0;`;

  emit(`"use strict";`);
  // Per-replication values: declared once, set by \`init\` (one compiled instance serves every
  // replication of the shape, so the JIT sees one closure, not one per replication).
  const binds: string[] = [];
  /** `"a = x, b = f(y, z)"` as its [name, expression] pairs. */
  const assignments = (line: string): [string, string][] =>
    line.split(/,\s*(?![^(\[]*[)\]])/).map((part) => {
      const [name, expr] = part.split(/\s*=\s*/, 2) as [string, string];
      return [name.trim(), expr.trim()];
    });
  const bind = (line: string) => {
    for (const [name, expr] of assignments(line)) {
      emit(`let ${name};`);
      binds.push(`${name} = ${expr};`);
    }
  };
  // The instance's own arrays, constants of the factory (a `let` rebound at each `init` made
  // every access load the array again): zeroed by `init`, but for `R`, which the caller fills.
  emit(`const S = new Float64Array(${st.length * STRIDE}), A = new Float64Array(${(st.length + 1) * A_STRIDE}), G = new Float64Array(8), R = new Int32Array(${4 * inlineStreams(shape).length});`);
  // Per-replication numbers read in the hot paths: slots of one constant Float64Array `K` (the
  // names below are rewritten to its slots at the end), not `let`s rebound at each `init`,
  // which measured about 4% slower on M/M/1.
  const numbers: string[] = [];
  const number = (line: string) => {
    for (const [name, expr] of assignments(line)) {
      binds.push(`K[${numbers.length}] = ${expr};`);
      numbers.push(name);
    }
  };
  emit(`const K = new Float64Array(@NUMBERS@);`);
  number(`tick = P.tick, rtick = 1 / P.tick`);
  bind(`sysSojourn = P.sysSojourn, sysWait = P.sysWait, PP = P`);
  emit(`let window;`);
  // LatencyCounts.record of Math.round(x / tick), written out: the path of the values \`record\` below
  // leaves. Returns the counts array to write into from then on: a value of 2^32 ticks or more
  // grows it (LatencyCounts.record), and writing on into the old one would lose counts.
  emit(`function recordExact(h, counts, x) {
  const v = Math.round(x / tick);
  if (v < 4294967296) { if (v < 2048) h[v]++; else { const sh = 21 - Math.clz32(v); h[2048 + (sh - 1) * 1024 + ((v >>> sh) - 1024)]++; } return h; }
  counts.record(v);
  return counts.fastCounts();
}`);
  // The latency counts' arrays, written into directly (LatencyCounts.fastCounts).
  if (!shape.systemIsStation) bind(`HsSys = P.sysSojourn.fastCounts(), HwSys = P.sysWait.fastCounts()`);
  bind(`series = P.series, mser = P.mser, sendDelay = P.sendDelay`);
  // The send delays' counts array, written into directly as the latency counts' (an arrival let in at once records 0).
  if (shape.sendDelay) bind(`HsD = P.sendDelay.fastCounts()`);
  emit(`const NS = ${slots};`);
  if (shape.series) {
    // The series' open window (SeriesRecorder's cursor), read again whenever a call may have rolled it.
    emit(`let sEnd = 0, sW = 0${st.map((_, i) => `, SD${i}, SB${i}, SP${i}`).join("")};`);
    emit(`function seriesCursor() {
  sEnd = series.end; sW = series.window;
  ${st.map((_, i) => `[SD${i}, SB${i}, SP${i}] = series.arraysOf(${i}); ${at(i, SERIES_DEPTH)} = SD${i}[sW]; ${at(i, SERIES_BUSY)} = SB${i}[sW]; ${at(i, SERIES_DEPARTURES)} = SP${i}[sW];`).join("\n  ")}
}`);
    emit(`function seriesFlush() {
  ${st.map((_, i) => `SD${i}[sW] = ${at(i, SERIES_DEPTH)}; SB${i}[sW] = ${at(i, SERIES_BUSY)}; SP${i}[sW] = ${at(i, SERIES_DEPARTURES)};`).join("\n  ")}
}`);
  }
  emit(`const T = new Float64Array(NS).fill(Infinity), Q = new Float64Array(NS).fill(Infinity), SC = new Int32Array(NS);`);
  emit(`let now = 0, fired = 0, pending = 0, seq = 0, stopped = false;`);
  // Customers: parallel arrays indexed by a customer number, numbers reused through a free stack.
  // Made at half size and grown once here, so that each variable has been assigned twice before
  // any code is compiled: the JIT folds a variable assigned only once into its code as a constant,
  // and the first growth during a run then threw that code away mid-replication.
  emit(`let CE = new Float64Array(32), CA = new Float64Array(32), CS = new Float64Array(32), CW = new Float64Array(32), CB = new Float64Array(32), CF = new Uint8Array(32);`);
  emit(`let FREE = new Int32Array(32), freeTop = 0, made = 0;`);
  emit(`function grow() {
  const n = CE.length * 2;
  const g = (a, A) => { const b = new A(n); b.set(a); return b; };
  CE = g(CE, Float64Array); CA = g(CA, Float64Array); CS = g(CS, Float64Array); CW = g(CW, Float64Array); CB = g(CB, Float64Array); CF = g(CF, Uint8Array);
  FREE = g(FREE, Int32Array);
}
grow();`);
  emit(`function alloc() { ${alloc("c")} return c; }`);
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
  if (shape.arrivals === "exponential") number(`amean = P.arrivalMean`);
  // The streams stepped here: RandomStream.next over pure-rand's xoroshiro128+ next, twice, written out.
  inlineStreams(shape).forEach((stream, k) => {
    const o = 4 * k;
    const name = stream.kind === "arrivals" ? "rnd_a" : stream.kind === "service" ? `rnd_s${stream.station}` : `rnd_r${stream.station}`;
    emit(`function ${name}() {
  const s01 = R[${o}], s00 = R[${o + 1}], s11 = R[${o + 2}], s10 = R[${o + 3}];
  const high = (s00 + s10 | 0) >>> 6;
  let a0 = s10 ^ s00, a1 = s11 ^ s01;
  const n00 = s00 << 24 ^ s01 >>> 8 ^ a0 ^ a0 << 16;
  const n01 = s01 << 24 ^ s00 >>> 8 ^ a1 ^ (a1 << 16 | a0 >>> 16);
  const n10 = a1 << 5 ^ a0 >>> 27;
  const n11 = a0 << 5 ^ a1 >>> 27;
  const low = (n00 + n10 | 0) >>> 6;
  a0 = n10 ^ n00; a1 = n11 ^ n01;
  R[${o + 1}] = n00 << 24 ^ n01 >>> 8 ^ a0 ^ a0 << 16;
  R[${o}] = n01 << 24 ^ n00 >>> 8 ^ a1 ^ (a1 << 16 | a0 >>> 16);
  R[${o + 3}] = a1 << 5 ^ a0 >>> 27;
  R[${o + 2}] = a0 << 5 ^ a1 >>> 27;
  return (high * 67108864 + low + 0.5) * 2.220446049250313e-16;
}`);
  });
  if (shape.arrivals !== "exponential") bind(`aproc = P.arrivalProcess`);
  emit(`function lost(c) {
  FREE[freeTop++] = c;
  G[1]++;
  if (window.observing) A[${sumAt(st.length, "dropped")}]++;
}`);
  // The blocked arrival of the source got in (source.ts `release`).
  emit(`function sourceRelease(c) {
  G[4]--;
  ${shape.sendDelay ? record("HsD", "sendDelay", "(now - CB[c])") : ""}
  CE[c] = now;
  ${nextArrival("now")}
}`);
  // Each station's constants and its rare paths, as functions.
  st.forEach((s, i) => {
    bind(`hs${i} = P.sojourn[${i}], hw${i} = P.wait[${i}]`);
    number(`cap${i} = P.capacity[${i}]`);
    bind(`Hs${i} = P.sojourn[${i}].fastCounts(), Hw${i} = P.wait[${i}].fastCounts()`);
    if (s.service === "exponential") number(`smean${i} = P.serviceMean[${i}]`);
    else if (s.service === "deterministic") number(`sval${i} = P.serviceValue[${i}]`);
    else bind(`srng${i} = P.serviceRng[${i}], sdist${i} = P.serviceDist[${i}]`);
    s.routes.forEach((_, r) => number(`cum${i}_${r} = P.cumulative[${i}][${r}]`));
    // Made at half size and grown once here, as the customers' arrays are (above); `init` empties it.
    emit(`let bq${i} = new Int32Array(8), bh${i} = 0, bt${i} = 0, bm${i} = 7;`);
    binds.push(`bh${i} = 0; bt${i} = 0;`);
    // The ring is full (the last push made tail meet head): double it.
    emit(`function grow${i}() {
  const n = bq${i}.length, b = new Int32Array(n * 2);
  for (let k = 0; k < n; k++) b[k] = bq${i}[(bh${i} + k) & bm${i}];
  bq${i} = b; bh${i} = 0; bt${i} = n; bm${i} = n * 2 - 1;
}
grow${i}();`);
    if (blocks(s)) {
      emit(`const wk${i} = [], wc${i} = []; let wh${i} = 0, li${i} = false;`);
      binds.push(`wk${i}.length = 0; wc${i}.length = 0; wh${i} = 0; li${i} = false;`);
      // The buffer holds K − c (letIn never lets the station take more than K).
      number(`room${i} = P.capacity[${i}] - ${s.servers}`);
    }
    emit(`function touch${i}(t) { ${touch(i, "t")} }`);
    emit(`function admitF${i}(c) { ${admit(i, "c")} }`);
    emit(`function arriveF${i}(c, from) { let r = 0; ${arrive(i, "c", "from", "r")} return r; }`);
    if (held[i]) {
      emit(`function releaseF${i}(c, held) { ${release(i, "c", "held")} }`);
      // The customer served here is done but blocked downstream: it keeps its server (Station.holdBlocked).
      emit(`function holdBlocked${i}() {
  { const db = now - ${at(i, LAST_BLOCKED)}; if (db > 0) { A[${sumAt(i, "areaBlocked")}] += ${at(i, HELD)} * db; ${at(i, LAST_BLOCKED)} = now; } }
  ${at(i, HELD)}++;
}`);
    }
    // The arrival finds the station full (Station.arrive's overflow switch).
    let full: string;
    switch (s.overflow) {
      case "block":
        full = `if (from === -2) throw new Error("a blocked arrival needs a release callback");
  CB[c] = now; A[${countAt(i, "blocked")}]++; A[${sumAt(i, "blocked")}]++;
  wk${i}.push(from); wc${i}.push(c);
  return 1;`;
        break;
      case "drop-oldest":
        full = `if (bt${i} !== bh${i}) {
    touch${i}(now);
    CA[c] = now; ${at(i, PRESENT)}++; A[${countAt(i, "admitted")}]++; A[${sumAt(i, "admitted")}]++;
    const e = bq${i}[bh${i}]; bh${i} = (bh${i} + 1) & bm${i};
    bq${i}[bt${i}] = c; bt${i} = (bt${i} + 1) & bm${i}; if (bt${i} === bh${i}) grow${i}();
    ${at(i, PRESENT)}--; A[${countAt(i, "evicted")}]++; A[${sumAt(i, "dropped")}]++; lost(e);
    CF[c] |= 1;
    return 0;
  }
  A[${countAt(i, "refused")}]++; A[${sumAt(i, "dropped")}]++; lost(c); return 2;`;
        break;
      case "reject":
        full = `A[${countAt(i, "rejected")}]++; A[${sumAt(i, "dropped")}]++; lost(c); return 2;`;
        break;
      default:
        full = `A[${countAt(i, "refused")}]++; A[${sumAt(i, "dropped")}]++; lost(c); return 2;`;
    }
    emit(`function full${i}(c, from) {\n  ${full}\n}`);
  });
  // Space freed at a `block` station: blocked arrivals get in, in the order they blocked (Station.#letIn / enter).
  st.forEach((s, i) => {
    if (!blocks(s)) return;
    const upstream = st.map((u, j) => (u.routes.includes(i) ? j : -1)).filter((j) => j >= 0);
    const releases = [`if (from === -1) sourceRelease(b);`, ...upstream.map((j) => `else if (from === ${j}) releaseF${j}(b, true);`)].join(" ");
    // A release inside the loop that lands here again (a route back, a cycle) returns at once (Station.#letIn).
    emit(`function letIn${i}() {
  if (li${i}) return;
  li${i} = true;
  while (${at(i, PRESENT)} < cap${i} && wk${i}.length > wh${i}) {
    const from = wk${i}[wh${i}], b = wc${i}[wh${i}];
    wh${i}++;
    if (wh${i} === wk${i}.length) { wk${i}.length = 0; wc${i}.length = 0; wh${i} = 0; }
    A[${sumAt(i, "blockTime")}] += now - CB[b];
    ${releases}
    admitF${i}(b);
  }
  li${i} = false;
}`);
  });
  // The calendar: the earliest (time, seq) among the slots and the window's moments.
  const scan: string[] = [`let bt = T[0], bq = Q[0], bk = 0;`];
  if (slots <= 8) {
    for (let k = 1; k < slots; k++) scan.push(`{ const t = T[${k}]; if (t < bt || (t === bt && Q[${k}] < bq)) { bt = t; bq = Q[${k}]; bk = ${k}; } }`);
  } else {
    scan.push(`for (let k = 1; k < NS; k++) { const t = T[k]; if (t < bt || (t === bt && Q[k] < bq)) { bt = t; bq = Q[k]; bk = k; } }`);
  }
  const tgt = shape.target;
  const arrival = `${alloc("c")}
    G[0]++;
    let outcome = 0;
    ${arrive(tgt, "c", blocks(st[tgt]!) ? "-1" : "-2", "outcome")}
    if (outcome === 1) G[4]++;
    else { ${shape.sendDelay ? "HsD[0]++;" : ""} ${nextArrival("now")} }`;
  // One station: everything in the loop. Several: each station's completion (and the arrival) a
  // function of its own, called once per event, so that no function grows past what the JIT's
  // top tier takes (one loop with three stations written out ran no faster than the general engine).
  const split = st.length > 1;
  const cases: string[] = [];
  st.forEach((s, i) => {
    const labels = Array.from({ length: s.servers }, (_, j) => `case ${base[i]! + j}:`).join(" ");
    if (split) emit(`function done${i}(c) {\n    ${done(i, "c")}\n}`);
    cases.push(`${labels} {\n    ${split ? `done${i}(c);` : done(i, "c")}\n    break; }`);
  });
  if (split) emit(`function arrival() {\n    ${arrival}\n}`);
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
    if (bk === 0) {
    ${split ? "arrival();" : arrival}
    continue;
    }
    const c = SC[bk];
    switch (bk) {
    ${cases.join("\n    ")}
    }
  }
  return false;
}`);
  // Initial customers, then the source (network.ts `begin`); the window is the caller's.
  const initial = st
    .map((_, i) => `for (let k = 0; k < PP.initial[${i}] && !(${at(i, PRESENT)} >= PP.capacity[${i}]); k++) { const c = alloc(); A[${countAt(i, "arrived")}]++; G[0]++; admitF${i}(c); }`)
    .join("\n  ");
  emit(`function begin() {
  ${initial}
  ${nextArrival("0")}
}`);
  emit(`function init(P) {
  ${binds.join("\n  ")}
  T.fill(Infinity); Q.fill(Infinity); S.fill(0); A.fill(0); G.fill(0);
  now = 0; fired = 0; pending = 0; seq = 0; stopped = false;
  freeTop = 0; made = 0;
  misc.length = 0;
  window = undefined;
  ${shape.series ? "seriesCursor();" : ""}
}`);
  // The rare exact path of each count, as a function of its own: the hot loop then reads no
  // variable on that path, and the JIT, which compiles a path never yet taken as an exit from the
  // optimised code when the path reads a variable, compiles a plain call instead (BENCHMARKS.md,
  // "a warm-up for the JIT").
  for (const [h, obj] of exactPaths) emit(`function exact${h}(x) { ${h} = recordExact(${h}, ${obj}, x); }`);
  emit(`return {
  init, begin, advance, at,
  flushSeries: ${shape.series ? "seriesFlush" : "() => {}"},
  arrays: { S, A, G, R },
  setWindow(w) { window = w; },
  stop() { stopped = true; },
  touch: [${st.map((_, i) => `touch${i}`).join(", ")}],
  waiting: [${st.map((s, i) => (blocks(s) ? `() => wk${i}.length - wh${i}` : "() => 0")).join(", ")}],
  get now() { return now; },
  get fired() { return fired; },
};`);
  let source = out.join("\n").replace("@NUMBERS@", String(Math.max(1, numbers.length)));
  // Each number's name (not a property's: no "." before it) becomes its slot.
  numbers.forEach((name, k) => (source = source.replace(new RegExp(`(?<![.\\w$])${name}(?![\\w$])`, "g"), `K[${k}]`)));
  return source;
}
