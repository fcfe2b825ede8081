/**
 * Start-up and run timestamps on stderr when QUEUELAB_TIMING is set (milliseconds since the
 * process started): `QUEUELAB_TIMING=1 queuelab run ...` shows where a run's wall time goes.
 * @module
 */
/** Whether QUEUELAB_TIMING is set. */
export const timing = Boolean(process.env.QUEUELAB_TIMING);

/** Writes "[timing] 123.4 ms  label" to stderr when QUEUELAB_TIMING is set; otherwise nothing. */
export function mark(label: string): void {
  if (timing) process.stderr.write(`[timing] ${performance.now().toFixed(1).padStart(8)} ms  ${label}\n`);
}
