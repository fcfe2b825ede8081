/**
 * The demo page's script (bundled for the browser by `queuelab serve`): reads the controls,
 * asks the worker to simulate, and redraws the numbers and the three uPlot charts, with
 * theory (computed here, from sim/theory/) beside the simulation.
 * @module
 */
import type UPlot from "uplot";
import type { Point } from "../../result/result.ts";
import { theoryFor } from "../../sim/theory/mod.ts";
import { throughputBound } from "../../sim/core/traffic.ts";
import { DEFAULT_SETTINGS, networkFor, sweepRates, VARIABILITY, type Settings, type Variability } from "./model.ts";
import type { Reply, Request } from "./worker.ts";

declare const uPlot: typeof UPlot;

const UNBOUNDED_K = 41; // the capacity slider's far right
const COLORS = { bound: "#8a929e", theory: "#0072B2", sim: "#009E73", p99: "#CC79A7", current: "#D55E00", limit: "#E69F00" };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);
const select = (id: string) => $<HTMLSelectElement>(id);

// ─── controls ───

for (const id of ["arrivals", "service"]) {
  for (const [value, { label }] of Object.entries(VARIABILITY)) select(id).add(new Option(label, value));
}

function writeControls(settings: Settings): void {
  input("lambda").value = String(settings.lambda);
  input("mu").value = String(settings.mu);
  input("servers").value = String(settings.servers);
  input("capacity").value = String(settings.capacity ?? UNBOUNDED_K);
  select("overflow").value = settings.overflow;
  select("arrivals").value = settings.arrivals;
  select("service").value = settings.service;
}

function readControls(): Settings {
  const k = Number(input("capacity").value);
  const servers = Number(input("servers").value);
  return {
    lambda: Number(input("lambda").value),
    mu: Number(input("mu").value),
    servers,
    // K counts the customers in service too: never fewer than c (the scenario rules refuse it).
    capacity: k >= UNBOUNDED_K ? null : Math.max(k, servers),
    overflow: select("overflow").value as Settings["overflow"],
    arrivals: select("arrivals").value as Variability,
    service: select("service").value as Variability,
    customers: DEFAULT_SETTINGS.customers,
  };
}

function showControlValues(settings: Settings): void {
  $("lambda-value").textContent = fmt(settings.lambda);
  $("mu-value").textContent = fmt(settings.mu);
  $("servers-value").textContent = String(settings.servers);
  if (settings.capacity !== null) input("capacity").value = String(settings.capacity); // raised to c
  $("capacity-value").textContent = settings.capacity === null ? "∞" : String(settings.capacity);
  $("overflow-control").classList.toggle("disabled", settings.capacity === null);
  select("overflow").disabled = settings.capacity === null;
}

// ─── numbers ───

function fmt(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return "∞";
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-3)) return value.toExponential(digits - 1);
  return String(Number(value.toPrecision(digits)));
}

const finite = (value: number | undefined | null): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;

interface TheoryValues {
  model: string;
  throughput: number | null;
  W: number | null;
  L: number | null;
  p99: number | null;
  pBlock: number | null;
}

/** Theory for the station at arrival rate λ, or undefined when no formula applies. */
function theoryAt(settings: Settings, lambda: number): TheoryValues | undefined {
  const theory = theoryFor(networkFor(settings, lambda));
  if (!theory) return undefined;
  const q = theory.stations["q"];
  const values = { ...q, ...theory.system };
  return {
    model: theory.model,
    throughput: finite(values.throughput),
    W: finite(values.W),
    L: finite(values.L),
    p99: finite(q?.sojourn?.p99),
    pBlock: finite(values.pBlock),
  };
}

/** Kendall's notation of the station: arrivals/service/c[/K], e.g. M/D/3/10. */
function kendall(settings: Settings): string {
  const letter: Record<Variability, string> = { deterministic: "D", erlang4: "E4", exponential: "M", hyperexponential4: "H2" };
  const k = settings.capacity === null ? "" : `/${settings.capacity}`;
  return `${letter[settings.arrivals]}/${letter[settings.service]}/${settings.servers}${k}`;
}

// ─── charts ───

function width(id: string): number {
  return Math.max(320, $(id).clientWidth - 4);
}

function dots(label: string, stroke: string, size = 7): UPlot.Series {
  return { label, stroke, fill: stroke, width: 0, paths: () => null, points: { show: true, size, width: 1, stroke: "#ffffff", fill: stroke } };
}
function dashed(label: string, stroke: string): UPlot.Series {
  return { label, stroke, width: 2, dash: [7, 5], points: { show: false } };
}
function solid(label: string, stroke: string): UPlot.Series {
  return { label, stroke, width: 2, points: { show: false } };
}

