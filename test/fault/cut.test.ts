import { describe, expect, it } from 'vitest'
import {
  MARGIN,
  once,
  opened,
  roundTrip,
  scaledBackoff,
  scaledCeiling,
} from '../support/core-helpers'
import { proxiedServer } from '../support/fault-setup'
import { waitFor } from '../support/wait'

const STABLE_AFTER = 400

const net = proxiedServer()

describe('cut connections', () => {
  it('a cut reconnects; cuts soon after opening keep the backoff growing, a stable connection resets it', async () => {
    // The backoff step each retry waited for: flap damping shows in it, not in the attempt
    // numbers, which start from 1 after every open.
    const steps: number[] = []
    const c = net.connect({
      heartbeat: { interval: 200, timeout: 200 },
      reconnectInterval: (step) => {
        steps.push(step)
        return scaledBackoff(step)
      },
      stableAfter: STABLE_AFTER,
    })
    await opened(c)
    await roundTrip(c, 'hello')

    const cutAndRecover = async (label: string) => {
      const scheduled = once(c, 'reconnecting', 2_000)
      const closed = once(c, 'close', 2_000)
      const cutAt = performance.now()
      net.proxy.cut()
      const [info] = await closed
      const noticed = performance.now() - cutAt
      const [{ attempt, delay }] = await scheduled
      const step = steps.at(-1) ?? 0
      await opened(c, delay + 5_000)
      const reopened = performance.now() - cutAt
      const trip = await roundTrip(c, label)
      await waitFor(() => net.server.open === 1, 2_000, 'the server to drop the cut socket')
      console.log(
        `cut ${label}: close ${info.code} noticed in ${noticed.toFixed(0)} ms, attempt ${attempt} (backoff step ${step}) after ${delay} ms (ceiling ${scaledCeiling(step)}), reopened in ${reopened.toFixed(0)} ms, round trip ${trip.toFixed(0)} ms`,
      )
      expect(attempt).toBe(1)
      expect(info.code).toBe(1006)
      expect(noticed).toBeLessThan(MARGIN)
      expect(delay).toBeLessThanOrEqual(scaledCeiling(step))
      expect(reopened).toBeLessThanOrEqual(delay + MARGIN)
      return step
    }

    // Three cuts right after opening: flap damping keeps the backoff growing (1, 2, 3).
    const flapping = [
      await cutAndRecover('#1'),
      await cutAndRecover('#2'),
      await cutAndRecover('#3'),
    ]
    expect(flapping).toEqual([1, 2, 3])
    // Open longer than stableAfter: the next cut starts the backoff over.
    await new Promise((resolve) => setTimeout(resolve, STABLE_AFTER + 100))
    expect(await cutAndRecover('#4 (after a stable period)')).toBe(1)
    expect(net.server.sockets.length).toBe(5)
    expect(net.proxy.accepted).toBe(5)
  })
})
