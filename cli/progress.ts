/**
 * A progress bar on stderr for long runs: steps done, percentage and ETA. Drawn only on a
 * terminal; silent when stderr is piped or the caller asked for quiet. Between steps, the
 * share done of the replications under way moves the bar, so one long replication shows
 * progress too.
 */

/** Where the bar is drawn (stderr, or a stand-in in tests). */
export interface BarStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export class Progress {
  #done = 0;
  #total: number;
  /** The share done of each replication under way, by the key of the work running it. */
  #partial = new Map<number, number>();
  #shown = 0;
  #started = performance.now();
  #lastDraw = 0;
  readonly enabled: boolean;

  constructor(
    total: number,
    readonly label: string,
    enabled: boolean,
    readonly stream: BarStream = process.stderr,
  ) {
    this.#total = total;
    this.enabled = enabled && Boolean(stream.isTTY) && total > 0;
  }

  /** Steps expected in all (less what `skip` took off). */
  get total(): number {
    return this.#total;
  }

  /** `steps` counted in the total will not run after all (a run stopped at its precision early). */
  skip(steps: number): void {
    this.#total = Math.max(this.#done, this.#total - steps);
  }

  /** One more step done; `detail` names it (e.g. the point), `key` the work that took it. */
  step(detail = "", key?: number): void {
    this.#done++;
    if (key !== undefined) this.#partial.delete(key);
    this.#draw(detail, this.#done === this.total);
  }

  /** The replication `key` is running has `done` (0 to 1) of its work behind it. */
  partial(key: number, done: number, detail = ""): void {
    this.#partial.set(key, Math.min(1, Math.max(0, done)));
    this.#draw(detail, false);
  }

  /** The share of the whole run done: steps, plus the parts of those under way. */
  get fraction(): number {
    let under = 0;
    for (const share of this.#partial.values()) under += share;
    return Math.min(1, (this.#done + under) / this.total);
  }

  #draw(detail: string, last: boolean): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.#lastDraw < 100 && !last) return;
    this.#lastDraw = now;
    // Never backwards: an MSER-5 pilot run reports its share, then the real replication starts at 0.
    const fraction = (this.#shown = Math.max(this.#shown, this.fraction));
    const width = 28;
    const filled = Math.round(fraction * width);
    const elapsed = (now - this.#started) / 1000;
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : 0;
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const line = `${this.label} ${bar} ${this.#done}/${this.total} ${(fraction * 100).toFixed(0)}% ETA ${formatSeconds(eta)} ${detail}`;
    this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns ?? 100) - 1)}`);
  }

  /** Clears the bar. */
  end(): void {
    if (this.enabled) this.stream.write("\r\x1b[2K");
  }
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  return `${Math.floor(s / 60)}m${Math.round(s % 60).toString().padStart(2, "0")}s`;
}
