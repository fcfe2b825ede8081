// `queuelab serve` in Debian's Chromium (playwright-core, never a downloaded browser): the page
// simulates in a Web Worker, the depth chart's y axis holds the trace and the theory line with
// K = ∞, moving λ past μ changes the charts and the throughput saturates at μ, nothing is
// fetched from outside the server, and the console stays clean.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { chromium, type Browser, type Page } from "playwright-core";

const root = join(import.meta.dir, "..");
const CHROMIUM = process.env.QUEUELAB_CHROMIUM ?? "/usr/bin/chromium";
const requireAll = process.env.QUEUELAB_REQUIRE_ALL === "1";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !requireAll) {
  console.warn(`\n*** SKIPPING the serve page tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium). Set QUEUELAB_REQUIRE_ALL=1 to make this a failure. ***\n`);
}
const maybe = haveChromium || requireAll ? test : test.skip;

interface PageState {
  generation: number;
  doneGeneration: number;
  settings: { lambda: number };
}

let server: ChildProcess | undefined;
let url = "";
let browser: Browser | undefined;
let page: Page;
const errors: string[] = [];
const foreign: string[] = [];

/** Starts `queuelab serve --port 0` and reads the URL it prints. */
function startServe(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["cli/queuelab.ts", "serve", "--port", "0"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    server = child;
    let output = "";
    const timer = setTimeout(() => reject(new Error(`queuelab serve printed no URL in 30 s:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.on("exit", (code) => reject(new Error(`queuelab serve exited with ${code}:\n${output}`)));
  });
}

const generation = () => page.evaluate(() => (window as unknown as { queuelab?: { state: PageState } }).queuelab?.state.generation ?? 0);

/** Waits until the page has started a simulation after `after` and finished it. */
async function settled(after = 0): Promise<void> {
  await page.waitForFunction(
    (previous) => {
      const s = (window as unknown as { queuelab?: { state: PageState } }).queuelab?.state;
      return s !== undefined && s.generation > previous && s.doneGeneration === s.generation;
    },
    after,
    { timeout: 60_000 },
  );
}

/** Does something to the controls and waits until the page has simulated the result. */
async function change(action: () => Promise<unknown>): Promise<void> {
  const before = await generation();
  await action();
  await settled(before);
}

const setLambda = (value: number) => change(() => page.locator("#lambda").fill(String(value)));

const throughput = async () => Number(await page.locator("#throughput").getAttribute("data-value"));
const canvas = (id: string) => page.locator(`#${id} canvas`).evaluate((c) => (c as HTMLCanvasElement).toDataURL());
const chartData = (name: string) =>
  page.evaluate((n) => JSON.stringify((window as unknown as { queuelab: { charts: Record<string, { data: unknown }> } }).queuelab.charts[n]!.data), name);

/** The depth chart's y range, the highest depth it plots, its theory L, and which series show. */
const depthChart = () =>
  page.evaluate(() => {
    const chart = (window as unknown as { queuelab: { charts: { depth: DepthChart } } }).queuelab.charts.depth;
    const depth = chart.data[1]!.filter((v): v is number => typeof v === "number");
    return {
      min: chart.scales.y.min,
      max: chart.scales.y.max,
      depthMax: Math.max(...depth),
      theoryL: chart.data[2]!.find((v) => typeof v === "number") ?? null,
      shown: chart.series.map((s) => s.show),
    };
  });

interface DepthChart {
  data: (number | null)[][];
  scales: { y: { min: number | null; max: number | null } };
  series: { show: boolean }[];
}

describe("queuelab serve", () => {
  beforeAll(async () => {
    if (!haveChromium) return;
    url = await startServe();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("request", (request) => {
      if (!request.url().startsWith(url)) foreign.push(request.url());
    });
    await page.goto(url, { waitUntil: "load" });
    await settled();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill("SIGTERM");
  });

  maybe("with K = ∞ (the default) the depth chart's y axis covers the whole trace and the theory line", async () => {
    if (!haveChromium) throw new Error(`no Chromium at ${CHROMIUM} (QUEUELAB_REQUIRE_ALL=1): apt-get install -y chromium`);
    expect(await page.locator("#capacity-value").textContent()).toBe("∞");
    for (const lambda of [undefined, 0.9]) {
      if (lambda !== undefined) await setLambda(lambda);
      const chart = await depthChart();
      // An M/M/1 trace of 20,000 customers at ρ = 0.7 or 0.9 climbs well above 1.
      expect(chart.depthMax).toBeGreaterThan(3);
      expect(chart.theoryL).not.toBeNull();
      expect(chart.shown).toEqual([true, true, true, false]); // time, depth, theory L; K hidden
      expect(chart.min).toBe(0);
      expect(chart.max!).toBeGreaterThanOrEqual(chart.depthMax);
      expect(chart.max!).toBeGreaterThanOrEqual(chart.theoryL!);
      expect(chart.max!).toBeLessThan(chart.depthMax * 1.2); // room above the peak, not a wasted axis
    }
    mkdirSync(join(root, "test-artifacts"), { recursive: true });
    await page.locator("#chart-depth").screenshot({ path: join(root, "test-artifacts", "serve-depth-unbounded.png") });
  }, 120_000);

  maybe("moving λ past μ changes the charts and the throughput saturates at μ", async () => {
    if (!haveChromium) throw new Error(`no Chromium at ${CHROMIUM} (QUEUELAB_REQUIRE_ALL=1): apt-get install -y chromium`);
    expect(await page.locator("#model").textContent()).toBe("M/M/1");

    await setLambda(0.5);
    const below = await throughput();
    expect(below).toBeGreaterThan(0.45);
    expect(below).toBeLessThan(0.55);
    const before = { throughput: await chartData("throughput"), depth: await chartData("depth"), pixels: await canvas("chart-depth") };

    await setLambda(2); // μ = 1: twice what the server can do
    const above = await throughput();
    expect(Math.abs(above - 1)).toBeLessThan(0.05); // min(λ, μ) = μ
    expect(await page.locator("#throughput").textContent()).toMatch(/^(0\.9\d*|1(\.0\d*)?)$/);
    expect(await page.locator("#warning").textContent()).toContain("Overloaded");
    expect(await chartData("throughput")).not.toBe(before.throughput);
    expect(await chartData("depth")).not.toBe(before.depth);
    expect(await canvas("chart-depth")).not.toBe(before.pixels);

    mkdirSync(join(root, "test-artifacts"), { recursive: true });
    await page.screenshot({ path: join(root, "test-artifacts", "serve.png"), fullPage: true });
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  }, 120_000);

  maybe("a finite buffer under drop-newest loses the excess, and theory follows (M/M/1/K)", async () => {
    if (!haveChromium) throw new Error(`no Chromium at ${CHROMIUM} (QUEUELAB_REQUIRE_ALL=1): apt-get install -y chromium`);
    await change(async () => {
      await page.locator("#capacity").fill("10");
      await page.locator("#overflow").selectOption("drop-newest");
    });
    expect(await page.locator("#model").textContent()).toBe("M/M/1/10");
    expect(Math.abs((await throughput()) - 1)).toBeLessThan(0.05);
    expect(await page.locator("#throughput-sub").textContent()).toMatch(/lost (4[5-9]|5[0-5])(\.\d+)?%/);
    expect(await page.locator("#warning").textContent()).toBe("");
    expect(errors).toEqual([]);
  }, 120_000);
});
