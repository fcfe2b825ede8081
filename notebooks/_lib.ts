/**
 * Helpers the teaching notebooks share: run a small scenario through the simulator, draw a
 * uPlot chart inline (uPlot's script and stylesheet travel inside the output, so a rendered
 * notebook works offline), show a table, format numbers. Deno only (notebooks run on Deno's
 * Jupyter kernel); everything it simulates goes through queuelab's public modules.
 * @module
 */
import { planScenario } from "../scenarios/mod.ts";
import type { ScenarioInput } from "../scenarios/define.ts";
import { runPoint } from "../runner/mod.ts";
import type { Point } from "../result/result.ts";

export type { Point };

// Read once per kernel: the notebook directory sits beside node_modules in the repository.
const UPLOT_JS = await Deno.readTextFile(new URL("../node_modules/uplot/dist/uPlot.iife.min.js", import.meta.url));
const UPLOT_CSS = await Deno.readTextFile(new URL("../node_modules/uplot/dist/uPlot.min.css", import.meta.url));

/** Colour-blind-safe colours (Okabe–Ito), the same order the reports use. */
export const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

/** Something Deno's Jupyter kernel shows richly: HTML in a notebook, text in a terminal. */
export interface Displayable {
  html: string;
  text: string;
  [key: symbol]: () => Record<string, string>;
}

function displayable(html: string, text: string): Displayable {
  return {
    html,
    text,
    [Symbol.for("Jupyter.display")]: () => ({ "text/html": html, "text/plain": text }),
  };
}

/**
 * Several things as one, for a cell's last expression: a cell shows its last expression by
 * itself, as part of the kernel's reply to the cell.
 */
export function group(...items: Displayable[]): Displayable {
  return displayable(items.map((item) => item.html).join("\n"), items.map((item) => item.text).join("\n\n"));
}

/**
 * Shows things at once, before the cell ends. Outside a notebook (plain `deno run`) it prints
 * the text form. The lessons end a cell with a chart or a `group(...)` instead, which is the
 * same in a notebook and reads as the cell's result.
 */
export async function show(...items: Displayable[]): Promise<void> {
  const jupyter = (Deno as unknown as { jupyter?: { display(obj: unknown, options?: { raw?: boolean }): Promise<void> } }).jupyter;
  for (const item of items) {
    if (jupyter) await jupyter.display({ "text/html": item.html, "text/plain": item.text }, { raw: true });
    else console.log(item.text);
  }
}

/**
 * Runs one scenario (the short or long form of `scenarios/`, without a sweep) as `queuelab run`
 * does — planned (every rule checked), then run by the runner — and returns its Result point.
 * Keep `run.customers` small in notebooks.
 */
export async function simulate(scenario: ScenarioInput): Promise<Point> {
  const plan = planScenario({ name: "notebook", ...scenario }, { source: "notebook" });
  if (plan.points.length !== 1) throw new RangeError(`simulate: expected a scenario of one point, got ${plan.points.length} (a sweep)`);
  return await runPoint(plan.points[0]!, plan.settings);
}

/** A number in 3 significant digits (or as a whole number when it is one); "—" when missing. */
export function fmt(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (Number.isInteger(value) && Math.abs(value) < 1e7) return String(value);
  if (value !== 0 && (Math.abs(value) >= 1e7 || Math.abs(value) < 1e-3)) return value.toExponential(digits - 1);
  return String(Number(value.toPrecision(digits)));
}

