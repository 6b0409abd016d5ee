import { type Client, WebSocket as MockWebSocket, Server } from 'mock-socket'
import { afterEach, beforeEach, vi } from 'vitest'
import { type EffectScope, effectScope } from 'vue'

// The compat entry uses the global WebSocket, as VueUse does: here mock-socket's, on fake
// timers (jsdom's own WebSocket does not work under vitest).

let port = 42_000
const servers: Server[] = []
const scopes: EffectScope[] = []

beforeEach(() => {
  vi.useFakeTimers()
  vi.stubGlobal('WebSocket', MockWebSocket)
})

afterEach(() => {
  for (const scope of scopes.splice(0)) scope.stop()
  // Lets a released socket close while the fake clock still runs.
  vi.advanceTimersByTime(5_000)
  for (const server of servers.splice(0)) server.stop()
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

/** A mock-socket server on a url of its own, with what it received and the sockets it accepted. */
export function mockServer(options: { answerPing?: string } = {}) {
  // No trailing slash: the socket must get the url as written.
  const url = `ws://localhost:${++port}`
  const server = new Server(url)
  servers.push(server)
  const clients: Client[] = []
  const received: unknown[] = []
  server.on('connection', (socket) => {
    clients.push(socket)
    socket.on('message', (data) => {
      if (options.answerPing && data === 'ping') socket.send(options.answerPing)
      else received.push(data)
    })
  })
  return {
    url,
    server,
    clients,
    received,
    get last(): Client {
      const client = clients.at(-1)
      if (!client) throw new Error('no client connected')
      return client
    },
  }
}

/** Runs `fn` in an effect scope that the test stops (or that is stopped after it). */
export function inScope<T>(fn: () => T): { api: T; stop: () => void } {
  const scope = effectScope()
  scopes.push(scope)
  const api = scope.run(fn) as T
  return { api, stop: () => scope.stop() }
}

/** A socket whose server is gone, failing as a browser's does: error, then close 1006. */
export class RefusedSocket extends EventTarget {
  readyState = 0
  binaryType = 'blob'
  onerror: ((event: Event) => void) | null = null
  onclose: ((event: CloseEvent) => void) | null = null
  constructor() {
    super()
    setTimeout(() => {
      this.readyState = 3
      this.onerror?.(new Event('error'))
      this.onclose?.(new CloseEvent('close', { code: 1006 }))
    }, 5)
  }
  send() {}
  close() {}
}

/** Lets mock-socket's connect delay (a 4 ms timer) and any microtasks run. */
export const tick = (ms = 10) => vi.advanceTimersByTimeAsync(ms)

export { MockWebSocket }