/** Grid lines on a log axis: each power of ten, and 2× and 5× too when the range is short. */
function logSplits(_u: UPlot, _axis: number, min: number, max: number): number[] {
  const low = Math.floor(Math.log10(min)), high = Math.ceil(Math.log10(max));
  const steps = high - low <= 2 ? [1, 2, 5] : [1];
  const splits: number[] = [];
  for (let e = low; e <= high; e++) for (const m of steps) {
    const v = m * 10 ** e;
    if (v >= min * 0.999 && v <= max * 1.001) splits.push(v);
  }
  return splits;
}

function makeChart(id: string, xLabel: string, yLabel: string, series: UPlot.Series[], logY = false): UPlot {
  const opts: UPlot.Options = {
    width: width(id),
    height: 250,
    scales: {
      // A little room on the right, so the dot at the largest λ is not cut in half.
      x: { time: false, range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.04 : 1] },
      y: logY ? { distr: 3 } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
    },
    axes: [{ label: xLabel }, logY ? { label: yLabel, size: 56, splits: logSplits } : { label: yLabel, size: 56 }],
    series: [{ label: xLabel }, ...series],
    legend: { live: false },
  };
  return new uPlot(opts, [[], ...series.map(() => [])] as unknown as UPlot.AlignedData, $(id));
}

const charts = {
  throughput: makeChart("chart-throughput", "arrival rate λ", "throughput X", [
    dashed("bound min(λ, cμ)", COLORS.bound),
    dashed("theory", COLORS.theory),
    dots("simulated", COLORS.sim),
    dots("your λ", COLORS.current, 12),
  ]),
  latency: makeChart(
    "chart-latency",
    "arrival rate λ",
    "time in system",
    [dashed("theory W", COLORS.theory), dots("simulated W", COLORS.sim), dots("simulated p99", COLORS.p99), dots("your λ (W)", COLORS.current, 12)],
    true,
  ),
  depth: makeChart("chart-depth", "time", "customers inside", [
    solid("simulated depth", COLORS.sim),
    dashed("theory L (mean)", COLORS.theory),
    dashed("capacity K", COLORS.limit),
  ]),
};

addEventListener("resize", () => {
  charts.throughput.setSize({ width: width("chart-throughput"), height: 250 });
  charts.latency.setSize({ width: width("chart-latency"), height: 250 });
  charts.depth.setSize({ width: width("chart-depth"), height: 250 });
});

// ─── state and drawing ───

interface State {
  settings: Settings;
  generation: number;
  /** Generation whose current point is on screen. */
  shownGeneration: number;
  /** Generation whose sweep finished. */
  doneGeneration: number;
  current?: Point;
  sweepKey: string;
  sweepComplete: boolean;
  rates: number[];
  sweep: (Point | undefined)[];
}

const state: State = {
  settings: { ...DEFAULT_SETTINGS },
  generation: 0,
  shownGeneration: -1,
  doneGeneration: -1,
  sweepKey: "",
  sweepComplete: false,
  rates: [],
  sweep: [],
};

/** For tests and the curious: the state, the charts, and the numbers on screen. */
(window as unknown as { queuelab: unknown }).queuelab = { state, charts };

function drawNumbers(): void {
  const { settings, current } = state;
  const capacity = settings.servers * settings.mu;
  const rho = settings.lambda / capacity;
  const theory = theoryAt(settings, settings.lambda);
  $("model").textContent = theory
    ? theory.model
    : `${kendall(settings)} — no closed form here; the bound min(λ, cμ) is drawn`;
  $("rho").textContent = fmt(rho);
  $("rho-sub").textContent = rho >= 1 ? "≥ 1: more work arrives than the servers can do" : `servers busy ${Math.round(rho * 100)}% of the time (if nothing is lost)`;
  const overloaded = rho >= 1 && settings.capacity === null;
  $("warning").textContent = overloaded ? "Overloaded: the queue grows without end; W and L depend on how long the run lasts." : "";
  if (!current) return;
  const system = current.system;
  $("throughput").textContent = fmt(system.throughput.mean);
  $("throughput").dataset["value"] = String(system.throughput.mean);
  // "theory …" only where a formula applies; ∞ when the unbounded queue is overloaded.
  const theoryText = (value: number | null | undefined) =>
    overloaded ? "theory ∞ · " : theory && value !== null && value !== undefined ? `theory ${fmt(value)} · ` : "";
  $("throughput-sub").textContent =
    `${theory ? `theory ${fmt(theory.throughput)} · ` : ""}bound min(λ, cμ) = ${fmt(throughputBound(settings.lambda, capacity))}` +
    (system.pBlock.mean > 0 ? ` · lost ${fmt(system.pBlock.mean * 100, 2)}%` : "");
  $("latency").textContent = fmt(system.W.mean);
  $("latency-sub").textContent = `${theoryText(theory?.W)}p99 ${fmt(system.sojourn.p99)}`;
  $("depth").textContent = fmt(system.L.mean);
  $("depth-sub").textContent = `${theoryText(theory?.L)}Little: X·W = ${fmt(system.throughput.mean * system.W.mean)}`;
}

