import { backoffDelay, type Connection, type ConnectionEvents } from '@tethered/core'
import { nextEvent } from './wait'

/** Timer lateness and loopback latency allowed on a loaded machine. */
export const MARGIN = 300

/** The default backoff (full jitter, doubling, capped) at a tenth of its scale. */
export const scaledBackoff = (attempt: number) => Math.round(backoffDelay(attempt) / 10)
/** The largest delay `scaledBackoff` can pick for `attempt`. */
export const scaledCeiling = (attempt: number) =>
  Math.min(3_000, 100 * 2 ** Math.min(attempt - 1, 30))

/** Sends `text` and resolves when the echo server sends it back. */
export async function roundTrip(
  connection: Connection<unknown, string>,
  text: string,
  timeout = 2_000,
): Promise<number> {
  const start = performance.now()
  const echoed = once(connection, 'message', timeout, (event) => event.data === text)
  connection.sendMessage(text)
  await echoed
  return performance.now() - start
}

/** The next `event` of `connection` (that `accept` takes), or a rejection after `timeout` ms. */
export function once<In, Out, E extends keyof ConnectionEvents<In>>(
  connection: Connection<In, Out>,
  event: E,
  timeout: number,
  accept?: (...args: Parameters<ConnectionEvents<In>[E]>) => boolean,
): Promise<Parameters<ConnectionEvents<In>[E]>> {
  return nextEvent<Parameters<ConnectionEvents<In>[E]>>(
    (handler) => connection.on(event, handler as ConnectionEvents<In>[E]),
    timeout,
    `the '${event}' event`,
    accept,
  )
}

export const opened = (connection: Connection<unknown, string>, timeout = 5_000) =>
  once(connection, 'open', timeout)
