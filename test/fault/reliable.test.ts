// Reliable delivery end to end: the @tethered/core client and @tethered/server, through the
// loopback TCP proxy that black-holes, cuts and refuses. Each test counts what arrived on
// both sides: nothing lost, nothing doubled, in order.
import {
  type Connection,
  type ConnectionOptions,
  createConnection,
  reliable,
  type SessionInfo,
} from '@tethered/core'
import {
  type Client,
  type ClientCloseInfo,
  createSocketServer,
  type SocketServer,
  type SocketServerOptions,
} from '@tethered/server'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { MARGIN, once } from '../support/core-helpers'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy'
import { nextEvent, waitFor } from '../support/wait'

type Bulk = { n: number; pad: string }
type Events = { in: { news: number; blob: string; bulk: Bulk }; out: { say: number; bulk: Bulk } }
type Server = SocketServer<Events>

const HOLE = 3_000
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i)
const say = (n: number) => JSON.stringify({ type: 'say', data: n })
/** The number a `news` (its data) or `bulk` (its `n`) message carries. */
const newsOf = (event: MessageEvent): number => {
  const { data } = JSON.parse(String(event.data)) as { data: number | Bulk }
  return typeof data === 'number' ? data : data.n
}

const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

async function startServer(
  options: Omit<SocketServerOptions, 'port' | 'host' | 'server' | 'noServer'> = {},
  port = 0,
): Promise<{ server: Server; port: number }> {
  const server = createSocketServer<Events>({
    port,
    host: '127.0.0.1',
    delivery: 'reliable',
    ...options,
  })
  cleanups.push(() => server.close({ timeout: 500 }))
  await server.ready
  return { server, port: server.address()?.port ?? 0 }
}

async function proxyTo(port: number): Promise<TcpProxy> {
  const proxy = await startTcpProxy(port)
  cleanups.push(() => proxy.close())
  return proxy
}

function connect(
  proxy: TcpProxy,
  options: ConnectionOptions<unknown, string> = {},
): Connection<unknown, string> {
  const c = createConnection<unknown, string>(proxy.url(), {
    WebSocket,
    delivery: reliable,
    // The client notices a black hole within 400 ms, and an attempt held by one fails in 600.
    heartbeat: { interval: 200, timeout: 200 },
    connectTimeout: 600,
    reconnectInterval: 100,
    parse: false,
    ...options,
  })
  cleanups.push(() => c.dispose())
  return c
}

/** The next `session` event (the welcome); `resumed` is null on the first one. */
const welcomed = (c: Connection<unknown, string>, timeout = 5_000) =>
  once(c, 'session', timeout).then(([info]) => info)

/** Calls `step(n)` for n = 1..count, one every `ms`: traffic spread over a fault. */
function paced(count: number, ms: number, step: (n: number) => void): Promise<void> {
  return new Promise((resolve) => {
    let n = 0
    const timer = setInterval(() => {
      step(++n)
      if (n === count) {
        clearInterval(timer)
        resolve()
      }
    }, ms)
  })
}

/** Sends a last message each way and waits for both: whatever was doubled would be in by then. */
async function settle(
  server: Server,
  c: Connection<unknown, string>,
  got: number[],
  received: number[],
  n: number,
) {
  c.sendMessage(say(n))
  server.broadcast('news', n)
  await waitFor(() => got.includes(n) && received.includes(n), 5_000, `the marker ${n}`)
}

