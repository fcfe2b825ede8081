/**
 * The script that runs inside a report page: it reads the embedded JSON and draws the charts with
 * uPlot (inlined beside it). It is written here as a typed function and put into the page with
 * `Function.prototype.toString`, so it must stay self-contained: no imports (types only), no
 * references to anything outside its own body.
 * @module
 */
import type uPlot from "uplot";
import type { ChartAxis, ChartSeries, ChartSpec, PointData } from "./_charts.ts";

/** What html.ts embeds as `#queuelab-data`. */
export interface PageData {
  axis: ChartAxis;
  groups: { label: string; colour: string }[];
  timeUnit: string;
  charts: ChartSpec[];
  /** The Subscriptions section's charts (reports/_bus.ts), drawn like `charts` across the same axis. */
  busCharts: ChartSpec[];
  point: PointData;
  scenarios: { fileName: string; text: string }[];
}

/** Draws every chart of the page. Runs in the browser only. */
export function clientMain(): void {
  const U = (window as unknown as { uPlot: typeof uPlot }).uPlot;
  const source = document.getElementById("queuelab-data");
  const data = JSON.parse(source?.textContent ?? "{}") as PageData;
  const charts: uPlot[] = [];
  let syncing = false;

  const fmt = (value: number | null | undefined): string => {
    if (value === null || value === undefined || !Number.isFinite(value)) return "–";
    if (value === 0) return "0";
    const magnitude = Math.abs(value);
    if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(1).replace(".0e", "e").replace("e+", "e");
    return String(Number(value.toPrecision(3)));
  };
  const percent = (value: number | null | undefined): string =>
    value === null || value === undefined ? "–" : fmt(value * 100) + "%";

  const LABEL_FONT = "600 12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  const widthOf = (element: HTMLElement): number => Math.max(280, Math.floor(element.clientWidth));

  /** Fills the 95% CI bands of a chart's lines, under the lines and above the grid. */
  const bandPlugin = (specs: (ChartSeries | null)[], whiskersOnly: boolean): uPlot.Plugin => ({
    hooks: {
      drawAxes: [(u: uPlot) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.beginPath();
        ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
        ctx.clip();
        specs.forEach((spec, i) => {
          const series = u.series[i];
          if (spec === null || !spec.lower || !spec.upper || !series || !series.show) return;
          const xs = u.data[0] as number[];
          const yScale = u.scales.y;
          const floor = yScale && yScale.min !== undefined && yScale.min !== null ? yScale.min : 0;
          ctx.fillStyle = spec.colour + "2e";
          ctx.strokeStyle = spec.colour;
          let run: number[] = [];
          const flush = () => {
            if (run.length === 1) {
              // A lone point gets a whisker instead of a band.
              const j = run[0]!;
              const x = u.valToPos(xs[j]!, "x", true);
              ctx.lineWidth = 1.5 * devicePixelRatio;
              ctx.beginPath();
              ctx.moveTo(x, u.valToPos(Math.max(spec.lower![j]!, floor), "y", true));
              ctx.lineTo(x, u.valToPos(spec.upper![j]!, "y", true));
              ctx.stroke();
            } else if (run.length > 1) {
              ctx.beginPath();
              run.forEach((j, k) => {
                const x = u.valToPos(xs[j]!, "x", true);
                const y = u.valToPos(spec.upper![j]!, "y", true);
                if (k === 0) ctx.moveTo(x, y);
                else ctx.lineTo(x, y);
              });
              for (let k = run.length - 1; k >= 0; k--) {
                const j = run[k]!;
                ctx.lineTo(u.valToPos(xs[j]!, "x", true), u.valToPos(Math.max(spec.lower![j]!, floor), "y", true));
              }
              ctx.closePath();
              ctx.fill();
            }
            run = [];
          };
          for (let j = 0; j < xs.length; j++) {
            if (spec.lower![j] === null || spec.upper![j] === null || spec.lower![j] === undefined) flush();
            else run.push(j);
            // Categories are not a continuum: each gets its own error bar.
            if (whiskersOnly) flush();
          }
          flush();
        });
        ctx.restore();
      }],
    },
  });

  /** Toggling a line in one legend toggles the line of the same name in every chart. */
  const hidden = new Set<string>();
  const syncToggle = (u: uPlot, index: number | null) => {
    if (syncing || index === null || index === 0) return;
    const target = u.series[index];
    if (!target) return;
    // Remembered, so charts drawn later (the point picker) start with the same lines hidden.
    if (target.show) hidden.delete(String(target.label));
    else hidden.add(String(target.label));
    syncing = true;
    for (const other of charts) {
      if (other === u) continue;
      other.series.forEach((series, j) => {
        if (j > 0 && series.label === target.label && series.show !== target.show) other.setSeries(j, { show: target.show }, false);
      });
    }
    syncing = false;
  };

  interface Draw {
    element: HTMLElement;
    xLabel: string;
    /** The x value's name in the legend (short). */
    xLegend?: string;
    xValues: number[];
    xScale: "linear" | "log" | "category";
    categories?: string[];
    ticks?: { at: number[]; names: string[] };
    xFormat: (value: number) => string;
    yLabel: string;
    yScale: "linear" | "log";
    yPercent?: boolean;
    series: ChartSeries[];
  }

  const draw = (options: Draw): uPlot => {
    const { element } = options;
    const category = options.xScale === "category";
    const log = options.yScale === "log";
    const yFormat = options.yPercent ? percent : fmt;
    const sparse = options.xValues.length <= 24;
    const seriesOptions: uPlot.Series[] = [
      { label: options.xLegend ?? options.xLabel, value: (_u, value) => (value === null ? "–" : options.xFormat(value)) },
      ...options.series.map((spec): uPlot.Series => ({
        label: spec.label,
        show: !hidden.has(spec.label),
        stroke: spec.colour,
        width: spec.dash ? 1.5 : 2,
        dash: spec.dash ? [6, 4] : undefined,
        spanGaps: true,
        value: (_u, value) => yFormat(value),
        // Without lines between categories, theory and bound show as hollow markers.
        points: {
          show: category || (!spec.dash && sparse) || options.xValues.length === 1,
          size: category ? (spec.dash ? 11 : 9) : 6,
          fill: spec.dash ? "rgba(255,255,255,0)" : spec.colour,
          width: spec.dash ? 2 : 1,
        },
        ...(category ? { paths: () => null } : {}),
      })),
    ];
    const xs = options.xValues;
    const ticks = options.ticks;
    const xAxis: uPlot.Axis = {
      label: options.xLabel,
      labelSize: 22,
      labelFont: LABEL_FONT,
      grid: { stroke: "#e9ecf0", width: 1 },
      values: (_u, splits) => splits.map((value) => (value === null ? "" : options.xFormat(value))),
    };
    if (category || ticks) {
      const at = ticks ? ticks.at : xs.map((_x, i) => i);
      xAxis.splits = () => at;
    }
    const xRange: uPlot.Scale["range"] | undefined = category
      ? [-0.5, Math.max(0.5, xs.length - 0.5)]
      : xs.length === 1
      ? [xs[0]! * 0.5, xs[0]! * 1.5 || 1]
      : options.xScale === "log"
      ? [xs[0]!, xs[xs.length - 1]!]
      : undefined;
    const yAxis: uPlot.Axis = {
      label: options.yLabel, labelSize: 22, labelFont: LABEL_FONT, size: 64, grid: { stroke: "#e9ecf0", width: 1 },
      values: (_u, splits) => splits.map((value) => (value === null ? "" : yFormat(value))),
    };
    if (log) {
      // Ticks and grid at 1-2-5 steps, or only at decades when the axis spans several: uPlot's
      // default 1…9 in every decade is noise.
      yAxis.splits = (_u, _axis, min, max) => {
        const steps = Math.log10(max / min) >= 2 ? [1] : [1, 2, 5];
        const out: number[] = [];
        for (let decade = Math.floor(Math.log10(min)); decade <= Math.ceil(Math.log10(max)); decade++) {
          for (const step of steps) {
            const value = step * Math.pow(10, decade);
            if (value >= min * 0.999 && value <= max * 1.001) out.push(value);
          }
        }
        return out;
      };
    }
    const chart = new U({
      width: widthOf(element),
      height: 280,
      series: seriesOptions,
      scales: {
        x: { time: false, distr: options.xScale === "log" ? 3 : 1, ...(xRange ? { range: xRange } : {}) },
        y: log ? { distr: 3 } : { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] },
      },
      axes: [xAxis, yAxis],
      legend: {
        live: true,
        markers: {
          fill: (_u, i) => {
            const spec = options.series[i - 1];
            return spec && !spec.dash ? spec.colour : "transparent";
          },
        },
      },
      cursor: { drag: { x: false, y: false } },
      plugins: [bandPlugin([null, ...options.series], category)],
      hooks: { setSeries: [(u, index) => syncToggle(u, index)] },
    }, [xs, ...options.series.map((spec) => spec.values)] as uPlot.AlignedData, element);
    charts.push(chart);
    return chart;
  };

  const formatOn = (axis: PageData["axis"]) => (value: number): string =>
    axis.scale === "category" ? (axis.categories[Math.round(value)] ?? "") : fmt(value);

  const guard = (element: HTMLElement | null, work: (element: HTMLElement) => void) => {
    if (!element) return;
    try {
      work(element);
    } catch (error) {
      element.textContent = "This chart could not be drawn: " + String(error);
      console.error(error);
    }
  };

  for (const spec of [...data.charts, ...(data.busCharts ?? [])]) {
    // A chart may carry an x axis of its own: a whole axis (the bus charts' swept parameter), or
    // plain values with a label (the stream charts'); the others share the page's.
    const own = spec.x;
    const axis: PageData["axis"] = spec.axis ?? (own ? { label: own.label, short: own.legend, scale: "linear", values: own.values, categories: [] } : data.axis);
    guard(document.getElementById("plot-" + spec.id), (element) => draw({
      element, xLabel: axis.label, xLegend: axis.short, xValues: axis.values, xScale: axis.scale,
      xFormat: own && !spec.axis ? fmt : formatOn(axis), yLabel: spec.yLabel, yScale: spec.yScale, yPercent: spec.yPercent, series: spec.series,
    }));
  }

  // Charts of one load point, redrawn when the picker changes.
  const pointCharts: uPlot[] = [];
  const picker = document.getElementById("point-picker") as HTMLSelectElement | null;
  const stationPicker = document.getElementById("station-picker") as HTMLSelectElement | null;
  const QUANTILE_AT = [Math.log10(2), 1, 2, 3, 4];
  const QUANTILE_NAMES = ["p50", "p90", "p99", "p99.9", "max"];

  const drawPoint = () => {
    for (const chart of pointCharts.splice(0)) {
      charts.splice(charts.indexOf(chart), 1);
      chart.destroy();
    }
    const index = picker ? Number(picker.value) : data.point.initial;
    const station = stationPicker ? stationPicker.value : data.point.stations[0];
    guard(document.getElementById("plot-percentiles"), (element) => {
      const series: ChartSeries[] = [];
      data.groups.forEach((group, g) => {
        const values = data.point.percentiles[g]?.[index];
        if (values) series.push({ label: group.label, colour: group.colour, values, group: g });
      });
      // One dashed line per distinct theory curve; grey when several groups share it.
      const curves = new Map<string, number[]>();
      data.groups.forEach((_group, g) => {
        const theory = data.point.theoryPercentiles[g]?.[index];
        if (theory) curves.set(JSON.stringify(theory), [...(curves.get(JSON.stringify(theory)) ?? []), g]);
      });
      curves.forEach((members, key) => {
        const values: (number | null)[] = [...(JSON.parse(key) as number[]), null];
        const group = data.groups[members[0]!]!;
        const shared = members.length > 1 || data.groups.length === 1;
        const label = shared
          ? "theory" + (members.length === data.groups.length ? "" : ": " + members.map((g) => data.groups[g]!.label).join(", "))
          : group.label + ": theory";
        series.push({ label, colour: shared ? "#555555" : group.colour, values, dash: true, group: shared ? -1 : members[0]! });
      });
      for (const line of series) line.values = line.values.map((value) => (value !== null && value > 0 ? value : null));
      pointCharts.push(draw({
        element, xLabel: "percentile (log scale of 1/(1 − q))", xLegend: "percentile", xValues: QUANTILE_AT, xScale: "linear",
        ticks: { at: QUANTILE_AT, names: QUANTILE_NAMES },
        xFormat: (value) => QUANTILE_NAMES[QUANTILE_AT.findIndex((at) => Math.abs(at - value) < 1e-6)] ?? "",
        yLabel: "sojourn (" + data.timeUnit + ", log)", yScale: "log", series,
      }));
    });
    const kinds: Array<[string, number, string]> = [
      ["depth", 0, "number present"], ["inService", 1, "number in service"], ["seriesThroughput", 2, "departures per " + data.timeUnit.replace(/([a-z]{3,})s$/, "$1")],
    ];
    for (const [id, slot, label] of kinds) {
      guard(document.getElementById("plot-" + id), (element) => {
        const times = new Set<number>();
        const perGroup = data.groups.map((_group, g) => {
          const compact = data.point.series[g]?.[index];
          const values = compact && station !== undefined ? compact.stations[station]?.[slot] : undefined;
          if (!compact || !values) return null;
          const map = new Map<number, number>();
          values.forEach((value, i) => {
            const t = Number((compact.t0 + i * compact.width).toPrecision(6));
            times.add(t);
            map.set(t, value);
          });
          return map;
        });
        const xs = [...times].sort((a, b) => a - b);
        const series: ChartSeries[] = [];
        data.groups.forEach((group, g) => {
          const map = perGroup[g];
          if (map) series.push({ label: group.label, colour: group.colour, values: xs.map((t) => map.get(t) ?? null), group: g });
        });
        element.parentElement!.hidden = series.length === 0;
        if (series.length === 0) return;
        pointCharts.push(draw({
          element, xLabel: "time (" + data.timeUnit + ")", xLegend: "t", xValues: xs, xScale: "linear", xFormat: fmt,
          yLabel: label, yScale: "linear", series,
        }));
      });
    }
  };
  drawPoint();
  picker?.addEventListener("change", drawPoint);
  stationPicker?.addEventListener("change", drawPoint);

  // Downloads of the scenario, built in the page (no network).
  document.querySelectorAll<HTMLAnchorElement>("a[data-scenario]").forEach((link) => {
    const scenario = data.scenarios[Number(link.dataset.scenario)];
    if (!scenario) return;
    link.href = URL.createObjectURL(new Blob([scenario.text], { type: "application/json" }));
    link.download = scenario.fileName;
  });

  const resize = (width?: number) => {
    for (const chart of charts) {
      const host = chart.root.parentElement;
      if (host) chart.setSize({ width: width ?? widthOf(host), height: 280 });
    }
  };
  let pending = 0;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = window.setTimeout(() => resize(), 120);
  });
  // Printed pages are narrower than most screens: fit the canvases to A4 / Letter.
  window.addEventListener("beforeprint", () => {
    resize(680);
    // Folded notes would not print at all: paper has no disclosure triangle.
    document.querySelectorAll<HTMLDetailsElement>(".point-notes details").forEach((details) => (details.open = true));
  });
  window.addEventListener("afterprint", () => resize());

  document.documentElement.dataset.charts = String(charts.length);
  // For tests and the curious (devtools): the live uPlot instances, and when drawing finished.
  const exposed = window as unknown as { queuelabCharts: uPlot[]; queuelabReady: number };
  exposed.queuelabCharts = charts;
  exposed.queuelabReady = performance.now();
}
