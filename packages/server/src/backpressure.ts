import type { WebSocket } from 'ws'
import type { ServerStats } from './stats'

/** What to do with one outgoing message given how much the client has not yet taken. */
export type BackpressureVerdict = 'send' | 'drop' | 'close'

/** The limits every write is checked against (from the `backpressure` option). */
export interface BackpressureLimits {
  readonly maxBufferedBytes: number
  readonly backpressurePolicy: 'drop' | 'close'
}

/**
 * Checked before every write. Data is written only while the client's buffer is at or
 * under the limit, so what the server holds for a slow client stays below
 * `maxBufferedBytes` plus one message, whatever the send rate.
 */
export function backpressureVerdict(
  bufferedAmount: number,
  maxBufferedBytes: number,
  policy: 'drop' | 'close',
): BackpressureVerdict {
  if (bufferedAmount <= maxBufferedBytes) return 'send'
  return policy
}

/** Whether the socket takes more now: what every write, heartbeat answers and replay included, asks. */
export const hasRoom = (socket: WebSocket, limits: BackpressureLimits): boolean =>
  socket.bufferedAmount <= limits.maxBufferedBytes

/**
 * The policy applied to one message: true when it may be written now. Over the limit the
 * `close` policy closes the socket with 1013; with either policy the caller decides what
 * becomes of the message (a plain one is skipped, a reliable one waits in its session).
 */
export function admit(socket: WebSocket, limits: BackpressureLimits, stats: ServerStats): boolean {
  const verdict = backpressureVerdict(
    socket.bufferedAmount,
    limits.maxBufferedBytes,
    limits.backpressurePolicy,
  )
  if (verdict === 'send') return true
  if (verdict === 'close') {
    stats.slowConsumersClosed++
    socket.close(1013, 'slow consumer: too much data buffered')
  }
  return false
}

/** Every write is text: envelopes and reliable frames are JSON or `x:` text. */
export const SEND_TEXT = { binary: false } as const
