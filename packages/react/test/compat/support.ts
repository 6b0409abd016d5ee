import { cleanup } from '@testing-library/react'
import { type Client, WebSocket as MockWebSocket, Server } from 'mock-socket'
import { afterEach, beforeEach, vi } from 'vitest'

// The compat entry uses the global WebSocket, as react-use-websocket does: here mock-socket's,
// on fake timers (jsdom's own WebSocket does not work under vitest).

let port = 43_000
const servers: Server[] = []

beforeEach(() => {
  vi.useFakeTimers()
  vi.stubGlobal('WebSocket', MockWebSocket)
})

afterEach(async () => {
  cleanup()
  // Lets released sockets close while the fake clock still runs.
  await vi.advanceTimersByTimeAsync(5_000)
  for (const server of servers.splice(0)) server.stop()
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

/** A mock-socket server on a url of its own, with what it received and the sockets it accepted. */
export function mockServer(options: { answer?: (data: unknown) => string | undefined } = {}) {
  const url = `ws://localhost:${++port}`
  const server = new Server(url)
  servers.push(server)
  const clients: Client[] = []
  const received: unknown[] = []
  server.on('connection', (socket) => {
    clients.push(socket)
    socket.on('message', (data) => {
      received.push(data)
      const reply = options.answer?.(data)
      if (reply !== undefined) socket.send(reply)
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

/** Lets mock-socket's connect delay (a 4 ms timer), the renders and any microtasks run. */
export const tick = (ms = 10) => vi.advanceTimersByTimeAsync(ms)

export { MockWebSocket }
