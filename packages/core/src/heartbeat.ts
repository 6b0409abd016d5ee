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
 * answer was already queued behind it, so it probes again, once, instead of killing a
 * healthy socket.
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
  // The last inbound traffic, and the probe waiting for an answer (0: none), which a check
  // `timeout` after it ends; `again`: that probe was sent by a late check.
  let seen = Date.now()
  let probeAt = 0
  let again: boolean | undefined

  const probe = (late?: boolean) => {
    probeAt = Date.now()
    again = late
    send(message)
    later(check, timeout)
  }

  const check = () => {
    const now = Date.now()
    if (probeAt > seen) {
      // A late check may have been held back while the answer was queued behind it: it asks
      // again, once. Where every timer is late (a hidden tab runs them a minute apart), asking
      // again at every check would never let a dead socket go.
      if (!again && now - probeAt - timeout > LATE) probe(true)
      else if (now - probeAt < timeout) later(check, probeAt + timeout - now)
      else die(new TetheredError('HEARTBEAT_TIMEOUT', `Heartbeat: no answer in ${timeout} ms`))
    }
    // Answered or never asked: probe after `interval` of silence.
    else if (now - seen < interval) later(check, seen + interval - now)
    else probe()
  }

  later(check, interval)
  return (event) => {
    // PROBE is the only argument above 1 (`true` compares as 1).
    if ((event as number) > 1) {
      if (probeAt <= seen) probe()
    } else {
      // An answer: the next probe is due `interval` from now, not when the probe's deadline
      // would have been (with `timeout` > `interval`, that would probe too seldom).
      if (probeAt > seen && event) later(check, interval)
      seen = Date.now()
    }
    return returnMessage
  }
}
