import { type Client, WebSocket as MockWebSocket, Server } from 'mock-socket'
import { afterEach, beforeEach, vi } from 'vitest'
import {
  type Connection,
  type ConnectionOptions,
  createConnection,
  type WebSocketConstructor,
} from '../src'

let port = 40_000
const refused = new Set<string>()

/** A socket whose server is gone: it fails the way a browser's does, with error then close 1006. */
class RefusedSocket {
  readyState = 0
  binaryType = 'blob'
  onopen: ((event: never) => void) | null = null
  onmessage: ((event: never) => void) | null = null
  onerror: ((event: { message: string }) => void) | null = null
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null
  constructor() {
    setTimeout(() => {
      this.readyState = 3
      this.onerror?.({ message: 'connect ECONNREFUSED' })
      this.onclose?.({ code: 1006, reason: '', wasClean: false })
    }, 5)
  }
  send() {}
  close() {}
}

/** mock-socket's WebSocket, unless the test has taken the url's server away with `refuse`. */
export const TestSocket = function TestSocket(url: string, protocols?: string | string[]) {
  return refused.has(url) ? new RefusedSocket() : new MockWebSocket(url, protocols)
} as unknown as WebSocketConstructor

/** A mock-socket server on a url of its own, with the sockets it accepted. */
export function mockServer(options: { answerPing?: boolean } = {}) {
  const url = `ws://localhost:${++port}/`
  const server = new Server(url)
  const clients: Client[] = []
  const received: unknown[] = []
  server.on('connection', (socket) => {
    clients.push(socket)
    socket.on('message', (data) => {
      if (options.answerPing && data === 'ping') socket.send('pong')
      else received.push(data)
    })
  })
  return {
    url,
    server,
    /** New connections fail (error, then close 1006) until `refuse(false)`. */
    refuse(on = true) {
      if (on) refused.add(url)
      else refused.delete(url)
    },
    clients,
    received,
    get last(): Client {
      const client = clients.at(-1)
      if (!client) throw new Error('no client connected')
      return client
    },
  }
}

/** Fake timers for every test of the file; connections made by `connect` are disposed after each. */
export function useFakeClock() {
  const made: Connection<never, never>[] = []
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    refused.clear()
    for (const c of made.splice(0)) c.dispose()
    vi.useRealTimers()
  })
  return function connect<In = unknown, Out = unknown>(
    url: Parameters<typeof createConnection>[0],
    options: ConnectionOptions<In, Out> = {},
  ): Connection<In, Out> {
    const c = createConnection<In, Out>(url, { WebSocket: TestSocket, batch: 'sync', ...options })
    made.push(c as Connection<never, never>)
    return c
  }
}

/** Lets mock-socket's connect delay (a 4 ms timer) and any microtasks run. */
export const tick = (ms = 10) => vi.advanceTimersByTimeAsync(ms)
