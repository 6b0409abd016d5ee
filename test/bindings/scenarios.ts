// The behaviour both bindings must share, written once. Each framework's test file supplies
// a thin `Binding` (mount a component that uses the hook / composable, report what it
// rendered) and runs `describeBehaviour`, so React and Vue cannot drift apart.
import {
  type Connection,
  type ConnectionObserverOptions,
  type ConnectionStatus,
  createConnection,
  type ObserverOptions,
  ReadyState,
  type RequestOptions,
  reliable,
  type SocketObserverOptions,
  type StopInfo,
  type TetheredError,
} from '@tethered/core'
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest'
import { waitFor } from '../support/wait'
import { environment, type ReliableServer } from './environment'
import type { ServerOptions, TestServer } from './server'
import { TIMEOUT } from './timeout'

/** What a `useWebSocket` component rendered. */
export interface SocketState {
  readyState: number
  lastMessage: MessageEvent | null
  lastJsonMessage: unknown
  reconnectAttempt: number
  error: TetheredError | null
  resumed: boolean | null
  status: ConnectionStatus
  stopped: StopInfo | null
}

/** What a `useSocket` component rendered. */
export interface EventState {
  readyState: number
  lastMessage: { type: string; data: unknown } | null
  error: TetheredError | null
  resumed: boolean | null
}

export interface WebSocketApi {
  sendMessage(data: string, keep?: boolean): boolean
  sendJsonMessage(message: unknown, keep?: boolean): boolean
  open(): void
  close(code?: number, reason?: string): void
}

export interface EventApi {
  emit(type: string, data?: unknown): boolean
  request(type: string, data: unknown, options?: RequestOptions): Promise<unknown>
}

/** Loose events, so one scenario can drive both frameworks' typed `useSocket`. */
export type AnyEvents = {
  in: Record<string, unknown>
  out: Record<string, unknown>
  requests: Record<string, { data: unknown; reply: unknown }>
}

/** A mounted component, seen from the outside. */
export interface Mounted<S, A> {
  /** The newest rendered state. */
  readonly state: S
  /** Renders so far (React StrictMode renders twice). */
  readonly renders: number
  readonly api: A
  /** Re-renders the component with a new url. */
  setUrl(url: string | null): Promise<void>
  unmount(): void
}

export interface Binding {
  name: string
  mountWebSocket(
    url: string | null,
    options: ObserverOptions<unknown, unknown>,
  ): Mounted<SocketState, WebSocketApi>
  mountSocket(url: string, options: SocketObserverOptions<AnyEvents>): Mounted<EventState, EventApi>
  /** `useConnection` on a connection made outside the component. */
  mountConnection(
    connection: Connection<unknown, unknown>,
    options: ConnectionObserverOptions<unknown>,
  ): Mounted<SocketState, WebSocketApi>
}

type Listener = () => void

/** What an adapter reports each render to; the scenarios wait on it. */
export interface Probe<S> {
  report(state: S): void
  readonly state: S
  readonly renders: number
  onRender(listener: Listener): () => void
}

