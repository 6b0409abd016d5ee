import { BACKOFF_BASE, BACKOFF_CAP } from './defaults'
import type { ConnectionOptions } from './types'

/**
 * Exponential backoff with full jitter: a uniform pick in [0, min(cap, base · 2^(attempt-1))].
 * Full jitter spreads a crowd of clients that lost the same server, so they do not return
 * in lockstep.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  // A large attempt makes 2 ** n Infinity, which the cap takes care of.
  return Math.round(random() * Math.min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1)))
}

/** The wait before a retry: `reconnectInterval` (a number, or a function of the step), else the default backoff. */
export const retryDelay = (interval: ConnectionOptions['reconnectInterval'], step: number) =>
  Math.max(0, typeof interval === 'number' ? interval : (interval ?? backoffDelay)(step))
