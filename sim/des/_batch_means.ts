// MSER-5's raw material: system sojourn times as bounded batch means (see `warmupSlices` in des.ts).

/** Bounded batch means: when full, neighbours merge and the batch size doubles. */
export class BatchMeans {
  means: number[] = [];
  #sum = 0;
  #n = 0;
  constructor(
    public batchSize: number,
    readonly limit: number,
  ) {}
  add(value: number): void {
    this.#sum += value;
    if (++this.#n === this.batchSize) {
      this.means.push(this.#sum / this.batchSize);
      this.#sum = 0;
      this.#n = 0;
      if (this.means.length === this.limit) {
        const merged: number[] = [];
        for (let i = 0; i < this.limit; i += 2) merged.push((this.means[i]! + this.means[i + 1]!) / 2);
        this.means = merged;
        this.batchSize *= 2;
      }
    }
  }
}
