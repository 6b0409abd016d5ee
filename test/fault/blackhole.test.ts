import type { ReconnectingInfo } from '@tethered/core'
import { describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import {
  MARGIN,
  once,
  opened,
  roundTrip,
  scaledBackoff,
  scaledCeiling,
} from '../support/core-helpers'
import { proxiedServer } from '../support/fault-setup'
import { startServer } from '../support/recording-server'
import { startTcpProxy } from '../support/tcp-proxy'
import { waitFor } from '../support/wait'

const INTERVAL = 200
const TIMEOUT = 200
const CONNECT_TIMEOUT = 600

const net = proxiedServer()

const heartbeat = { interval: INTERVAL, timeout: TIMEOUT }

describe('black hole (half-open network)', () => {
  it('detects the dead socket within interval + timeout and is usable again within one backoff step of the network returning', async () => {
    const reconnecting: ReconnectingInfo[] = []
    const c = net.connect({
      heartbeat,
      connectTimeout: CONNECT_TIMEOUT,
      reconnectInterval: scaledBackoff,
    })
    c.on('reconnecting', (info) => reconnecting.push(info))
    await opened(c)
    await roundTrip(c, 'before')
    // A few heartbeat rounds on the healthy socket: no false death.
    await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL))
    expect(reconnecting).toHaveLength(0)

    // From now on a numbered message every 25 ms, sent with `keep` (the default).
    let seq = 0
    const sender = setInterval(() => c.sendMessage(`m${++seq}`), 25)
    try {
      const holeAt = performance.now()
      net.proxy.blackhole(true)
      const [closeInfo] = await once(c, 'close', 5_000)
      const detected = performance.now() - holeAt
      const sentBeforeDetection = seq
      expect(closeInfo.code).toBe(1006)
      expect(c.getSnapshot().error?.code).toBe('HEARTBEAT_TIMEOUT')

      // The network stays down while attempts fail (each one held until connectTimeout).
      await waitFor(() => reconnecting.length >= 3, 10_000, 'three attempts inside the hole')
      const downFor = performance.now() - holeAt

      const backAt = performance.now()
      const snap = c.getSnapshot()
      const attempt = snap.reconnectAttempt
      // What is left of the backoff step in effect (0 when an attempt is under way).
      const wait =
        snap.nextReconnectAt === null ? 0 : Math.max(0, snap.nextReconnectAt - Date.now())
      net.proxy.blackhole(false)
      await waitFor(() => c.getSnapshot().readyState === 1, 10_000, 'the reopen')
      const reopened = performance.now() - backAt
      await roundTrip(c, 'after')
      const usable = performance.now() - backAt
      clearInterval(sender)
      const sent = seq
      await waitFor(() => net.server.received.includes(`m${sent}`), 2_000, 'the last message')
      const got = new Set(net.server.received)
      const lost: number[] = []
      for (let i = 1; i <= sent; i++) if (!got.has(`m${i}`)) lost.push(i)
      const order = net.server.received
        .filter((t) => t.startsWith('m'))
        .map((t) => Number(t.slice(1)))

      console.log(
        [
          `black hole: detected in ${detected.toFixed(0)} ms (interval ${INTERVAL} + timeout ${TIMEOUT}; bound ${INTERVAL + TIMEOUT + MARGIN})`,
          `  network down ${downFor.toFixed(0)} ms: ${reconnecting.length} attempts (delays ${reconnecting.map((r) => r.delay).join(', ')} ms), each held until connectTimeout ${CONNECT_TIMEOUT}`,
          `  network back: attempt ${attempt} had ${wait.toFixed(0)} ms of its step left (ceiling ${scaledCeiling(attempt)}); reopened in ${reopened.toFixed(0)} ms, round trip done in ${usable.toFixed(0)} ms`,
          `  messages: ${sent} sent, ${lost.length} lost (${lost.join(', ') || 'none'}), all written into the dead socket before detection (${sentBeforeDetection} sent by then); the rest queued and delivered in order`,
        ].join('\n'),
      )

      expect(detected).toBeGreaterThanOrEqual(TIMEOUT - 20)
      expect(detected).toBeLessThanOrEqual(INTERVAL + TIMEOUT + MARGIN)
      expect(usable).toBeLessThanOrEqual(wait + MARGIN)
      expect(usable).toBeLessThanOrEqual(scaledCeiling(attempt) + MARGIN)
      // Only messages written into the dead socket are lost; everything sent after the
      // detection was queued and arrives, in order.
      for (const i of lost) expect(i).toBeLessThanOrEqual(sentBeforeDetection)
      const afterDetection = order.filter((i) => i > sentBeforeDetection)
      expect(afterDetection).toEqual(
        Array.from({ length: sent - sentBeforeDetection }, (_, i) => sentBeforeDetection + i + 1),
      )
    } finally {
      clearInterval(sender)
    }
  })

  it('lets go of the dead socket at once: no TCP socket or close timer is left for 30 s', async () => {
    const c = net.connect({
      heartbeat,
      reconnect: false,
    })
    await opened(c)
    const ws = c.getWebSocket() as unknown as WebSocket
    net.proxy.blackhole(true)
    await once(c, 'close', 5_000)
    const deadAt = performance.now()
    // A close() would leave ws waiting 30 s (its closeTimeout) for a close frame that cannot come.
    await waitFor(
      () => ws.readyState === ws.CLOSED && net.proxy.active === 0,
      MARGIN,
      'the socket to go',
    )
    console.log(
      `dead socket released ${(performance.now() - deadAt).toFixed(0)} ms after it was declared dead`,
    )
  })

  it('a manual close on a dead network ends within its grace period and lets the socket go', async () => {
    const c = net.connect()
    await opened(c)
    const ws = c.getWebSocket() as unknown as WebSocket
    net.proxy.blackhole(true)
    const closed = once(c, 'close', 3_000 + MARGIN)
    const start = performance.now()
    c.close(1000, 'bye')
    expect(c.getSnapshot().readyState).toBe(2)
    const [info] = await closed
    const took = performance.now() - start
    await waitFor(
      () => ws.readyState === ws.CLOSED && net.proxy.active === 0,
      MARGIN,
      'the socket to go',
    )
    console.log(
      `manual close on a dead network: close ${info.code} after ${took.toFixed(0)} ms (grace 3000), socket released`,
    )
    expect(c.getSnapshot().readyState).toBe(3)
    expect(c.getSnapshot().nextReconnectAt).toBeNull()
  })

  it('a peer that never answers the probe but keeps sending stays alive; one that goes silent dies', async () => {
    await net.server.close()
    net.server = await startServer({ echo: true, pong: () => false })
    await net.proxy.close()
    net.proxy = await startTcpProxy(net.server.port)
    const c = net.connect({
      heartbeat,
      reconnect: false,
    })
    let closedAt = 0
    c.on('close', () => {
      closedAt = performance.now()
    })
    await opened(c)
    // Traffic every 100 ms for 5 heartbeat deadlines: any inbound message counts as alive.
    const feed = setInterval(() => net.server.send('tick'), 100)
    await new Promise((resolve) => setTimeout(resolve, 5 * (INTERVAL + TIMEOUT)))
    clearInterval(feed)
    expect(closedAt).toBe(0)
    expect(c.getSnapshot().readyState).toBe(1)
    const silentAt = performance.now()
    await once(c, 'close', 5_000)
    const died = closedAt - silentAt
    console.log(
      `no pong, traffic every 100 ms: alive through ${5 * (INTERVAL + TIMEOUT)} ms; silent: dead after ${died.toFixed(0)} ms`,
    )
    expect(died).toBeLessThanOrEqual(INTERVAL + TIMEOUT + MARGIN)
  })
})
