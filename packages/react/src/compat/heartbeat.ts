import type { Connection, HeartbeatOptions as EngineHeartbeat } from '@tethered/core'
import type { Options } from './types'

/** react-use-websocket's heartbeat, its defaults filled in. */
export interface Beat {
  message: string | (() => string)
  returnMessage?: string
  timeout: number
  interval: number
}

/** The longest timer there is: the pings come from here, not from core. */
const NEVER = 2 ** 31 - 1

export const beatOf = (heartbeat: Options['heartbeat']): Beat | null =>
  heartbeat
    ? { message: 'ping', timeout: 60_000, interval: 25_000, ...(heartbeat as object) }
    : null

/**
 * Core's half: the deadline. The first ping of a silence is core's probe, at the first check
 * `interval` after the last message, and its deadline ends `timeout` after that message, as
 * react-use-websocket counts it; the socket is then abandoned at once rather than waiting
 * for a close event. Nothing is consumed by core: `onMessage` sees the reply, the view's
 * filter keeps it out of `lastMessage`.
 */
export const engineHeartbeat = ({ message, timeout, interval }: Beat): EngineHeartbeat => ({
  // Core's probe text is fixed when the socket opens; the pings after it call the function.
  message: typeof message === 'function' ? message() : message,
  // An object no message data is identical to.
  returnMessage: {} as string,
  interval: NEVER,
  // The first check `interval` after the last message: a multiple of the check's 100 ms.
  timeout: Math.max(0, timeout - Math.ceil(interval / 100) * 100),
})

const driven = new WeakSet<object>()

/**
 * The cadence, once per connection (a shared one included), with the options of whoever
 * made it: a ping after `interval` of silence and every `interval` while it lasts, checked
 * every tenth of it (at least 100 ms), as react-use-websocket does.
 */
export function drive(c: Connection<unknown, unknown>, beat: Beat | null): void {
  if (driven.has(c)) return
  driven.add(c)
  if (!beat) return
  const { message, interval } = beat
  let timer: ReturnType<typeof setInterval> | undefined
  let heard = 0
  let pinged = 0
  let waiting = false
  const tick = () => {
    const now = Date.now()
    if (now - heard < interval || now - pinged < interval) return
    pinged = now
    if (!waiting) {
      waiting = true
      c.probe()
    } else c.sendMessage(typeof message === 'function' ? message() : message, false)
  }
  c.on('open', () => {
    heard = pinged = Date.now()
    waiting = false
    clearInterval(timer)
    timer = setInterval(tick, Math.max(100, interval / 10))
  })
  // A view's filter sees a message before anyone renders it (an answer is on time even if
  // rendering takes a while); it accepts none, so the view itself never changes.
  c.view(() => {
    heard = Date.now()
    return (waiting = false)
  })
  c.on('close', () => clearInterval(timer))
}
