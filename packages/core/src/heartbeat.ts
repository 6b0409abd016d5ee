import { HEARTBEAT_DEFAULTS } from '@tethered/protocol'
import { LATE } from './defaults'
import { TetheredError } from './errors'
import type { HeartbeatOptions, SendData } from './types'

/**
 * What the connection asks of a socket's heartbeat: `beat(open)` when something arrived
 * (`open`: the socket is open for the app), `beat(PROBE)` to probe now unless a probe waits
 * for its answer already. Either returns the answer message, which is consumed.
 */
export type Heartbeat = (event: boolean | typeof PROBE) => string

export const PROBE = 2

/**
 * The deadline heartbeat of a socket just open, if the `heartbeat` option asks for one:
 * after `interval` of silence a probe goes out; if nothing at all comes back within
 * `timeout` the socket is dead. A check that runs late may have been held back while the
 * answer was already queued behind it, so it probes again instead of killing a healthy
 * socket.
 *
 * Its timer is the connection's phase timer (`later`), so whatever ends the open phase (a
 * drop, the grace of a manual close) ends the heartbeat too. One function, not an object:
 * its methods' names would survive into the bundle.
 */
export const heartbeat = (
  options: boolean | HeartbeatOptions | undefined,
  later: (fn: () => void, ms: number) => void,
  send: (data: SendData) => unknown,
  die: (e: TetheredError) => void,
): Heartbeat | undefined => {
  if (!options) return
  // `true` spreads nothing: the defaults.
  const { message, returnMessage, interval, timeout } = {
    ...HEARTBEAT_DEFAULTS,
    ...(options as HeartbeatOptions),
  }
  // The time the timer is due, the last inbound traffic, and the probe waiting for an
  // answer (0: none).
  let due!: number
  let seen = Date.now()
  let probeAt = 0

  const arm = (ms: number) => {
    due = Date.now() + ms
    later(check, ms)
  }

  const probe = () => {
    probeAt = Date.now()
    send(message)
    arm(timeout)
  }

  const check = () => {
    const now = Date.now()
    // A probe waits for its answer, and this check is on time.
    if (probeAt > seen && now - due <= LATE) {
      if (now - probeAt < timeout) arm(probeAt + timeout - now)
      else die(new TetheredError('HEARTBEAT_TIMEOUT', `Heartbeat: no answer in ${timeout} ms`))
      return
    }
    // Answered, never asked, or late (so ask again): probe after `interval` of silence.
    if (now - seen < interval && probeAt <= seen) arm(seen + interval - now)
    else probe()
  }

  arm(interval)
  return (event) => {
    // PROBE is the only argument above 1 (`true` compares as 1).
    if ((event as number) > 1) {
      if (probeAt <= seen) probe()
    } else {
      // An answer: the next probe is due `interval` from now, not when the probe's deadline
      // would have been (with `timeout` > `interval`, that would probe too seldom).
      if (probeAt > seen && event) arm(interval)
      seen = Date.now()
    }
    return returnMessage
  }
}