function drawSweepCharts(): void {
  const { settings, current } = state;
  const xs = [...new Set([...state.rates, settings.lambda])].sort((a, b) => a - b);
  const sweepAt = new Map(state.rates.map((rate, i) => [rate, state.sweep[i]]));
  const theory = xs.map((x) => theoryAt(settings, x));
  const capacity = settings.servers * settings.mu;
  const isCurrent = (x: number) => x === settings.lambda;
  const positive = (v: number | null | undefined) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null);
  charts.throughput.setData([
    xs,
    xs.map((x) => throughputBound(x, capacity)),
    theory.map((t) => t?.throughput ?? null),
    xs.map((x) => sweepAt.get(x)?.system.throughput.mean ?? null),
    xs.map((x) => (isCurrent(x) && current ? current.system.throughput.mean : null)),
  ]);
  charts.latency.setData([
    xs,
    theory.map((t) => positive(t?.W)),
    xs.map((x) => positive(sweepAt.get(x)?.system.W.mean)),
    xs.map((x) => positive(sweepAt.get(x)?.system.sojourn.p99)),
    xs.map((x) => (isCurrent(x) && current ? positive(current.system.W.mean) : null)),
  ]);
}

function drawDepthChart(): void {
  const { settings, current } = state;
  const series = current?.series;
  const depth = series?.stations["q"]?.depth ?? [];
  const t = series?.t ?? [];
  const theoryL = theoryAt(settings, settings.lambda)?.L ?? null;
  const overloaded = settings.lambda >= settings.servers * settings.mu && settings.capacity === null;
  const chart = charts.depth;
  chart.setData([
    t,
    depth,
    t.map(() => (overloaded ? null : theoryL)),
    t.map(() => settings.capacity),
  ]);
  const showK = settings.capacity !== null;
  if (chart.series[3]!.show !== showK) chart.setSeries(3, { show: showK });
  // The y range is set here, from what is drawn, rather than left to uPlot: setSeries re-ranges
  // the scale, and called while the chart is still empty (the first draw, K = ∞) it pinned it
  // to 0–1, cutting off the trace and the theory line.
  let top = 0;
  for (const value of depth) if (value > top) top = value;
  for (const line of [overloaded ? null : theoryL, settings.capacity]) if (line !== null && line > top) top = line;
  chart.setScale("y", { min: 0, max: top > 0 ? top * 1.08 : 1 });
}

// ─── the worker ───

const worker = new Worker("/worker.js", { type: "module" });
let started = 0;

worker.onmessage = (event: MessageEvent<Reply>) => {
  const reply = event.data;
  if (reply.generation !== state.generation) return; // an answer to settings since changed
  if (reply.kind === "error") {
    $("progress").textContent = `simulation failed: ${reply.message}`;
    console.error(`queuelab simulation failed: ${reply.message}`);
    return;
  }
  if (reply.kind === "current") {
    state.current = reply.point;
    state.shownGeneration = reply.generation;
    drawNumbers();
    drawDepthChart();
    drawSweepCharts();
    if (state.sweepComplete) finish();
    else $("progress").textContent = `sweeping λ: 0 of ${state.rates.length} points…`;
  } else if (reply.kind === "sweep") {
    state.sweep[reply.index] = reply.point;
    drawSweepCharts();
    $("progress").textContent = `sweeping λ: ${reply.index + 1} of ${state.rates.length} points…`;
  } else {
    state.sweepComplete = true;
    finish();
  }
};

function finish(): void {
  state.doneGeneration = state.generation;
  const ms = performance.now() - started;
  $("progress").textContent =
    `simulated in ${Math.round(ms)} ms: ${state.settings.customers.toLocaleString("en")} customers × 2 replications per point`;
}

function simulate(): void {
  const settings = readControls();
  const { lambda: _lambda, ...rest } = settings;
  const key = JSON.stringify(rest);
  const keepSweep = key === state.sweepKey && state.sweepComplete;
  state.settings = settings;
  state.generation++;
  state.current = undefined;
  if (!keepSweep) {
    state.sweepKey = key;
    state.sweepComplete = false;
    state.rates = sweepRates(settings);
    state.sweep = state.rates.map(() => undefined);
  }
  started = performance.now();
  $("progress").textContent = `simulating λ = ${fmt(settings.lambda)}…`;
  drawNumbers();
  const request: Request = { generation: state.generation, settings, sweep: !keepSweep };
  worker.postMessage(request);
}

let timer: ReturnType<typeof setTimeout> | undefined;
function onChange(): void {
  const settings = readControls();
  showControlValues(settings);
  clearTimeout(timer);
  timer = setTimeout(simulate, 120);
}

for (const id of ["lambda", "mu", "servers", "capacity", "overflow", "arrivals", "service"]) {
  $(id).addEventListener("input", onChange);
  $(id).addEventListener("change", onChange);
}

writeControls(DEFAULT_SETTINGS);
showControlValues(DEFAULT_SETTINGS);
simulate();
