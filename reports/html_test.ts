import { describe, expect, test } from "bun:test";
import type { Result } from "../result/result.ts";
import { renderHtml } from "./html.ts";
import { brokerSweep, desLivePair, DROP_OLDEST, faultRun, mm1Sweep, tandemSweep, UNBOUNDED } from "./_fixtures.ts";
import { classSweep } from "./_test_support.ts";
import type { PageData } from "./_client.ts";

const HOSTILE = `</script><img src=x onerror="alert(1)"><!-- & 'quote'`;

function embedded(html: string): PageData {
  const match = html.match(/<script type="application\/json" id="queuelab-data">([\s\S]*?)<\/script>/);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as PageData;
}

/** Strips the inline scripts and styles, leaving the markup a browser would parse as elements. */
function markup(html: string): string {
  return html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<style>[\s\S]*?<\/style>/g, "");
}

describe("renderHtml()", () => {
  test("renderHtml() makes one self-contained page: uPlot inlined, no external URL", () => {
    const html = renderHtml([mm1Sweep()]);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("uPlot");
    const page = markup(html);
    expect(/<link\b/i.test(page)).toBe(false);
    expect(/\bsrc\s*=/i.test(page)).toBe(false);
    expect(/\burl\(/i.test(html)).toBe(false);
    expect(html.includes("@import")).toBe(false);
    // The only URL is the one in uPlot's licence banner (a comment, never fetched).
    const urls = [...new Set(html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [])];
    expect(urls).toEqual(["https://github.com/leeoniya/uPlot"]);
  });

  test("renderHtml() embeds chart data as parseable JSON with one colour per group", () => {
    const data = embedded(renderHtml([mm1Sweep()]));
    expect(data.groups.map((group) => group.label)).toEqual(["linked_list", "ring_buffer"]);
    expect(new Set(data.groups.map((group) => group.colour)).size).toBe(2);
    expect(data.charts.map((chart) => chart.id)).toEqual(["throughput", "W", "Wq", "p99", "drops"]);
    const throughput = data.charts[0]!;
    expect(throughput.series.some((series) => series.label.startsWith("bound"))).toBe(true);
    // Same colour for the same group in every chart (per-class lines are coloured by class).
    for (const chart of data.charts) {
      for (const series of chart.series.filter((line) => line.group >= 0 && line.class === undefined)) {
        expect(series.colour).toBe(data.groups[series.group]!.colour);
      }
    }
  });

  test("renderHtml() of a point with several sources adds a W-per-class chart and a by-class table", async () => {
    const result = await classSweep();
    const html = renderHtml([result]);
    const data = embedded(html);
    expect(data.charts.map((chart) => chart.id)).toEqual(["throughput", "W", "classW", "Wq", "p99"]);
    const chart = data.charts.find((c) => c.id === "classW")!;
    expect(chart.series.map((line) => line.label)).toEqual(["class urgent", "class urgent: theory", "class background", "class background: theory"]);
    // Measured and theory lines of a class share its colour; the two classes differ.
    expect(chart.series[0]!.colour).toBe(chart.series[1]!.colour);
    expect(chart.series[0]!.colour).not.toBe(chart.series[2]!.colour);
    // The background class's line is the measured W of that class, point by point.
    expect(chart.series[2]!.values).toEqual(result.points.map((point) => Number(point.classes!.background!.W.mean.toPrecision(4))));
    expect(chart.series[3]!.values[2]).toBeCloseTo(result.points[2]!.theory!.classes!.background!.W!, 2);
    const table = html.match(/<h4>by class<\/h4>([\s\S]*?)<\/table>/)![1]!;
    expect(table.match(/<tr>/g)!.length).toBe(1 + 2 * result.points.length);
    expect(table).toContain(`<td class="class">background</td>`);
    // A single-source report has neither.
    const plain = renderHtml([mm1Sweep()]);
    expect(plain).not.toContain("by class");
    expect(embedded(plain).charts.some((c) => c.id === "classW")).toBe(false);
  });

  test("renderHtml() escapes a hostile scenario name everywhere (no HTML injection)", () => {
    const result = mm1Sweep({ name: HOSTILE, lambdas: [0.5, 0.9] });
    (result.scenario as Record<string, unknown>).note = HOSTILE;
    result.points[0]!.queue = HOSTILE;
    const html = renderHtml([result], { title: HOSTILE });
    expect(markup(html).includes("<img")).toBe(false);
    expect(html.includes("<img src=x")).toBe(false);
    expect(html.includes("<!-- &")).toBe(false);
    // Only the page's own three closing script tags.
    expect(html.match(/<\/script>/g)?.length).toBe(3);
    expect(html).toContain("&lt;/script&gt;&lt;img src=x");
    const data = embedded(html);
    expect(JSON.parse(data.scenarios[0]!.text).note).toBe(HOSTILE);
    expect(data.groups.some((group) => group.label.includes(HOSTILE))).toBe(true);
  });

  test("renderHtml() of an aborted Result with zero points shows a banner and no charts", () => {
    const html = renderHtml([mm1Sweep({ state: "aborted", lambdas: [] })]);
    expect(html).toContain(`class="banner"`);
    expect(html).toContain("was aborted");
    expect(html).toContain("No points finished");
    expect(embedded(html).charts).toEqual([]);
  });

  test("renderHtml() of an errored Result shows its message in a banner", () => {
    const html = renderHtml([mm1Sweep({ state: "errored", lambdas: [0.4] })]);
    expect(html).toMatch(/class="banner"[^>]*>.*service distribution produced NaN/);
  });

  test("renderHtml() copes without theory, series, sendDelay, delivery and with null serviceCapacity", () => {
    const result = mm1Sweep({ lambdas: [0.3], queues: [UNBOUNDED], theory: false, seriesWindows: 0 });
    for (const point of result.points) {
      point.system.serviceCapacity = null;
      delete point.sendDelay;
      delete point.delivery;
      delete point.events;
    }
    const html = renderHtml([result]);
    const data = embedded(html);
    expect(data.point.series.flat().every((series) => series === null)).toBe(true);
    expect(data.charts.find((chart) => chart.id === "sendDelay")).toBeUndefined();
    expect(html).not.toContain("plot-depth");
    expect(html).toContain("1 point");
  });

  test("renderHtml() puts des and live of one scenario side by side with send delay", () => {
    const data = embedded(renderHtml(desLivePair()));
    expect(data.groups.map((group) => group.label)).toEqual(["channel · des", "channel · live"]);
    expect(data.charts.map((chart) => chart.id)).toContain("sendDelay");
  });

  test("renderHtml() tells two versions of one scenario apart by version", () => {
    const data = embedded(renderHtml([mm1Sweep({ queues: [UNBOUNDED] }), mm1Sweep({ queues: [UNBOUNDED], queuelabVersion: "0.2.0" })]));
    expect(data.groups.map((group) => group.label)).toEqual(["linked_list · v0.1.0", "linked_list · v0.2.0"]);
  });

  test("renderHtml() uses a categorical x axis for a swept overflow strategy", () => {
    const result = mm1Sweep({ lambdas: [0.9], queues: [UNBOUNDED, DROP_OLDEST, { queue: "ring_buffer", capacity: 10, overflow: "drop-newest" }] });
    result.points.forEach((point, index) => {
      point.queue = "ring_buffer";
      point.params = { overflow: ["block", "drop-oldest", "drop-newest"][index] };
    });
    const data = embedded(renderHtml([result]));
    expect(data.axis.scale).toBe("category");
    expect(data.axis.categories).toEqual(["block", "drop-oldest", "drop-newest"]);
    expect(data.groups.length).toBe(1);
  });

  test("renderHtml() uses a numeric swept parameter as x when offered load is fixed", () => {
    const result = mm1Sweep({ lambdas: [0.9, 0.9, 0.9], queues: [DROP_OLDEST] });
    result.points.forEach((point, index) => (point.params = { capacity: [2, 10, 50][index] }));
    const data = embedded(renderHtml([result]));
    expect(data.axis).toMatchObject({ source: "param", key: "capacity", scale: "linear", values: [2, 10, 50] });
  });

  test("renderHtml() states saturation, the p99 knee and the cost of drop-oldest in words", () => {
    const html = renderHtml([mm1Sweep()]);
    const summary = html.match(/<section class="summary">([\s\S]*?)<\/section>/)?.[1] ?? "";
    expect(summary).toContain("<strong>linked_list</strong>: saturates at λ = c·μ = 1");
    expect(summary).toMatch(/p99 sojourn exceeds 10× the mean service time \([^)]*\) from ρ = [\d.]+ on/);
    expect(summary).toContain("drop-oldest keeps p99 sojourn at most");
    expect(summary).toMatch(/against theory \(M\/M\/1\): \d+ of \d+ values inside the 95% CI/);
  });

  test("renderHtml() offers a station picker for a network and draws no system theory it does not have", () => {
    const html = renderHtml([tandemSweep()]);
    expect(html).toContain(`<select id="station-picker"><option>a</option><option>b</option></select>`);
    const data = embedded(html);
    expect(data.point.stations).toEqual(["a", "b"]);
    expect(data.charts.flatMap((chart) => chart.series).some((series) => series.label.includes("theory"))).toBe(false);
    // One table end to end and one per station, the station tables beside their Jackson theory.
    expect(html).toContain("<h4>station a</h4>");
    expect(html).toContain("<h4>station b</h4>");
    expect((html.match(/<table>/g) ?? []).length).toBe(3);
  });

  test("renderHtml() splits utilization into serving and blocked where servers were held blocked after service", () => {
    const result = tandemSweep();
    for (const point of result.points) {
      const a = point.stations.a!;
      const blocked = { mean: 0.125, ci95: 0.004 };
      a.serving = { mean: a.utilization.mean - blocked.mean, ci95: a.utilization.ci95 };
      a.blockedServers = blocked;
      const b = point.stations.b!;
      point.stations.b = { ...b, serving: b.utilization, blockedServers: { mean: 0, ci95: 0 } };
      point.system = { ...point.system, serving: a.serving, blockedServers: { mean: 0.0625, ci95: 0.002 } };
    }
    const tables = markup(renderHtml([result])).split(/<h4>/);
    const heads = (part: string) => [...part.matchAll(/<th scope="col"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    const [endToEnd, a, b] = [tables.find((t) => t.startsWith("end to end"))!, tables.find((t) => t.startsWith("station a"))!, tables.find((t) => t.startsWith("station b"))!];
    for (const part of [endToEnd, a]) expect(heads(part)).toEqual(expect.arrayContaining(["utilization", "serving", "blocked"]));
    expect(a).toContain("<td>0.125 <span class=\"ci\">± 0.004</span></td>");
    // Where nothing was held, both would repeat utilization and 0: left out.
    expect(heads(b)).toContain("utilization");
    expect(heads(b)).not.toContain("serving");
    expect(heads(b)).not.toContain("blocked");
    expect(markup(renderHtml([mm1Sweep()]))).not.toContain(">serving<");
  });

  test("renderHtml() warns when Results use different time units", () => {
    const [des, live] = desLivePair();
    des.meta.timeUnit = "time units";
    const html = renderHtml([des, live]);
    expect(html).toContain("The Results use different time units (time units / s)");
  });

  test("renderHtml() shows a Delivery table for live runs, flags the MQTT point that lost acked messages and names the trap", () => {
    const html = markup(renderHtml([brokerSweep()]));
    const section = html.match(/<section class="delivery">([\s\S]*?)<\/section>/)?.[1] ?? "";
    expect(section).toContain("<h2>Delivery</h2>");
    const head = section.match(/<thead>([\s\S]*?)<\/thead>/)?.[1] ?? "";
    const names = [...head.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((match) => match[1]);
    expect(names).toEqual(["point", "attempted", "acked", "delivered", "dropped by policy", "lost", "duplicated", "reordered", "unexpected", "unseen"]);
    // One row per point, labelled implementation and load.
    expect((section.match(/<tr[ >]/g) ?? []).length).toBe(1 + 6);
    const failing = section.match(/<tr class="failing">(.*?)<\/tr>/)?.[1] ?? "";
    expect(failing).toContain(`<td class="x">mqtt · λ = 2000</td>`);
    // Flagged by class and by a text mark, not by colour alone; duplicates shown plainly.
    expect(failing).toMatch(/<td class="bad" title="[^"]*">1,240 <span class="mark">✗<\/span><\/td>/);
    expect((section.match(/<td class="bad"/g) ?? []).length).toBe(1);
    expect(section).toMatch(/<td>17<\/td><td>3<\/td>/);
    expect(section).toMatch(/<td class="unsure"[^>]*>4 <span class="mark">\?<\/span><\/td>/);
    // The sentence names the point, the trap and its cause.
    const problems = section.match(/<ul class="problems">([\s\S]*?)<\/ul>/)?.[1] ?? "";
    expect(problems).toContain("<strong>mqtt · λ = 2000</strong>: Acked is not delivered: mqtt confirmed 1,240 sends it never delivered");
    expect(problems).toContain("max_queued_messages, 1,000 by default");
    expect(problems).toContain("QoS 1 messages it has already acknowledged");
    expect(problems).toContain("a broker crash without persistence");
    expect(problems).toContain("<strong>rabbitmq · λ = 2000</strong>: 4 acked messages unseen");
    expect(problems).not.toContain("duplicate");
    // The summary at the top says it first.
    const summary = html.match(/<section class="summary">([\s\S]*?)<\/section>/)?.[1] ?? "";
    expect(summary).toMatch(/^<h2>Summary<\/h2><ul><li class="bad"><span class="mark">✗<\/span> <strong>mqtt<\/strong>: 1,240 acked messages never delivered at ρ = 0.8 \(λ = 2000\)/);
    expect(summary).toContain("17 duplicates: reported, not failed");
  });

  test("renderHtml() says nothing was lost when every acked message was delivered, and no MQTT trap for other brokers", () => {
    const result = brokerSweep();
    for (const point of result.points) Object.assign(point.delivery!, { lost: 0, lostBetween: 0, lostAfter: 0, unseen: 0 });
    const html = markup(renderHtml([result]));
    expect(html).toContain("Every acked message was delivered at every point");
    expect(html).not.toContain(`class="bad"`);
    expect(html).not.toContain("max_queued_messages");
    result.points.forEach((point) => (point.queue = point.queue === "mqtt" ? "redis_streams" : point.queue));
    result.points[2]!.delivery!.lost = 5;
    const other = markup(renderHtml([result]));
    expect(other).toContain("redis_streams confirmed 5 sends it never delivered.");
    expect(other).not.toContain("max_queued_messages");
  });

  test("renderHtml() lists the faults injected and flags messages a crashed consumer abandoned", () => {
    const html = markup(renderHtml([faultRun()]));
    const faults = html.match(/<section class="faults">([\s\S]*?)<\/section>/)?.[1] ?? "";
    const rows = faults.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1]?.trim().split("\n") ?? [];
    expect(rows.length).toBe(3);
    expect(rows[0]).toContain(`<td class="x">redis_streams · λ = 800</td><td class="x">consumer-crash</td><td>0</td><td>2 s</td><td>2.5 s</td>`);
    expect(rows[0]).toContain("consumer 1, held 12 unacked deliveries");
    expect(rows[0]).toContain("10 were delivered again after 0.5 s, 2 never were.");
    expect(rows[1]).toContain("<td>–</td><td class=\"x\">never over</td>");
    expect(rows[2]).toContain("killed (crash), port 42221");
    const delivery = html.match(/<section class="delivery">([\s\S]*?)<\/section>/)?.[1] ?? "";
    expect(delivery).toContain(`<th scope="col" title="Received by a consumer that crashed before acking, never delivered again">abandoned</th>`);
    expect(delivery).toMatch(/<td class="bad"[^>]*>2 <span class="mark">✗<\/span><\/td>/);
    expect(delivery).toContain("2 messages abandoned: received by a consumer that crashed before acking, and never delivered again");
    // A Result from before fault runs has no abandoned count: "–", not a made-up 0.
    const older = brokerSweep();
    const mixed = markup(renderHtml([older, faultRun()]));
    const mqttRow = mixed.match(/<tr><td class="x">mqtt · λ = 500<\/td>.*<\/tr>/)?.[0] ?? "";
    expect(mqttRow).toEndWith("<td>0</td><td>–</td><td>0</td></tr>");
    expect(html).toMatch(/<li class="bad">[^<]*<span class="mark">✗<\/span> <strong>redis_streams<\/strong>: 2 messages abandoned by a crashed consumer/);
  });

  test("renderHtml() has no Delivery, Faults or Notes section when no point has them", () => {
    const html = markup(renderHtml([mm1Sweep()]));
    expect(html).not.toContain(`class="delivery"`);
    expect(html).not.toContain(`class="faults"`);
    expect(html).not.toContain(`class="point-notes"`);
    expect(html).not.toContain("<h2>Delivery</h2>");
    const live = mm1Sweep({ engine: "live", lambdas: [0.5] });
    for (const point of live.points) delete point.delivery;
    expect(markup(renderHtml([live]))).not.toContain("<h2>Delivery</h2>");
  });

  test("renderHtml() shows each point's notes once: shared ones for every point, the rest per point, folded when many", () => {
    const html = markup(renderHtml([brokerSweep()]));
    const notes = html.match(/<section class="point-notes">([\s\S]*?)<\/section>/)?.[1] ?? "";
    const blocks = notes.match(/<details[\s\S]*?<\/details>/g) ?? [];
    expect(blocks.length).toBe(7);
    expect(blocks[0]).toStartWith("<details open><summary><strong>Every point</strong>");
    expect((notes.match(/Latencies count from the intended send time/g) ?? []).length).toBe(1);
    expect(blocks[1]).toStartWith("<details><summary><strong>mqtt · λ = 500</strong> <span class=\"count\">(2 notes)</span>");
    expect(blocks[6]).toContain("The final drain did not finish within its time limit");
    // Few blocks stay open.
    expect(markup(renderHtml([faultRun()]))).toContain("<details open><summary><strong>nats_jetstream · λ = 800</strong>");
  });

  test("renderHtml() leads a point's notes with its caveats, and the summary says theory does not describe those points", () => {
    const result = mm1Sweep({ name: "caveated", engine: "live", lambdas: [500, 1000], mu: 2500, replications: 3, seed: 3, queues: [UNBOUNDED] });
    result.points[1]!.caveats = ["faults were injected (consumer 0 crashed and was replaced): theory describes the system without them"];
    result.points[1]!.notes = ["Latencies count from the intended send time."];
    const html = markup(renderHtml([result]));
    const notes = html.match(/<section class="point-notes">([\s\S]*?)<\/section>/)?.[1] ?? "";
    expect(notes).toContain(
      "<ul><li>Caveat: faults were injected (consumer 0 crashed and was replaced): theory describes the system without them.</li>" +
        "<li>Latencies count from the intended send time.</li></ul>",
    );
    const summary = html.match(/<h2>Summary<\/h2>([\s\S]*?)<\/ul>/)?.[1] ?? "";
    expect(summary).toContain("(but theory does not describe 1 of these points as they ran: see the caveats in Notes)");
    delete result.points[1]!.caveats;
    expect(markup(renderHtml([result]))).not.toContain("theory does not describe");
  });

  test("renderHtml() escapes notes, fault summaries and fault kinds taken from a Result", () => {
    const result = faultRun();
    result.points[0]!.notes = [HOSTILE];
    result.points[0]!.faults![0]!.summary = HOSTILE;
    (result.points[0]!.faults![1]! as { kind: string }).kind = HOSTILE;
    const html = renderHtml([result]);
    expect(markup(html).includes("<img")).toBe(false);
    expect(html.match(/<\/script>/g)?.length).toBe(3);
    expect((markup(html).match(/&lt;\/script&gt;&lt;img src=x/g) ?? []).length).toBe(3);
  });
});
