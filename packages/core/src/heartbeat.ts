import { HEARTBEAT_DEFAULTS } from './protocol'
import type { HeartbeatOptions } from './types'

/** A timer that fires this much after its due time was delayed by a throttled tab or a sleeping machine. */
const LATE = 1_000

export interface Heartbeat {
  /** Start watching a freshly opened socket. */
  start(): void
  stop(): void
  /** Anything arrived: the socket is alive. */
  seen(): void
  /** Ask the peer for a sign of life now (page became visible, network came back). */
  probe(): void
}

export function resolveHeartbeat(option: boolean | HeartbeatOptions | undefined) {
  if (!option) return null
  return { ...HEARTBEAT_DEFAULTS, ...(option === true ? {} : option) }
}

/**
 * Deadline heartbeat: after `interval` of silence a probe goes out; if nothing at all
 * comes back within `timeout` the socket is dead. A tick that fires late may have been
 * held back while the answer was already queued behind it, so a late deadline probes
 * again instead of killing a healthy socket.
 */
export function createHeartbeat(
  options: Required<HeartbeatOptions>,
  send: (message: string) => void,
  dead: () => void,
): Heartbeat {
  let timer: ReturnType<typeof setTimeout> | undefined
  let due = 0
  let lastSeen = 0
  let probeAt = 0

  const arm = (ms: number) => {
    clearTimeout(timer)
    due = Date.now() + ms
    timer = setTimeout(tick, ms)
  }

  const probe = () => {
    probeAt = Date.now()
    send(options.message)
    arm(options.timeout)
  }

  function tick() {
    const now = Date.now()
    const late = now - due > LATE
    if (probeAt) {
      if (lastSeen >= probeAt) {
        probeAt = 0
      } else if (late) {
        return probe()
      } else if (now - probeAt >= options.timeout) {
        return dead()
      } else {
        return arm(probeAt + options.timeout - now)
      }
    }
    const quiet = now - lastSeen
    if (quiet >= options.interval) probe()
    else arm(options.interval - quiet)
  }

  return {
    start() {
      lastSeen = Date.now()
      probeAt = 0
      arm(options.interval)
    },
    stop() {
      clearTimeout(timer)
      timer = undefined
    },
    seen() {
      lastSeen = Date.now()
    },
    probe() {
      if (timer !== undefined && !probeAt) probe()
    },
  }
}
