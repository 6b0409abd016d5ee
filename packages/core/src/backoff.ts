/** Ceiling of the default backoff. */
export const BACKOFF_CAP = 30_000
const BACKOFF_BASE = 1_000

/**
 * Exponential backoff with full jitter: a uniform pick in [0, min(cap, base · 2^(attempt-1))].
 * Full jitter spreads a crowd of clients that lost the same server, so they do not return
 * in lockstep.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  // A large attempt makes 2 ** n Infinity, which the cap takes care of.
  return Math.round(random() * Math.min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1)))
}
