// The other end is the real Tethered client (@tethered/core with `ws` injected): these tests
// pin down that the two halves agree on heartbeat, close codes, envelopes and replies.
import {
  CloseCode,
  type Connection,
  type ConnectionEvents,
  createConnection,
  createSocketObserver,
  ReadyState,
  type SocketObserver,
} from '@tethered/core'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { RequestError } from '../src/index'
import { nextEvent, onCleanup, start, within } from './helpers'

type Chat = {
  in: { message: { from: string; text: string } }
  out: { message: { text: string } }
  requests: {
    history: { data: { limit: number }; reply: string[] }
    secret: { data: undefined; reply: string }
  }
}

function connection(url: string, options: Parameters<typeof createConnection>[1] = {}): Connection {
  const c = createConnection(url, { WebSocket, batch: 'sync', reconnectInterval: 50, ...options })
  onCleanup(() => c.dispose())
  return c
}

function next<K extends keyof ConnectionEvents<unknown>>(c: Connection, event: K) {
  return within(
    new Promise<Parameters<ConnectionEvents<unknown>[K]>>((resolve) => {
      const off = c.on(event, ((...args: Parameters<ConnectionEvents<unknown>[K]>) => {
        off()
        resolve(args)
      }) as ConnectionEvents<unknown>[K])
    }),
    `client '${event}'`,
  )
}

function observer(url: string, on: Parameters<typeof createSocketObserver<Chat>>[1] = {}) {
  const o = createSocketObserver<Chat>(url, { WebSocket, batch: 'sync', ...on })
  let resolveOpen: (() => void) | undefined
  const open = new Promise<void>((resolve) => {
    resolveOpen = resolve
  })
  const unsubscribe = o.subscribe(() => {
    if (o.getSnapshot().readyState === ReadyState.OPEN) resolveOpen?.()
  })
  onCleanup(() => {
    unsubscribe()
    o.close()
  })
  return { o: o as SocketObserver<Chat>, open: within(open, 'observer open') }
}

describe('with the @tethered/core client as the peer', () => {
  it("answers the client's heartbeat, which the client consumes", async () => {
    const { server, url } = await start()
    const connected = nextEvent(server, 'connection')
    const c = connection(url, { heartbeat: { interval: 30, timeout: 100 } })
    const [client] = await connected
    const errors: unknown[] = []
    c.on('error', (error) => errors.push(error))
    server.on('error', (error) => errors.push(error))
    // Count the probes as they reach the server.
    await within(
      new Promise<void>((resolve) => {
        let pings = 0
        client.socket.on('message', (data) => {
          if (String(data) === 'ping' && ++pings === 3) resolve()
        })
      }),
      'three heartbeats',
    )
    expect(c.getSnapshot()).toMatchObject({
      readyState: ReadyState.OPEN,
      lastMessage: null,
      error: null,
    })
    expect(server.stats.heartbeats).toBeGreaterThanOrEqual(3)
    expect(server.stats.messagesIn).toBe(0)
    expect(errors).toEqual([])
  })

  it('replace: the replaced client stops, it does not fight the new one', async () => {
    const { server, url } = await start({ authenticate: (_req, info) => info.token ?? null })
    const first = connection(url, { queryParams: { token: 'alice' } })
    await next(first, 'open')
    const stopped = next(first, 'reconnect-stop')
    let reconnects = 0
    first.on('reconnecting', () => reconnects++)
    const second = connection(url, { queryParams: { token: 'alice' } })
    await next(second, 'open')
    const [info] = await stopped
    expect(info.reason).toBe('policy')
    expect(info.close?.code).toBe(CloseCode.REPLACED)
    expect(reconnects).toBe(0)
    expect(first.getSnapshot().readyState).toBe(ReadyState.CLOSED)
    expect(second.getSnapshot().readyState).toBe(ReadyState.OPEN)
    expect(server.clients.size).toBe(1)
    expect(server.stats.connectionsTotal).toBe(2)
  })

  it('close(): the client sees 1001 and schedules a reconnect', async () => {
    const { server, url } = await start()
    const c = connection(url, { reconnectInterval: 10_000 })
    await next(c, 'open')
    const closed = next(c, 'close')
    const reconnecting = next(c, 'reconnecting')
    await server.close()
    expect((await closed)[0].code).toBe(CloseCode.GOING_AWAY)
    expect((await reconnecting)[0].attempt).toBe(1)
  })

  it('rate limit: 1008 is a policy close the client does not retry', async () => {
    const { url } = await start({ rateLimit: { messages: 3, interval: 60_000 } })
    const c = connection(url)
    await next(c, 'open')
    const stopped = next(c, 'reconnect-stop')
    for (let i = 0; i < 5; i++) c.sendJsonMessage({ type: 'm' })
    const [info] = await stopped
    expect(info.close?.code).toBe(CloseCode.POLICY_VIOLATION)
  })

  it('maxPayload: 1009 is not retried either', async () => {
    const { url } = await start({ maxPayload: 64 })
    const c = connection(url)
    await next(c, 'open')
    const stopped = next(c, 'reconnect-stop')
    c.sendJsonMessage({ type: 'm', data: 'x'.repeat(100) })
    expect((await stopped)[0].close?.code).toBe(CloseCode.MESSAGE_TOO_BIG)
  })

  it('typed events flow both ways through useSocket’s layer', async () => {
    const { server, url } = await start<Chat>()
    server.on('connection', (client) => {
      client.on('message', ({ text }) =>
        server.broadcast('message', { from: client.id, text: text.toUpperCase() }),
      )
    })
    const got: Array<{ from: string; text: string }> = []
    const { o, open } = observer(url, { on: { message: (data) => got.push(data) } })
    await open
    o.emit('message', { text: 'hello' })
    await within(
      new Promise<void>((resolve) => {
        const off = o.on('message', () => {
          off()
          resolve()
        })
      }),
      'the broadcast',
    )
    expect(got).toEqual([{ from: [...server.clients.keys()][0], text: 'HELLO' }])
  })

  it('requests resolve with the reply, and reject with the error a handler threw', async () => {
    const { server, url } = await start<Chat>()
    server.on('error', () => {})
    server.handle('history', ({ limit }) => {
      if (limit > 10) throw new RequestError('limit too high', 'BAD_LIMIT')
      if (limit < 0) throw new Error('database exploded')
      return Array.from({ length: limit }, (_, i) => `m${i}`)
    })
    const { o, open } = observer(url)
    await open
    await expect(o.request('history', { limit: 2 }, { timeout: 2_000 })).resolves.toEqual([
      'm0',
      'm1',
    ])
    await expect(o.request('history', { limit: 50 }, { timeout: 2_000 })).rejects.toThrow(
      /limit too high/,
    )
    await expect(o.request('history', { limit: -1 }, { timeout: 2_000 })).rejects.toThrow(
      /Internal server error/,
    )
    // No handler: rejected at once, not after the timeout.
    const started = Date.now()
    await expect(o.request('secret', undefined, { timeout: 2_000 })).rejects.toThrow(
      /no handler for request "secret"/,
    )
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(o.getSnapshot().readyState).toBe(ReadyState.OPEN)
  })
})
