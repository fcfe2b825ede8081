/**
 * Queueing theory: closed-form formulas (formulas.ts, jackson.ts, pushout.ts, classes.ts),
 * percentiles (percentiles.ts), stream pipelines (stream.ts), and `theoryFor`, which recognises a model in a network spec
 * (theory_for.ts). The traffic equations and the bound min(λ, c·μ) live in sim/core/traffic.ts.
 * @module
 */
export { erlangB, erlangC, mg1, mm1, mmc, mmck, mmckBlock, type BlockingMetrics, type FiniteMetrics } from "./formulas.ts";
export { jackson, type JacksonMetrics } from "./jackson.ts";
export { MAX_PUSH_OUT_ROOM, pushOutServed, type PushOutMetrics } from "./pushout.ts";
export { addClassTheory, priorityWaitsMG1, priorityWaitsMMc } from "./classes.ts";
export { QUANTILES, type PercentileKey, type PercentileSet } from "./percentiles.ts";
export { theoryFor } from "./theory_for.ts";
export { expectedResultRate, lateFraction, streamTheory } from "./stream.ts";
