/**
 * The demo page's Web Worker: runs queuelab's simulator in the browser, from a plan like any
 * run (cli/serve/model.ts `planFor`, runner/run_point.ts). It takes the page's settings,
 * simulates the current point first (so the numbers update at once), then a sweep of
 * λ across the station's capacity, posting each point as it finishes. A newer request makes it
 * drop the rest of an older one.
 * @module
 */
import { runPoint } from "../../runner/run_point.ts";
import type { Point } from "../../result/result.ts";
import { planFor, sweepRates, type Settings } from "./model.ts";

/** What the page asks for. */
export interface Request {
  generation: number;
  settings: Settings;
  /** Also sweep λ (false when only λ changed and the page still has the sweep). */
  sweep: boolean;
}

/** What the worker answers: one point at a time, then "done". */
export type Reply =
  | { generation: number; kind: "current"; lambda: number; point: Point; ms: number }
  | { generation: number; kind: "sweep"; index: number; lambda: number; point: Point }
  | { generation: number; kind: "done"; ms: number }
  | { generation: number; kind: "error"; message: string };

let latest = -1;

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<Request>) => void) | null;
  postMessage(message: Reply): void;
};

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The page's one point at `lambda`, labelled by it. */
async function simulateAt(settings: Settings, lambda: number): Promise<Point> {
  const plan = planFor(settings, lambda);
  const point = plan.points[0]!;
  return await runPoint({ ...point, label: { params: { lambda }, queue: point.label.queue } }, plan.settings);
}

async function handle(request: Request): Promise<void> {
  const { generation, settings } = request;
  const started = performance.now();
  try {
    const current = await simulateAt(settings, settings.lambda);
    scope.postMessage({ generation, kind: "current", lambda: settings.lambda, point: current, ms: performance.now() - started });
    const rates = request.sweep ? sweepRates(settings) : [];
    for (let index = 0; index < rates.length; index++) {
      await nextTask(); // lets a newer request in
      if (generation !== latest) return;
      const lambda = rates[index]!;
      const point = await simulateAt(settings, lambda);
      scope.postMessage({ generation, kind: "sweep", index, lambda, point });
    }
    scope.postMessage({ generation, kind: "done", ms: performance.now() - started });
  } catch (error) {
    scope.postMessage({ generation, kind: "error", message: error instanceof Error ? error.message : String(error) });
  }
}

scope.onmessage = (event) => {
  latest = event.data.generation;
  void handle(event.data);
};
