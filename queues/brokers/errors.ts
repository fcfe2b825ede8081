/**
 * The error a broker adapter throws when it cannot reach its broker.
 *
 * `create` of every broker entry throws {@linkcode BrokerUnavailableError} within a bounded time
 * (`settings.connectTimeoutMs`, default 3 s) and leaves nothing behind: no open socket, no
 * half-declared queue. The command maps it to exit code 1.
 * @module
 */

/** A broker did not answer at `url`; `reason` is the short cause ("connection refused", …). */
export class BrokerUnavailableError extends Error {
  constructor(
    readonly broker: string,
    readonly url: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot connect to ${broker} at ${url}: ${reason}`, options);
    this.name = "BrokerUnavailableError";
  }
}

/** A short, human cause from a socket or client error ("connection refused", "timed out after 3000 ms"). */
export function describeConnectError(error: unknown): string {
  const text = error instanceof Error ? `${(error as { code?: string }).code ?? ""} ${error.message}` : String(error);
  if (/ECONNREFUSED|refused/i.test(text)) return "connection refused";
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo/i.test(text)) return "host not found";
  if (/EHOSTUNREACH|ENETUNREACH/i.test(text)) return "host unreachable";
  if (/timed? ?out|ETIMEDOUT/i.test(text)) return "timed out";
  if (/auth|ACCESS_REFUSED|NOAUTH|WRONGPASS|not authori[sz]ed/i.test(text)) return "authentication failed";
  return error instanceof Error ? error.message : text;
}

/** Resolves `promise`, or rejects with a timeout error after `ms` (the timer never outlives it). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
