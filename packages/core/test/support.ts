import { WebSocket as MockWebSocket } from 'mock-socket'
import { afterEach, beforeEach, vi } from 'vitest'
import { mockServer as sharedMockServer } from '../../../test/support/mock-server'
import {
  type Connection,
  type ConnectionOptions,
  createConnection,
  type WebSocketConstructor,
} from '../src'

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

/** The shared mock server (test/support/mock-server.ts), which `refuse` can take away. */
export function mockServer(options: { answerPing?: boolean } = {}) {
  const server = sharedMockServer(
    options.answerPing ? { answer: (data) => (data === 'ping' ? 'pong' : undefined) } : {},
  )
  return Object.assign(server, {
    /** New connections fail (error, then close 1006) until `refuse(false)`. */
    refuse(on = true) {
      if (on) refused.add(server.url)
      else refused.delete(server.url)
    },
  })
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
