/**
 * A progress bar on stderr for long runs: steps done, percentage and ETA. Drawn only on a
 * terminal; silent when stderr is piped or the caller asked for quiet.
 */
export class Progress {
  #done = 0;
  #total: number;
  #started = performance.now();
  #lastDraw = 0;
  readonly enabled: boolean;

  constructor(
    total: number,
    readonly label: string,
    enabled: boolean,
  ) {
    this.#total = total;
    this.enabled = enabled && Boolean(process.stderr.isTTY) && total > 0;
  }

  /** Steps expected in all (less what `skip` took off). */
  get total(): number {
    return this.#total;
  }

  /** `steps` counted in the total will not run after all (a run stopped at its precision early). */
  skip(steps: number): void {
    this.#total = Math.max(this.#done, this.#total - steps);
  }

  /** One more step done; `detail` names it (e.g. the point). */
  step(detail = ""): void {
    this.#done++;
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.#lastDraw < 100 && this.#done < this.#total) return;
    this.#lastDraw = now;
    const fraction = this.#done / this.#total;
    const width = 28;
    const filled = Math.round(fraction * width);
    const elapsed = (now - this.#started) / 1000;
    const eta = this.#done > 0 ? (elapsed / this.#done) * (this.#total - this.#done) : 0;
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const line = `${this.label} ${bar} ${this.#done}/${this.#total} ${(fraction * 100).toFixed(0)}% ETA ${formatSeconds(eta)} ${detail}`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 100) - 1)}`);
  }

  /** Clears the bar. */
  end(): void {
    if (this.enabled) process.stderr.write("\r\x1b[2K");
  }
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  return `${Math.floor(s / 60)}m${Math.round(s % 60).toString().padStart(2, "0")}s`;
}
