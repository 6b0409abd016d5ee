import { WebSocket as MockWebSocket } from 'mock-socket'
import { afterEach, beforeEach, vi } from 'vitest'
import { type EffectScope, effectScope } from 'vue'
import {
  mockServer as sharedMockServer,
  stopMockServers,
} from '../../../../test/support/mock-server'

// The compat entry uses the global WebSocket, as VueUse does: here mock-socket's, on fake
// timers (jsdom's own WebSocket does not work under vitest).

const scopes: EffectScope[] = []

beforeEach(() => {
  vi.useFakeTimers()
  vi.stubGlobal('WebSocket', MockWebSocket)
})

afterEach(() => {
  for (const scope of scopes.splice(0)) scope.stop()
  // Lets a released socket close while the fake clock still runs.
  vi.advanceTimersByTime(5_000)
  stopMockServers()
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

/** The shared mock server (test/support/mock-server.ts), on a url written without a slash. */
export const mockServer = (options: { answerPing?: string } = {}) => {
  const reply = options.answerPing
  return sharedMockServer({
    slash: false,
    ...(reply === undefined ? {} : { answer: (data) => (data === 'ping' ? reply : undefined) }),
  })
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