/** A mean with its 95% confidence half-width: "2.01 ± 0.12". */
export function pm(estimate: { mean: number; ci95: number }): string {
  return estimate.ci95 > 0 ? `${fmt(estimate.mean)} ± ${fmt(estimate.ci95, 2)}` : fmt(estimate.mean);
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A table from rows of plain values; numbers are formatted with {@linkcode fmt}. */
export function table(rows: Record<string, unknown>[], caption?: string): Displayable {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (v: unknown) => (typeof v === "number" ? fmt(v) : v === undefined || v === null ? "—" : String(v));
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map((row) => `<tr>${columns.map((c) => `<td${typeof row[c] === "number" ? ' class="n"' : ""}>${escapeHtml(cell(row[c]))}</td>`).join("")}</tr>`)
    .join("\n");
  const html =
    `<style>.ql-table{border-collapse:collapse;font:13px/1.4 system-ui,sans-serif;margin:6px 0}` +
    `.ql-table th,.ql-table td{border-bottom:1px solid #ddd;padding:3px 10px;text-align:left!important}` +
    `.ql-table td.n{text-align:right!important;font-variant-numeric:tabular-nums}.ql-table caption{text-align:left;font-weight:600;padding:4px 0}</style>` +
    `<table class="ql-table">${caption ? `<caption>${escapeHtml(caption)}</caption>` : ""}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join("  ");
  const text = [caption ?? "", line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].filter((l) => l !== "").join("\n");
  return displayable(html, text);
}

/** One line of a chart. */
export interface Line {
  label: string;
  values: (number | null | undefined)[];
  /**
   * "dots" for measurements (simulated points), "dashed" for theory and bounds, "line" (the
   * default) for anything else.
   */
  style?: "dots" | "dashed" | "line";
  color?: string;
}

export interface ChartOptions {
  title: string;
  /** `labels` makes a categorical axis: x values are 0, 1, 2, … and each is shown by its label. */
  x: { label: string; values: number[]; log?: boolean; labels?: string[] };
  y: { label: string; log?: boolean; min?: number; max?: number };
  lines: Line[];
  width?: number;
  height?: number;
}

let charts = 0;

/**
 * A line chart drawn by uPlot in the notebook. Non-finite values become gaps. The output
 * carries uPlot itself (loaded once per page), so it needs no network.
 */
export function chart(options: ChartOptions): Displayable {
  const id = `ql-chart-${Date.now().toString(36)}-${++charts}`;
  const clean = (values: (number | null | undefined)[]) =>
    values.map((v) => (typeof v === "number" && Number.isFinite(v) && !(options.y.log && v <= 0) ? v : null));
  const data = [options.x.values, ...options.lines.map((line) => clean(line.values))];
  const config = {
    title: options.title,
    xLabel: options.x.label,
    yLabel: options.y.label,
    xLog: options.x.log ?? false,
    xLabels: options.x.labels ?? null,
    xWhole: options.x.values.every(Number.isInteger),
    yLog: options.y.log ?? false,
    yMin: options.y.min ?? null,
    yMax: options.y.max ?? null,
    height: options.height ?? 300,
    width: options.width ?? 0,
    lines: options.lines.map((line, i) => ({
      label: line.label,
      color: line.color ?? COLORS[i % COLORS.length],
      style: line.style ?? "line",
    })),
  };
  // The drawing code runs in the page (JupyterLab, VS Code, or the rendered HTML file).
  const draw = `(function(){
var cfg=${JSON.stringify(config)},data=${JSON.stringify(data)},el=document.getElementById(${JSON.stringify(id)});
if(!el||typeof uPlot==="undefined")return;
var w=cfg.width||Math.max(360,Math.min(860,(el.parentElement&&el.parentElement.clientWidth)||760));
var y={};if(cfg.yMin!==null||cfg.yMax!==null)y.range=function(u,lo,hi){return [cfg.yMin!==null?cfg.yMin:lo,cfg.yMax!==null?cfg.yMax:hi+(hi-(cfg.yMin!==null?cfg.yMin:lo))*0.06];};
if(cfg.yLog)y.distr=3;
var logSplits=function(u,a,min,max){var lo=Math.floor(Math.log10(min)),hi=Math.ceil(Math.log10(max)),st=hi-lo<=2?[1,2,5]:[1],out=[];
for(var e=lo;e<=hi;e++)for(var i=0;i<st.length;i++){var v=st[i]*Math.pow(10,e);if(v>=min*0.999&&v<=max*1.001)out.push(v);}return out;};
var x={time:false};if(cfg.xLog)x.distr=3;
var xAxis={label:cfg.xLabel};if(cfg.xLog)xAxis.splits=logSplits;if(cfg.xWhole&&!cfg.xLog)xAxis.incrs=[1,2,5,10,20,50,100,200,500,1000];
if(cfg.xLabels){var n=cfg.xLabels.length;x.range=function(){return [-0.5,n-0.5];};xAxis.incrs=[1];
xAxis.values=function(u,splits){return splits.map(function(v){return Number.isInteger(v)&&cfg.xLabels[v]!==undefined?cfg.xLabels[v]:"";});};}
new uPlot({width:w,height:cfg.height,title:cfg.title,scales:{x:x,y:y},
axes:[xAxis,cfg.yLog?{label:cfg.yLabel,size:60,splits:logSplits}:{label:cfg.yLabel,size:60}],
series:[{label:cfg.xLabel}].concat(cfg.lines.map(function(l){var s={label:l.label,stroke:l.color,width:2,spanGaps:false,points:{show:false}};
if(l.style==="dashed")s.dash=[7,5];
if(l.style==="dots"){s.paths=function(){return null;};s.points={show:true,size:9,width:1,fill:l.color,stroke:"#ffffff"};}
return s;}))},data,el);
})();`;
  const html =
    `<style>${UPLOT_CSS}.ql-chart{margin:8px 0;font:13px system-ui,sans-serif}</style>` +
    `<script>if(typeof uPlot==="undefined"){${UPLOT_JS}\n}</script>` +
    `<div class="ql-chart" id="${id}" data-queuelab-chart="${escapeHtml(options.title)}"></div>` +
    `<script>${draw}</script>`;
  const text = `[chart] ${options.title}: ${options.lines.map((l) => l.label).join(", ")} against ${options.x.label}`;
  return displayable(html, text);
}

/** `count` evenly spaced values from `from` to `to`. */
export function range(from: number, to: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + ((to - from) * i) / (count - 1));
}
