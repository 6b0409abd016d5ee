import { EventEmitter } from 'node:events'
import type { IncomingMessage } from 'node:http'
import { WebSocketServer, type WebSocket as WsSocket } from 'ws'
import { TIMEOUT } from './timeout'

export { TIMEOUT }

/** In a browser run these functions are sent to Node as source: they may use no outer variable. */
export interface ServerOptions {
  /** Whether the socket accepted `n`-th (from 0) answers a text `ping` with `pong`. @default always */
  pong?: (n: number) => boolean
  /** Called for every text message but probes. */
  onMessage?: (socket: WsSocket, text: string) => void
}

/** A socket the server accepted, as the scenarios drive it (in a browser run, from the page). */
export interface ServerSocket {
  send(data: string): void
  close(code?: number, reason?: string): void
  terminate(): void
}

export interface TestServer {
  /** `ws://127.0.0.1:<port><path>` */
  url(path?: string): string
  /** Sockets accepted since start, in order. */
  readonly sockets: readonly ServerSocket[]
  /** The request path of each accepted socket. */
  readonly paths: string[]
  /** Sockets open on the server side now. */
  readonly open: number
  /** Heartbeat probes received, by socket. */
  readonly pings: number[]
  /** Text received (probes left out), in order. */
  readonly received: string[]
  /** Send to every open socket. */
  send(data: string): void
  /** Resolves once `check()` holds, re-checked on every server event. */
  until(check: () => boolean, label: string): Promise<void>
  /** Calls `listener` after every server event (a socket accepted or closed, text received). */
  onChange(listener: () => void): () => void
  close(): Promise<void>
}

/** A `ws` server on 127.0.0.1, port 0. */
export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve)
    wss.once('error', reject)
  })
  const events = new EventEmitter()
  const sockets: WsSocket[] = []
  const paths: string[] = []
  const pings: number[] = []
  const received: string[] = []
  let open = 0
  wss.on('connection', (ws: WsSocket, req: IncomingMessage) => {
    const n = sockets.push(ws) - 1
    paths.push(req.url ?? '')
    pings.push(0)
    open++
    ws.on('error', () => {})
    ws.on('close', () => {
      open--
      events.emit('change')
    })
    ws.on('message', (data, binary) => {
      if (binary) return
      const text = data.toString()
      if (text === 'ping') {
        pings[n] = (pings[n] ?? 0) + 1
        if (options.pong?.(n) ?? true) ws.send('pong')
      } else {
        received.push(text)
        options.onMessage?.(ws, text)
      }
      events.emit('change')
    })
    events.emit('change')
  })
  const { port } = wss.address() as { port: number }
  return {
    url: (path = '/') => `ws://127.0.0.1:${port}${path}`,
    sockets,
    paths,
    get open() {
      return open
    },
    pings,
    received,
    send(data) {
      for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(data)
    },
    until(check, label) {
      return new Promise((resolve, reject) => {
        const test = () => {
          if (!check()) return
          clearTimeout(timer)
          events.off('change', test)
          resolve()
        }
        const timer = setTimeout(() => {
          events.off('change', test)
          reject(
            new Error(
              `Timed out after ${TIMEOUT} ms waiting for ${label} (server: ${sockets.length} accepted, ${open} open)`,
            ),
          )
        }, TIMEOUT)
        events.on('change', test)
        test()
      })
    },
    onChange(listener) {
      events.on('change', listener)
      return () => events.off('change', listener)
    },
    close() {
      for (const ws of sockets) ws.terminate()
      return new Promise((resolve) => wss.close(() => resolve()))
    },
  }
}
