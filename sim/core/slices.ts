/**
 * Long computations cut into slices. A generator of type `Slices<T>` yields the share of the
 * work done (0 to 1) between slices and returns its value: the caller decides what happens
 * between two slices — nothing (`finishNow`), or a pause that yields the thread, reports
 * progress, or throws to give up (`finish`). The work itself never knows which.
 * @module
 */

/** Work in slices: yields the share done after each, returns the value. */
export type Slices<T> = Generator<number, T, void>;

/** Called between slices with the share done; may wait (yield the thread) or throw (give up). */
export type Pause = (done: number) => void | Promise<void>;

/** Runs every slice at once, in this call. */
export function finishNow<T>(slices: Slices<T>): T {
  for (;;) {
    const step = slices.next();
    if (step.done) return step.value;
  }
}

/** Runs the slices with `pause` between them (none: one after another). */
export async function finish<T>(slices: Slices<T>, pause?: Pause): Promise<T> {
  for (;;) {
    const step = slices.next();
    if (step.done) return step.value;
    if (pause) await pause(step.value);
  }
}
