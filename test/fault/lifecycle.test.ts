import net from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { acquireShared, createConnection, sharedConnectionCount } from '@tethered/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { once } from '../support/core-helpers'
import { type LocalRecordingServer, startServer } from '../support/recording-server'
import { activeResources, waitFor } from '../support/wait'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Every socket the engine makes, watched from outside the engine. */
let created = 0
let closed = 0
let leftListeners = 0
class TrackedWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols)
    created++
    this.once('close', () => closed++)
  }
}

/** Listeners the engine may have left on a socket it let go of (its `onerror` no-op aside). */
const listenersLeft = (ws: WebSocket) =>
  ws.listenerCount('open') + ws.listenerCount('message') + ws.listenerCount('close') - 1

let server: LocalRecordingServer
let deadPort = 0

beforeAll(async () => {
  server = await startServer({ echo: true })
  // A port nobody listens on: every attempt is refused by the kernel.
  const probe = net.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  deadPort = (probe.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
})

afterAll(async () => {
  await server.close()
})

const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('create/dispose cycles', () => {
  it('10,000 cycles leave no timer, listener or socket behind', async () => {
    const options = {
      WebSocket: TrackedWebSocket,
      heartbeat: { interval: 1_000, timeout: 1_000 },
      connectTimeout: 5_000,
    }
    // Warm up (module state, JIT) before the baseline is taken.
    for (let i = 0; i < 50; i++) createConnection(server.url(), options).dispose()
    for (let i = 0; i < 20; i++) {
      const c = createConnection(server.url(), options)
      await once(c, 'open', 10_000)
      c.dispose()
    }
    await waitFor(
      () => closed === created && server.open === 0 && !activeResources().TCPSocketWrap,
      10_000,
      'the warm-up sockets to go',
    )
    await settle()
    gc()
    const resourcesBefore = activeResources()
    const heapBefore = process.memoryUsage().heapUsed
    const processListenersBefore = process.eventNames().map((e) => process.listenerCount(e))
    const createdBefore = created
    const start = performance.now()

    // 1) 7,500 disposed while CONNECTING: connect timer armed, handshake in flight.
    for (let batch = 0; batch < 75; batch++) {
      for (let i = 0; i < 100; i++) {
        const c = createConnection(server.url(), options)
        const ws = c.getWebSocket() as unknown as WebSocket
        c.dispose()
        leftListeners += listenersLeft(ws)
      }
      await settle()
    }
    // 2) 1,500 disposed while OPEN: heartbeat and stable timers armed, server side open.
    for (let batch = 0; batch < 75; batch++) {
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          const c = createConnection(server.url(), options)
          c.on('message', () => {})
          c.subscribe(() => {})
          await once(c, 'open', 10_000)
          const ws = c.getWebSocket() as unknown as WebSocket
          c.dispose()
          leftListeners += listenersLeft(ws)
        }),
      )
    }
    // 3) 500 disposed while waiting to reconnect: the retry timer armed.
    await Promise.all(
      Array.from({ length: 500 }, async () => {
        const c = createConnection(`ws://127.0.0.1:${deadPort}`, {
          ...options,
          reconnectInterval: 60_000,
        })
        await once(c, 'reconnecting', 10_000)
        c.dispose()
      }),
    )
    // 4) 500 shared: two leases on one socket, both released, the linger runs out.
    await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        const url = server.url(`/shared/${i}`)
        const a = acquireShared(url, options, 20)
        const b = acquireShared(url, options, 20)
        expect(b.connection).toBe(a.connection)
        await once(a.connection, 'open', 10_000)
        a.release()
        b.release()
      }),
    )
    await waitFor(() => sharedConnectionCount() === 0, 10_000, 'the lingering sockets to go')
    const cycles = created - createdBefore
    const took = performance.now() - start

    await waitFor(() => closed === created, 20_000, 'every socket to close')
    await waitFor(() => server.open === 0, 20_000, 'the server to see every client go')
    const settled = (now: Record<string, number>) =>
      Object.entries(now).every(([kind, count]) => count <= (resourcesBefore[kind] ?? 0))
    // Socket teardown is asynchronous: wait (bounded) for the handles to go, then check.
    await waitFor(() => settled(activeResources()), 10_000, 'the handles to go').catch(() => {})
    const resourcesAfter = activeResources()
    await settle()
    gc()
    const heapAfter = process.memoryUsage().heapUsed
    const processListenersAfter = process.eventNames().map((e) => process.listenerCount(e))
    const growth = heapAfter - heapBefore

    console.log(
      [
        `create/dispose: ${cycles} cycles in ${took.toFixed(0)} ms (7500 connecting, 1500 open, 500 waiting to retry, 500 shared)`,
        `  sockets created ${created - createdBefore}, closed ${closed - createdBefore}, open on the server ${server.open}`,
        `  active resources before ${JSON.stringify(resourcesBefore)} after ${JSON.stringify(resourcesAfter)}`,
        `  listeners left on released sockets: ${leftListeners}; shared connections ${sharedConnectionCount()}`,
        `  heap ${(heapBefore / 1e6).toFixed(1)} MB -> ${(heapAfter / 1e6).toFixed(1)} MB (${(growth / cycles).toFixed(0)} B per cycle)`,
      ].join('\n'),
    )

    expect(cycles).toBe(10_000)
    expect(closed).toBe(created)
    expect(server.open).toBe(0)
    expect(leftListeners).toBe(0)
    for (const [kind, count] of Object.entries(resourcesAfter)) {
      expect(count, kind).toBeLessThanOrEqual(resourcesBefore[kind] ?? 0)
    }
    expect(processListenersAfter).toEqual(processListenersBefore)
    // A retained socket costs several KB, 10,000 of them tens of MB; what is left is noise
    // (JIT code, vitest's own allocations).
    expect(growth).toBeLessThan(cycles * 500)
  })
})
