/**
 * `RunRefusedError`: a planned run the runner will not start — its estimated work is beyond
 * reason (sim/des/workload.ts) and the caller did not force it. Bad input, like a
 * ScenarioError: nothing ran.
 * @module
 */
export class RunRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunRefusedError";
  }
}