export function createProbe<S>(initial: S): Probe<S> {
  let state = initial
  let renders = 0
  const listeners = new Set<Listener>()
  return {
    report(next) {
      state = next
      renders++
      for (const listener of listeners) listener()
    },
    get state() {
      return state
    },
    get renders() {
      return renders
    },
    onRender(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

const probes = new WeakMap<object, Probe<unknown>>()
const mounted = new Set<{ unmount(): void }>()

/**
 * Adapters build what they mount with this: the scenarios read `probe`, and whatever is
 * still mounted is unmounted after each scenario.
 */
export function track<S, A>(
  probe: Probe<S>,
  api: A,
  control: { setUrl(url: string | null): Promise<void>; unmount(): void },
): Mounted<S, A> {
  let live = true
  const m: Mounted<S, A> = {
    get state() {
      return probe.state
    },
    get renders() {
      return probe.renders
    },
    api,
    setUrl: control.setUrl,
    unmount() {
      if (!live) return
      live = false
      mounted.delete(m)
      control.unmount()
    },
  }
  probes.set(m, probe as Probe<unknown>)
  mounted.add(m)
  return m
}

const describeState = (state: unknown) =>
  JSON.stringify(state, (key, value) =>
    key === 'lastMessage' &&
    value &&
    typeof value === 'object' &&
    'data' in value &&
    !('type' in value)
      ? `MessageEvent(${String((value as MessageEvent).data)})`
      : key === 'error' && value
        ? (value as TetheredError).code
        : value,
  )

/** Resolves with the rendered state once `check` holds for it, re-checked at every render. */
function rendered<S>(m: Mounted<S, unknown>, check: (s: S) => boolean, label: string): Promise<S> {
  const probe = probes.get(m) as Probe<S> | undefined
  if (!probe) throw new Error('not mounted through track()')
  return new Promise((resolve, reject) => {
    const test = () => {
      if (!check(probe.state)) return false
      clearTimeout(timer)
      off()
      // In a browser run the servers' state is a copy: bring it up to what the page has seen.
      const state = probe.state
      environment.settle().then(() => resolve(state), reject)
      return true
    }
    const timer = setTimeout(() => {
      off()
      reject(
        new Error(
          `Timed out after ${TIMEOUT} ms waiting for ${label}; last rendered: ${describeState(probe.state)}`,
        ),
      )
    }, TIMEOUT)
    const off = probe.onRender(test)
    test()
  })
}

const isOpen = (s: { readyState: number }) => s.readyState === ReadyState.OPEN
const base = { WebSocket: environment.WebSocket, reconnectInterval: 10 } as const
type Msg = { type: string; n: number }
const json = (s: { lastJsonMessage: unknown }) => s.lastJsonMessage as Msg | null

interface Context {
  binding: Binding
  /** A connection made outside components, as an app's module would; disposed after the scenario. */
  connection: (
    url: string,
    options?: ObserverOptions<unknown, unknown>,
  ) => Connection<unknown, unknown>
  server: (options?: ServerOptions) => Promise<TestServer>
  /** A @tethered/server with reliable delivery on 127.0.0.1 (port 0, or the one given). */
  reliableServer: (port?: number) => Promise<{ server: ReliableServer; url: string }>
}

interface Scenario {
  name: string
  run(ctx: Context): Promise<void>
}

const sayOf = (n: number) => ({ type: 'say', data: n })
const newsOf = (s: { lastJsonMessage: unknown }) =>
  (s.lastJsonMessage as { type: string; data: number } | null)?.data

export const scenarios: Scenario[] = [
  {
    name: 'reliable delivery, shared: one session for two components; a dropped socket resumes, nothing lost or doubled',
    async run({ binding, reliableServer }) {
      const { server, url } = await reliableServer()
      const got: number[] = []
      server.on('connection', (client) => client.on('say', (n) => got.push(n)))
      const seen: number[] = []
      const options = { ...base, share: true, linger: 20, delivery: reliable }
      const a = binding.mountWebSocket(url, {
        ...options,
        onMessage: (_e, json) => seen.push((json as { data: number }).data),
      })
      const b = binding.mountWebSocket(url, options)
      await rendered(a, isOpen, 'a OPEN')
      await rendered(b, isOpen, 'b OPEN')
      // A first connection is neither resumed nor not.
      expect(a.state.resumed).toBeNull()
      a.api.sendJsonMessage(sayOf(1))
      server.broadcast('news', 1)
      await rendered(b, (s) => newsOf(s) === 1, 'b renders news 1')
      // Dropped from the server's side; what both ends send meanwhile is kept.
      for (const client of server.clients.values()) client.terminate()
      b.api.sendJsonMessage(sayOf(2))
      server.broadcast('news', 2)
      await rendered(a, (s) => s.resumed === true && isOpen(s), 'a resumed')
      await rendered(b, (s) => s.resumed === true && newsOf(s) === 2, 'b resumed, with news 2')
      await waitFor(() => got.length >= 2 && seen.length >= 2, TIMEOUT, 'both messages each way')
      expect(got).toEqual([1, 2])
      expect(seen).toEqual([1, 2])
      // React renders under StrictMode: still one socket, one session, resumed once.
      expect(server.stats.connectionsTotal).toBe(2)
      expect(server.stats.sessions).toMatchObject({ started: 1, resumed: 1 })
    },
  },
  {
    name: 'reliable delivery, useSocket: a restarted server is rendered as resumed: false',
    async run({ binding, reliableServer }) {
      const first = await reliableServer()
      const got: number[] = []
      first.server.on('connection', (client) => client.on('say', (n) => got.push(n)))
      const m = binding.mountSocket(first.url, { ...base, delivery: reliable, types: ['news'] })
      await rendered(m, isOpen, 'OPEN')
      expect(m.state.resumed).toBeNull()
      m.api.emit('say', 1)
      await waitFor(() => got.length === 1, TIMEOUT, 'the first emit')
      const port = first.server.address()?.port
      // Graceful shutdown: 1001, which the client retries.
      await first.server.close()
      const next = await reliableServer(port)
      next.server.on('connection', (client) => client.on('say', (n) => got.push(n)))
      await rendered(m, (s) => s.resumed === false && isOpen(s), 'resumed: false')
      m.api.emit('say', 2)
      next.server.broadcast('news', 3)
      await rendered(m, (s) => s.lastMessage?.data === 3, 'news from the new server')
      await waitFor(() => got.length === 2, TIMEOUT, 'the second emit')
      expect(got).toEqual([1, 2])
    },
  },
  {
    name: 'opens one socket, renders messages, sends, and closes on unmount',
    async run({ binding, server: start }) {
      const server = await start()
      const m = binding.mountWebSocket(server.url(), base)
      await rendered(m, isOpen, 'OPEN')
      server.send('{"type":"a","n":1}')
      await rendered(m, (s) => json(s)?.n === 1, 'the message')
      expect(m.state.lastMessage?.data).toBe('{"type":"a","n":1}')
      expect(m.api.sendJsonMessage({ type: 'b', n: 2 })).toBe(true)
      await server.until(() => server.received.length === 1, 'the send')
      // React renders under StrictMode (mount, unmount, mount): still one socket.
      expect(server.sockets).toHaveLength(1)
      m.unmount()
      await server.until(() => server.open === 0, 'the close after unmount')
      expect(server.sockets).toHaveLength(1)
    },
  },
  {
    name: 'close() stays closed, open() reconnects, a dropped socket is reconnected',
    async run({ binding, server: start }) {
      const server = await start()
      // Slow enough a retry for the scheduled attempt to be rendered.
      const m = binding.mountWebSocket(server.url(), { ...base, reconnectInterval: 150 })
      await rendered(m, isOpen, 'OPEN')
      m.api.close()
      const closed = await rendered(m, (s) => s.readyState === ReadyState.CLOSED, 'CLOSED')
      expect(closed.reconnectAttempt).toBe(0)
      await server.until(() => server.open === 0, 'the server side to close')
      m.api.open()
      await rendered(m, isOpen, 'OPEN after open()')
      expect(server.sockets).toHaveLength(2)
      server.sockets[1]?.terminate()
      await rendered(m, (s) => s.reconnectAttempt === 1, 'the retry')
      await rendered(m, isOpen, 'OPEN after the drop')
      expect(server.sockets).toHaveLength(3)
    },
  },
  {
    name: 'status: offline while the network is gone, open again when it returns; a policy stop says why',
    async run({ binding, server: start }) {
      const server = await start()
      let online = true
      const onLine = vi.spyOn(navigator, 'onLine', 'get').mockImplementation(() => online)
      try {
        const m = binding.mountWebSocket(server.url(), base)
        await rendered(m, (s) => s.status === 'open', 'open')
        online = false
        window.dispatchEvent(new Event('offline'))
        server.sockets[0]?.terminate()
        const offline = await rendered(m, (s) => s.status === 'offline', 'offline')
        expect(offline).toMatchObject({ readyState: ReadyState.CLOSED, stopped: null })
        online = true
        window.dispatchEvent(new Event('online'))
        await rendered(m, (s) => s.status === 'open', 'open once online')
        expect(server.sockets).toHaveLength(2)
        server.sockets[1]?.close(4003, 'forbidden')
        const stopped = await rendered(m, (s) => s.status === 'stopped', 'stopped')
        expect(stopped).toMatchObject({
          readyState: ReadyState.CLOSED,
          stopped: { reason: 'policy', code: 4003 },
        })
      } finally {
        onLine.mockRestore()
      }
    },
  },
  {
    name: 'a page shown again retries at once rather than waiting out the backoff',
    async run({ binding, server: start }) {
      const server = await start()
      let visibility: DocumentVisibilityState = 'visible'
      const spies = [
        vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility),
        vi.spyOn(document, 'hidden', 'get').mockImplementation(() => visibility === 'hidden'),
      ]
      try {
        // A retry a minute away: only the page coming back can bring it forward.
        const m = binding.mountWebSocket(server.url(), { ...base, reconnectInterval: 60_000 })
        await rendered(m, isOpen, 'OPEN')
        visibility = 'hidden'
        document.dispatchEvent(new Event('visibilitychange'))
        server.sockets[0]?.terminate()
        await rendered(m, (s) => s.status === 'reconnecting', 'waiting to retry')
        visibility = 'visible'
        document.dispatchEvent(new Event('visibilitychange'))
        await rendered(m, isOpen, 'OPEN once visible')
        expect(server.sockets).toHaveLength(2)
      } finally {
        for (const spy of spies) spy.mockRestore()
      }
    },
  },
  {
    name: 'close codes as the socket reports them: 1006 for a dropped connection, the code and reason the server sent',
    async run({ binding, server: start }) {
      const server = await start()
      const closes: { code: number; reason: string; wasClean: boolean }[] = []
      const m = binding.mountWebSocket(server.url(), {
        ...base,
        onClose: ({ code, reason, wasClean }) => closes.push({ code, reason, wasClean }),
      })
      await rendered(m, isOpen, 'OPEN')
      server.sockets[0]?.terminate()
      await server.until(() => server.sockets.length === 2, 'the reconnect')
      server.sockets[1]?.close(4003, 'forbidden')
      await rendered(m, (s) => s.status === 'stopped', 'stopped')
      expect(closes).toEqual([
        { code: 1006, reason: '', wasClean: false },
        { code: 4003, reason: 'forbidden', wasClean: true },
      ])
    },
  },
  {
    name: 'a flood renders at most once a display frame, and onMessage sees every message',
    async run({ binding, server: start }) {
      const server = await start()
      let seen = 0
      const m = binding.mountWebSocket(server.url(), { ...base, onMessage: () => seen++ })
      await rendered(m, isOpen, 'OPEN')
      const before = m.renders
      // The page's own frames while the flood arrives (a browser delivers each message in a
      // task of its own, so only frame batching keeps this to a few renders).
      let frames = 0
      let counting = true
      const frame = () => {
        if (!counting) return
        frames++
        requestAnimationFrame(frame)
      }
      requestAnimationFrame(frame)
      for (let n = 1; n <= 300; n++) server.send(JSON.stringify({ type: 'f', n }))
      await rendered(m, (s) => json(s)?.n === 300, 'the last message')
      counting = false
      expect(seen).toBe(300)
      // A render per frame at most, plus the one in flight; React renders twice (StrictMode).
      expect(m.renders - before).toBeLessThanOrEqual(2 * (frames + 1))
    },
  },
  {
    name: 'share: a component mounting on a socket the server closed for good opens it again, for everyone on it',
    async run({ binding, server: start }) {
      const server = await start()
      const options = { ...base, share: true, linger: 20 }
      const a = binding.mountWebSocket(server.url(), options)
      await rendered(a, isOpen, 'a OPEN')
      // 1000 from the server: the close policy does not retry it.
      server.sockets[0]?.close(1000, 'done')
      await rendered(a, (s) => s.status === 'stopped', 'a stopped')
      const b = binding.mountWebSocket(server.url(), options)
      await rendered(b, isOpen, 'b OPEN')
      await rendered(a, isOpen, 'a OPEN again')
      expect(server.sockets).toHaveLength(2)
      expect(server.open).toBe(1)
    },
  },
  {
    name: 'a remount keeps the shared socket: one server connection',
    async run({ binding, server: start }) {
      const server = await start()
      const options = { ...base, share: true, linger: 300 }
      const first = binding.mountWebSocket(server.url(), options)
      await rendered(first, isOpen, 'OPEN')
      first.unmount()
      const again = binding.mountWebSocket(server.url(), options)
      await rendered(again, isOpen, 'OPEN after the remount')
      server.send('{"type":"a","n":1}')
      await rendered(again, (s) => json(s)?.n === 1, 'a message on the same socket')
      expect(server.sockets).toHaveLength(1)
      expect(server.open).toBe(1)
    },
  },
  {
    name: 'share: one socket for two components, closed once the last leaves',
    async run({ binding, server: start }) {
      const server = await start()
      const options = { ...base, share: true, linger: 20 }
      const a = binding.mountWebSocket(server.url(), options)
      const b = binding.mountWebSocket(server.url(), options)
      await rendered(a, isOpen, 'a OPEN')
      await rendered(b, isOpen, 'b OPEN')
      expect(server.sockets).toHaveLength(1)
      server.send('{"type":"x","n":1}')
      await rendered(a, (s) => json(s)?.n === 1, 'a gets it')
      await rendered(b, (s) => json(s)?.n === 1, 'b gets it')
      a.unmount()
      server.send('{"type":"x","n":2}')
      await rendered(b, (s) => json(s)?.n === 2, 'b still gets messages')
      b.unmount()
      await server.until(() => server.open === 0, 'the close after the linger')
      expect(server.sockets).toHaveLength(1)
    },
  },
  {
    name: 'filter: a component renders only for its messages; onMessage sees every one',
    async run({ binding, server: start }) {
      const server = await start()
      const seen = { a: 0, b: 0 }
      const widget = (type: 'a' | 'b') =>
        binding.mountWebSocket(server.url(), {
          ...base,
          share: true,
          filter: (_event, data) => (data as Msg | undefined)?.type === type,
          onMessage: () => seen[type]++,
        })
      const a = widget('a')
      const b = widget('b')
      await rendered(a, isOpen, 'a OPEN')
      await rendered(b, isOpen, 'b OPEN')
      server.send('{"type":"b","n":0}')
      await rendered(b, (s) => json(s)?.n === 0, 'b gets its message')
      // Past any render still scheduled for b's message.
      await rendered(a, (s) => a.renders > 0 && isOpen(s), 'a settled')
      const bRenders = b.renders
      for (let n = 1; n <= 100; n++) server.send(JSON.stringify({ type: 'a', n }))
      await rendered(a, (s) => json(s)?.n === 100, 'a gets its last message')
      server.send('{"type":"b","n":101}')
      await rendered(b, (s) => json(s)?.n === 101, 'b gets its next message')
      // b rendered for its own message only (twice under StrictMode), never for a's 100.
      expect(b.renders - bRenders).toBeLessThanOrEqual(2)
      expect(seen).toEqual({ a: 102, b: 102 })
      expect(a.renders).toBeLessThan(100)
    },
  },
  {
    name: 'a new url reconnects to it; null closes',
    async run({ binding, server: start }) {
      const server = await start()
      const m = binding.mountWebSocket(server.url('/a'), base)
      await rendered(m, isOpen, 'OPEN on /a')
      await m.setUrl(server.url('/b'))
      await server.until(() => server.paths.includes('/b') && server.open === 1, 'the move to /b')
      await rendered(m, isOpen, 'OPEN on /b')
      expect(server.paths).toEqual(['/a', '/b'])
      await m.setUrl(null)
      await rendered(m, (s) => s.readyState === ReadyState.UNINSTANTIATED, 'UNINSTANTIATED')
      await server.until(() => server.open === 0, 'the close on null')
      expect(m.api.sendMessage('lost')).toBe(false)
    },
  },
  {
    name: 'heartbeat death: a silent socket is abandoned and replaced; a live one is kept',
    async run({ binding, server: start }) {
      // The first socket never answers probes (a black hole); later ones do.
      const server = await start({ pong: (n) => n > 0 })
      const heartbeat = { interval: 60, timeout: 80 }
      const m = binding.mountWebSocket(server.url(), { ...base, heartbeat })
      await rendered(
        m,
        (s) => s.error?.code === 'HEARTBEAT_TIMEOUT' && isOpen(s),
        'the death and a new OPEN socket',
      )
      expect(server.sockets).toHaveLength(2)
      // Three answered rounds on the new socket, and it is still the only new one.
      await server.until(() => (server.pings[1] ?? 0) >= 3, 'three probes on the second socket')
      expect(server.sockets).toHaveLength(2)
      expect(m.state.readyState).toBe(ReadyState.OPEN)
    },
  },
  {
    name: 'queue: sends made while connecting go out in order, after the onOpen message',
    async run({ binding, server: start }) {
      const server = await start()
      let api: WebSocketApi | undefined
      const m = binding.mountWebSocket(server.url(), {
        ...base,
        onOpen: () => api?.sendJsonMessage({ auth: 'token' }),
      })
      api = m.api
      expect(m.state.readyState).not.toBe(ReadyState.OPEN)
      expect(api.sendJsonMessage({ n: 1 })).toBe(false)
      expect(api.sendMessage('two')).toBe(false)
      expect(api.sendJsonMessage({ n: 3 })).toBe(false)
      await server.until(() => server.received.length === 4, 'four messages')
      expect(server.received).toEqual(['{"auth":"token"}', '{"n":1}', 'two', '{"n":3}'])
    },
  },
  {
    name: 'parse failure: lastMessage moves, lastJsonMessage stays, the error is reported',
    async run({ binding, server: start }) {
      const server = await start()
      const errors: string[] = []
      const m = binding.mountWebSocket(server.url(), {
        ...base,
        onError: (e) => errors.push(e.code),
      })
      await rendered(m, isOpen, 'OPEN')
      server.send('{"type":"ok","n":1}')
      await rendered(m, (s) => json(s)?.n === 1, 'the JSON message')
      server.send('{not json')
      const s = await rendered(m, (s) => s.lastMessage?.data === '{not json', 'the bad message')
      expect(s.lastJsonMessage).toEqual({ type: 'ok', n: 1 })
      expect(s.error?.code).toBe('PARSE')
      expect(errors).toEqual(['PARSE'])
    },
  },
  {
    name: 'useConnection: components bind a connection made outside them, each with its own filter and onMessage; unmounting never closes it',
    async run({ binding, server: start, connection }) {
      const server = await start()
      const c = connection(server.url())
      const seen = { a: 0, b: 0 }
      const widget = (type: 'a' | 'b') =>
        binding.mountConnection(c, {
          filter: (_event, data) => (data as Msg | undefined)?.type === type,
          onMessage: () => seen[type]++,
        })
      const a = widget('a')
      const b = widget('b')
      await rendered(a, isOpen, 'a OPEN')
      await rendered(b, isOpen, 'b OPEN')
      server.send('{"type":"b","n":1}')
      await rendered(b, (s) => json(s)?.n === 1, 'b gets its message')
      expect(a.state.lastJsonMessage).toBeNull()
      expect(a.api.sendJsonMessage({ from: 'a' })).toBe(true)
      await server.until(() => server.received.includes('{"from":"a"}'), 'the send')
      a.unmount()
      b.unmount()
      // Still open, and the components' handlers are gone: a message reaches only the connection.
      server.send('{"type":"a","n":2}')
      await waitFor(() => json(c.getSnapshot())?.n === 2, TIMEOUT, 'the connection gets n: 2')
      expect(seen).toEqual({ a: 1, b: 1 })
      expect(c.sendMessage('still here')).toBe(true)
      await server.until(() => server.received.includes('still here'), 'a send after unmount')
      // React renders under StrictMode (mount, unmount, mount): still the one socket.
      expect(server.sockets).toHaveLength(1)
      expect(server.open).toBe(1)
    },
  },
  {
    name: 'useConnection: mounting does not connect it; open() and close() act on the connection, for every component on it',
    async run({ binding, server: start, connection }) {
      const server = await start()
      const c = connection(server.url(), { connect: false })
      const a = binding.mountConnection(c, {})
      const b = binding.mountConnection(c, {})
      await rendered(a, (s) => s.status === 'idle', 'a idle')
      expect(server.sockets).toHaveLength(0)
      a.api.open()
      await rendered(b, isOpen, 'b OPEN after a opened it')
      b.api.close(4000, 'bye')
      const stopped = await rendered(a, (s) => s.status === 'stopped', 'a stopped')
      expect(stopped.stopped).toEqual({ reason: 'manual', code: 4000 })
      await server.until(() => server.open === 0, 'the close')
      expect(server.sockets).toHaveLength(1)
    },
  },
  {
    name: 'useSocket: a reply resolves its request, a missing one times out',
    async run({ binding, server: start }) {
      const server = await start({
        onMessage(socket, text) {
          const { type, id, data } = JSON.parse(text) as {
            type: string
            id?: number
            data?: unknown
          }
          if (type === 'echo') socket.send(JSON.stringify({ type, id, data }))
        },
      })
      const m = binding.mountSocket(server.url(), { ...base, types: ['news'] })
      await rendered(m, isOpen, 'OPEN')
      await expect(m.api.request('echo', { x: 1 }, { timeout: 2_000 })).resolves.toEqual({ x: 1 })
      const started = Date.now()
      await expect(m.api.request('silent', null, { timeout: 60 })).rejects.toMatchObject({
        code: 'REQUEST_TIMEOUT',
      })
      expect(Date.now() - started).toBeGreaterThanOrEqual(50)
      // Replies are no events, and only `news` moves lastMessage.
      server.send('{"type":"other","data":1}')
      server.send('{"type":"news","data":"hi"}')
      const s = await rendered(m, (s) => s.lastMessage !== null, 'the news event')
      expect(s.lastMessage).toEqual({ type: 'news', data: 'hi' })
      expect(m.api.emit('hello', { to: 'all' })).toBe(true)
      await server.until(
        () => server.received.includes('{"type":"hello","data":{"to":"all"}}'),
        'the emit',
      )
    },
  },
]

/** Runs every scenario through `binding`; no console warning or error may appear. */
export function describeBehaviour(binding: Binding): void {
  describe(`behaviour suite: ${binding.name}, ${environment.name}`, () => {
    const servers: TestServer[] = []
    let spies: MockInstance[] = []

    const reliableServers: ReliableServer[] = []
    const connections: Connection<unknown, unknown>[] = []

    beforeEach(() => {
      spies = [vi.spyOn(console, 'error'), vi.spyOn(console, 'warn')]
    })

    afterEach(async () => {
      for (const m of [...mounted]) m.unmount()
      for (const c of connections.splice(0)) c.dispose()
      await Promise.all(servers.splice(0).map((s) => s.close()))
      await Promise.all(reliableServers.splice(0).map((s) => s.close({ timeout: 500 })))
      // What failed where nobody awaited it (a browser run's calls into Node).
      await environment.settle()
      const output = spies.flatMap((spy) =>
        spy.mock.calls.map((args) => args.map(String).join(' ')),
      )
      for (const spy of spies) spy.mockRestore()
      expect(output).toEqual([])
    })

    const server = async (options?: ServerOptions) => {
      const s = await environment.startServer(options)
      servers.push(s)
      return s
    }

    const reliableServer = async (port = 0) => {
      const s = await environment.startReliableServer(port)
      reliableServers.push(s.server)
      return s
    }

    const connection = (url: string, options: ObserverOptions<unknown, unknown> = {}) => {
      const c = createConnection(url, { ...base, ...options })
      connections.push(c)
      return c
    }

    for (const scenario of scenarios) {
      it(scenario.name, () => scenario.run({ binding, server, reliableServer, connection }))
    }
  })
}
