import { cleanup } from '@testing-library/react'
import { WebSocket as MockWebSocket } from 'mock-socket'
import { afterEach, beforeEach, vi } from 'vitest'
import {
  type MockServerOptions,
  mockServer as sharedMockServer,
  stopMockServers,
} from '../../../../test/support/mock-server'

// The compat entry uses the global WebSocket, as react-use-websocket does: here mock-socket's,
// on fake timers (jsdom's own WebSocket does not work under vitest).

beforeEach(() => {
  vi.useFakeTimers()
  vi.stubGlobal('WebSocket', MockWebSocket)
})

afterEach(async () => {
  cleanup()
  // Lets released sockets close while the fake clock still runs.
  await vi.advanceTimersByTimeAsync(5_000)
  stopMockServers()
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

/** The shared mock server (test/support/mock-server.ts), on a url written without a slash. */
export const mockServer = (options: Pick<MockServerOptions, 'answer'> = {}) =>
  sharedMockServer({ ...options, slash: false })

/** Lets mock-socket's connect delay (a 4 ms timer), the renders and any microtasks run. */
export const tick = (ms = 10) => vi.advanceTimersByTimeAsync(ms)

export { MockWebSocket }
