import type { ReconnectingInfo } from '@tethered/core'
import { describe, expect, it } from 'vitest'
import { MARGIN, opened, roundTrip, scaledBackoff, scaledCeiling } from '../support/core-helpers'
import { proxiedServer } from '../support/fault-setup'
import { waitFor } from '../support/wait'

const WINDOW = 2_500

const net = proxiedServer()

/**
 * Attempts a client following the backoff can make in `window` ms when every attempt is
 * refused at once (no time spent connecting), over many simulated runs.
 */
function simulate(window: number, runs: number) {
  const counts: number[] = []
  for (let r = 0; r < runs; r++) {
    let t = 0
    let n = 0
    while ((t += scaledBackoff(n + 1)) <= window) n++
    counts.push(n)
  }
  counts.sort((a, b) => a - b)
  const mean = counts.reduce((s, n) => s + n, 0) / runs
  return { mean, max: counts[runs - 1] ?? 0 }
}

describe('refused connections', () => {
  it('attempts follow the backoff while the server refuses (no storm), and it reconnects when it accepts again', async () => {
    const scheduled: (ReconnectingInfo & { at: number })[] = []
    const c = net.connect({
      reconnectInterval: scaledBackoff,
    })
    c.on('reconnecting', (info) => scheduled.push({ ...info, at: performance.now() }))
    await opened(c)
    const arrivalsBefore = net.proxy.arrivals.length

    net.proxy.refuse(true)
    const start = performance.now()
    net.proxy.cut()
    await new Promise((resolve) => setTimeout(resolve, WINDOW))
    const end = performance.now()
    const arrivals = net.proxy.arrivals.slice(arrivalsBefore).filter((t) => t <= end)
    // Retries whose timer fired inside the window (the last one may still be pending).
    const fired = scheduled.filter((s) => s.at + s.delay <= end - MARGIN)

    const backAt = performance.now()
    const snap = c.getSnapshot()
    const wait = snap.nextReconnectAt === null ? 0 : Math.max(0, snap.nextReconnectAt - Date.now())
    const attempt = snap.reconnectAttempt
    net.proxy.refuse(false)
    await waitFor(() => c.getSnapshot().readyState === 1, wait + 5_000, 'the reconnect')
    const recovered = performance.now() - backAt
    await roundTrip(c, 'back')

    const sim = simulate(WINDOW, 100_000)
    const gaps = arrivals.map((t, i) => t - (i === 0 ? start : (arrivals[i - 1] as number)))
    console.log(
      [
        `refused for ${(end - start).toFixed(0)} ms: ${arrivals.length} attempts reached the proxy, ${net.proxy.refused} refused`,
        `  scheduled delays ${scheduled.map((s) => `#${s.attempt} ${s.delay}`).join(', ')} ms`,
        `  gaps between attempts ${gaps.map((g) => g.toFixed(0)).join(', ')} ms`,
        `  the backoff allows ${sim.mean.toFixed(1)} on average, ${sim.max} at most in 100,000 simulated runs; a fixed 100 ms retry would make ${Math.floor(WINDOW / 100)}`,
        `  accepted again: attempt ${attempt} had ${wait.toFixed(0)} ms to wait, reconnected in ${recovered.toFixed(0)} ms`,
      ].join('\n'),
    )

    // Every attempt is one scheduled retry, made no earlier than its delay allows.
    expect(arrivals.length).toBeGreaterThanOrEqual(fired.length)
    expect(arrivals.length).toBeLessThanOrEqual(scheduled.length)
    for (const [i, s] of scheduled.entries()) {
      expect(s.attempt).toBe(i + 1)
      expect(s.delay).toBeLessThanOrEqual(scaledCeiling(s.attempt))
      const arrival = arrivals[i]
      if (arrival === undefined) continue
      expect(arrival).toBeGreaterThanOrEqual(s.at + s.delay - 2)
      expect(arrival).toBeLessThanOrEqual(s.at + s.delay + MARGIN)
    }
    expect(arrivals.length).toBeLessThanOrEqual(sim.max)
    expect(net.proxy.refused).toBe(arrivals.length)
    expect(recovered).toBeLessThanOrEqual(wait + MARGIN)
    expect(c.getSnapshot().reconnectAttempt).toBe(0)
  })
})