describe('reliable delivery through faults', () => {
  it('50 client sends during a 3 s black hole: the handler sees 50, once each, in order', async () => {
    // Sweeps every 30 s (the default): the client's heartbeat is what notices the hole.
    const { server, port } = await startServer()
    const proxy = await proxyTo(port)
    const got: number[] = []
    server.on('connection', (client) => client.on('say', (n) => got.push(n)))
    const received: number[] = []
    const c = connect(proxy, { onMessage: (e) => received.push(newsOf(e)) })
    const errors: string[] = []
    c.on('error', (e) => errors.push(e.code))
    expect((await welcomed(c)).resumed).toBeNull()
    const died = once(c, 'close', HOLE)
    const back = once(c, 'session', HOLE + 10_000)
    const holeAt = performance.now()
    proxy.blackhole(true)
    await paced(50, HOLE / 50, (n) => c.sendMessage(say(n)))
    const [closeInfo] = await died
    expect(closeInfo.code).toBe(1006)
    proxy.blackhole(false)
    const [session] = await back
    const recovered = performance.now() - holeAt
    await waitFor(() => got.length >= 50, 10_000, '50 messages at the server')
    await settle(server, c, got, received, 51)
    console.log(
      `reliable, 50 sends into a ${HOLE} ms black hole: delivered ${got.length - 1}, resumed ${String(session.resumed)} ${recovered.toFixed(0)} ms after the hole opened; server sessions ${JSON.stringify(server.stats.sessions)}`,
    )
    // The heartbeat declared the socket dead; later attempts, held by the hole, timed out.
    expect(errors[0]).toBe('HEARTBEAT_TIMEOUT')
    expect(session.resumed).toBe(true)
    expect(got).toEqual(range(1, 51))
    expect(received).toEqual([51])
    expect(server.stats.sessions).toMatchObject({ active: 1, started: 1, notResumed: 0 })
  })

  it('50 server broadcasts during a 3 s black hole: onMessage sees 50, once each, in order', async () => {
    // This time the server's ping sweeps (every 500 ms) notice the hole, not the client (no
    // heartbeat): what the server sends after that is kept for the away session.
    const { server, port } = await startServer({ heartbeat: { interval: 500 } })
    const proxy = await proxyTo(port)
    const got: number[] = []
    server.on('connection', (client) => client.on('say', (n) => got.push(n)))
    const received: number[] = []
    const c = connect(proxy, { heartbeat: false, onMessage: (e) => received.push(newsOf(e)) })
    await welcomed(c)
    const back = once(c, 'session', HOLE + 10_000)
    proxy.blackhole(true)
    await paced(50, HOLE / 50, (n) => server.broadcast('news', n))
    const detached = server.stats.sessions.detached
    proxy.blackhole(false)
    const [session] = await back
    await waitFor(() => received.length >= 50, 10_000, '50 messages at the client')
    await settle(server, c, got, received, 51)
    console.log(
      `reliable, 50 broadcasts into a ${HOLE} ms black hole: delivered ${received.length - 1}, ${server.stats.sessions.replayed} replayed; server sessions ${JSON.stringify(server.stats.sessions)}`,
    )
    // The sweep had terminated the dead socket: the last of the 50 went to a detached session.
    expect(detached).toBe(1)
    expect(server.stats.terminations).toBeGreaterThanOrEqual(1)
    expect(session.resumed).toBe(true)
    expect(received).toEqual(range(1, 51))
    expect(got).toEqual([51])
  })

  it('cuts in the middle of a burst of 1,000 messages each way: nothing lost, nothing doubled', async () => {
    // 1 KB each, 1 MB each way: enough that the cuts catch data in flight in both directions.
    const pad = 'x'.repeat(1_000)
    const { server, port } = await startServer({
      // 1,000 messages plus what is sent again after a cut would go over the default rate limit.
      rateLimit: false,
      // Room for the burst and the marker while acks are lost in the cuts.
      delivery: { reliable: { bufferSize: 2_000 } },
    })
    const proxy = await proxyTo(port)
    const got: number[] = []
    const received: number[] = []
    const cuts: Array<{ by: string; got: number; received: number }> = []
    const cut = (by: string) => {
      cuts.push({ by, got: got.length, received: received.length })
      proxy.cut()
    }
    server.on('connection', (client) => {
      client.on('bulk', ({ n }) => {
        got.push(n)
        if (got.length === 500) cut('server')
      })
      client.on('say', (n) => got.push(n))
    })
    const c = connect(proxy, {
      queueSize: 2_000,
      onMessage: (e) => {
        received.push(newsOf(e))
        if (received.length === 500) cut('client')
      },
    })
    await welcomed(c)
    const errors: string[] = []
    c.on('error', (e) => errors.push(e.code))
    for (let n = 1; n <= 1_000; n++)
      c.sendMessage(JSON.stringify({ type: 'bulk', data: { n, pad } }))
    for (let n = 1; n <= 1_000; n++) server.broadcast('bulk', { n, pad })
    await waitFor(
      () => got.length >= 1_000 && received.length >= 1_000,
      15_000,
      '1,000 messages each way',
    )
    await settle(server, c, got, received, 1_001)
    console.log(
      `reliable, 1,000 each way with cuts at ${JSON.stringify(cuts)}: server got ${got.length - 1}, client got ${received.length - 1}; server sessions ${JSON.stringify(server.stats.sessions)}`,
    )
    expect(cuts.map((x) => x.by).sort()).toEqual(['client', 'server'])
    for (const x of cuts) expect(Math.min(x.got, x.received)).toBeLessThan(1_000)
    expect(server.stats.sessions.resumed).toBeGreaterThanOrEqual(1)
    expect(errors.filter((code) => code === 'QUEUE_OVERFLOW')).toEqual([])
    expect(server.stats.sessions.evicted).toBe(0)
    expect(server.stats.drops).toBe(0)
    expect(got).toEqual(range(1, 1_001))
    expect(received).toEqual(range(1, 1_001))
  })

  it('a session expired while the client was away: it is told, and nothing is replayed twice', async () => {
    const { server, port } = await startServer({ delivery: { reliable: { maxAge: 500 } } })
    const proxy = await proxyTo(port)
    const got: number[] = []
    server.on('connection', (client) => client.on('say', (n) => got.push(n)))
    const received: number[] = []
    const c = connect(proxy, { onMessage: (e) => received.push(newsOf(e)) })
    await welcomed(c)
    // The server's ack of the client's five messages, seen on the wire.
    const ws = c.getWebSocket() as unknown as WebSocket
    const acked = nextEvent<[Buffer]>(
      (handler) => {
        ws.on('message', handler)
        return () => ws.off('message', handler)
      },
      2_000,
      'the ack of 5',
      (data) => data.toString() === 'a:5',
    )
    for (let n = 1; n <= 5; n++) c.sendMessage(say(n))
    for (let n = 1; n <= 5; n++) server.broadcast('news', n)
    await acked
    await waitFor(
      () => received.length === 5 && server.stats.sessions.buffered === 0,
      2_000,
      "the client's ack",
    )
    // Away for longer than maxAge: every attempt is refused.
    proxy.refuse(true)
    proxy.cut()
    await waitFor(() => server.stats.sessions.expired === 1, 5_000, 'the expiry')
    expect(server.stats.sessions).toMatchObject({ active: 0, buffered: 0, bufferedBytes: 0 })
    const back = welcomed(c, 5_000)
    proxy.refuse(false)
    const session: SessionInfo = await back
    expect(session.resumed).toBe(false)
    expect(c.getSnapshot().resumed).toBe(false)
    await settle(server, c, got, received, 6)
    expect(got).toEqual(range(1, 6))
    expect(received).toEqual(range(1, 6))
    expect(server.stats.sessions).toMatchObject({ notResumed: 1, replayed: 0, duplicates: 0 })
  })

  it('a server restart (1001): the client is told, what it sent meanwhile arrives once, nothing is replayed', async () => {
    const first = await startServer()
    const proxy = await proxyTo(first.port)
    const got: number[] = []
    first.server.on('connection', (client) => client.on('say', (n) => got.push(n)))
    const received: number[] = []
    const c = connect(proxy, { onMessage: (e) => received.push(newsOf(e)) })
    await welcomed(c)
    for (let n = 1; n <= 5; n++) c.sendMessage(say(n))
    for (let n = 1; n <= 5; n++) first.server.broadcast('news', n)
    await waitFor(() => got.length === 5 && received.length === 5, 2_000, 'five each way')
    const closed = once(c, 'close', 2_000)
    await first.server.close()
    const [info] = await closed
    expect(info.code).toBe(1001)
    // Down: the client keeps these until a server acknowledges them.
    for (let n = 6; n <= 10; n++) c.sendMessage(say(n))
    const back = welcomed(c, 10_000)
    const next = await startServer({}, first.port)
    next.server.on('connection', (client) => client.on('say', (n) => got.push(n)))
    expect((await back).resumed).toBe(false)
    await settle(next.server, c, got, received, 11)
    expect(got).toEqual(range(1, 11))
    expect(received).toEqual([1, 2, 3, 4, 5, 11])
  })

  it('bounded memory: a client that never comes back costs at most bufferSize messages, released at expiry', async () => {
    const bufferSize = 100
    const maxAge = 1_000
    const { server, port } = await startServer({
      heartbeat: { interval: 200 },
      delivery: { reliable: { bufferSize, maxAge } },
    })
    const proxy = await proxyTo(port)
    const c = connect(proxy)
    await welcomed(c)
    // The network goes and so does the client, for good; the server only sees silence.
    proxy.blackhole(true)
    c.dispose()
    await waitFor(() => server.stats.sessions.detached === 1, 2_000, 'the sweep to detach it')
    const detachedAt = performance.now()
    const payload = 'x'.repeat(1_000)
    const size = Buffer.byteLength(JSON.stringify({ type: 'blob', data: payload }))
    for (let n = 0; n < 1_000; n++) server.broadcast('blob', payload)
    const held = server.stats.sessions
    expect(held.buffered).toBe(bufferSize)
    expect(held.bufferedBytes).toBe(bufferSize * size)
    const [, closeInfo] = await nextEvent<[Client<Events>, ClientCloseInfo]>(
      (handler) => server.on('disconnect', handler),
      maxAge + 2_000,
      'the expiry',
    )
    const expiredAfter = performance.now() - detachedAt
    console.log(
      `a client that never came back: ${held.buffered} messages (${held.bufferedBytes} bytes) held, released ${expiredAfter.toFixed(0)} ms after it went (maxAge ${maxAge}); close ${closeInfo.code}`,
    )
    expect(expiredAfter).toBeLessThanOrEqual(maxAge + MARGIN)
    expect(server.stats.sessions).toMatchObject({
      active: 0,
      detached: 0,
      buffered: 0,
      bufferedBytes: 0,
      expired: 1,
    })
    expect(server.clients.size).toBe(0)
  })
})
