import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'

export interface Client {
  socket: WebSocket
  request: IncomingMessage
  /** Text messages from this client, in order. */
  received: string[]
  closed: boolean
}

/** A real `ws` server on 127.0.0.1, port 0, that records what happens on it. */
export interface TestServer {
  url: string
  /** Every connection ever accepted, in order. */
  clients: Client[]
  /** Connections still open. */
  open(): Client[]
  /** Every text message from every client. */
  received(): string[]
  broadcast(data: string): void
  /** Resolves once `check` holds, re-checked on every server event; rejects after `timeout` ms. */
  until(check: () => boolean, what: string, timeout?: number): Promise<void>
  close(): Promise<void>
}

export interface ServerOptions {
  /** Answers a client's message; return nothing to stay silent. */
  reply?: (text: string, client: Client) => string | undefined
  /** Called with every new client. */
  onConnection?: (client: Client) => void
}

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    // Accept whatever subprotocol is offered first, so protocol changes can be observed.
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
  })
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve)
    wss.once('error', reject)
  })
  const clients: Client[] = []
  const waiters = new Set<() => void>()
  const changed = () => {
    for (const waiter of waiters) waiter()
  }

  wss.on('connection', (socket, request) => {
    const client: Client = { socket, request, received: [], closed: false }
    clients.push(client)
    socket.on('message', (data, isBinary) => {
      if (isBinary) return
      const text = data.toString()
      client.received.push(text)
      const answer = options.reply?.(text, client)
      if (answer !== undefined) socket.send(answer)
      changed()
    })
    socket.on('close', () => {
      client.closed = true
      changed()
    })
    options.onConnection?.(client)
    changed()
  })

  const { port } = wss.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}/`,
    clients,
    open: () => clients.filter((c) => !c.closed),
    received: () => clients.flatMap((c) => c.received),
    broadcast(data) {
      for (const client of clients) {
        if (client.socket.readyState === WebSocket.OPEN) client.socket.send(data)
      }
    },
    until(check, what, timeout = 3_000) {
      if (check()) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const waiter = () => {
          if (!check()) return
          waiters.delete(waiter)
          clearTimeout(timer)
          resolve()
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error(`timed out after ${timeout} ms waiting for: ${what}`))
        }, timeout)
        waiters.add(waiter)
      })
    },
    close() {
      for (const client of clients) client.socket.terminate()
      return new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}
