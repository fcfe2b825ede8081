/**
 * Private helper of the formulas: argument checks that name the argument and what it must be.
 * @module
 */

export function requireRates(lambda: number, mu: number): void {
  if (!(lambda >= 0) || !Number.isFinite(lambda) || !(mu > 0) || !Number.isFinite(mu)) {
    throw new RangeError(`Cannot compute queueing theory: need finite λ >= 0 and μ > 0, got λ = ${lambda}, μ = ${mu}`);
  }
}

export function requireServers(c: number, allowZero = false): void {
  if (!Number.isInteger(c) || c < (allowZero ? 0 : 1)) {
    throw new RangeError(`Cannot compute queueing theory: servers must be a positive integer, got ${c}`);
  }
}

export function requireCapacity(K: number): void {
  if (!Number.isInteger(K) || K < 1) {
    throw new RangeError(`Cannot compute queueing theory: capacity K must be a positive integer, got ${K}`);
  }
}
