// The one mock-socket server of the fake-timer tests (core's engine tests and the compat
// entries'): what it accepted and received, on a url of its own.
import { type Client, Server } from 'mock-socket'

let port = 40_000
const servers: Server[] = []

export interface MockServerOptions {
  /** The reply to a message the server receives; nothing to stay silent. */
  answer?: (data: unknown) => string | undefined
  /** End the url with `/`; `false` when the socket must get the url exactly as written. @default true */
  slash?: boolean
}

export interface MockServer {
  url: string
  server: Server
  /** Sockets accepted, in order. */
  clients: Client[]
  /** Every message received, answered or not, in order. */
  received: unknown[]
  /** The newest socket; throws when none connected. */
  readonly last: Client
}

export function mockServer(options: MockServerOptions = {}): MockServer {
  const url = `ws://localhost:${++port}${options.slash === false ? '' : '/'}`
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
    get last() {
      const client = clients.at(-1)
      if (!client) throw new Error('no client connected')
      return client
    },
  }
}

/** Stops every server made so far, so the next test's sockets find none of them. */
export function stopMockServers(): void {
  for (const server of servers.splice(0)) server.stop()
}
