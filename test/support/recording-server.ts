// The one recording `ws` server of the tests: what it accepted, what it received, and a
// bounded wait on it. The behaviour suite's browser run drives the same server from the page
// (test/bindings/control.ts), so its options may be sent as source.
import { EventEmitter } from 'node:events'
import type { IncomingMessage } from 'node:http'
import { WebSocketServer, type WebSocket as WsSocket } from 'ws'
import { nextEvent } from './wait'

/** In a browser run these functions are sent to Node as source: they may use no outer variable. */
export interface ServerOptions {
  /** Whether the socket accepted `n`-th (from 0) answers a text `ping` with `pong`. @default always */
  pong?: (n: number) => boolean
  /** Send every text message but probes back to its sender. @default false */
  echo?: boolean
  /** Called for every text message but probes. */
  onMessage?: (socket: WsSocket, text: string) => void
}

/** A socket the server accepted, as tests drive it (in a browser run, from the page). */
export interface ServerSocket {
  send(data: string): void
  close(code?: number, reason?: string): void
  terminate(): void
}

export interface RecordingServer {
  /** `ws://127.0.0.1:<port><path>` */
  url(path?: string): string
  /** Sockets accepted since start, in order. */
  readonly sockets: readonly ServerSocket[]
  /** The request path (with its query) of each accepted socket. */
  readonly paths: string[]
  /** The subprotocol each accepted socket agreed on ('' for none). */
  readonly protocols: string[]
  /** Sockets open on the server side now. */
  readonly open: number
  /** Heartbeat probes received, by socket. */
  readonly pings: number[]
  /** Text received (probes left out), in order. */
  readonly received: string[]
  /** Send to every open socket. */
  send(data: string): void
  /** Resolves once `check()` holds, re-checked on every server event; rejects after `timeout` ms. */
  until(check: () => boolean, label: string, timeout?: number): Promise<void>
  /** Calls `listener` after every server event (a socket accepted or closed, text received). */
  onChange(listener: () => void): () => void
  close(): Promise<void>
}

/** What only a server in this process has: its port, for a proxy in front of it. */
export interface LocalRecordingServer extends RecordingServer {
  readonly port: number
}

export const UNTIL_TIMEOUT = 4_000

/** What `sockets` holds for a socket once it closed. */
const CLOSED: ServerSocket = { send() {}, close() {}, terminate() {} }

/** A `ws` server on 127.0.0.1, port 0; it accepts the first subprotocol a client offers. */
export async function startServer(options: ServerOptions = {}): Promise<LocalRecordingServer> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (offered) => offered.values().next().value ?? false,
  })
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve)
    wss.once('error', reject)
  })
  const events = new EventEmitter()
  const changed = () => events.emit('change')
  const onChange = (listener: () => void) => {
    events.on('change', listener)
    return () => {
      events.off('change', listener)
    }
  }
  const sockets: ServerSocket[] = []
  const paths: string[] = []
  const protocols: string[] = []
  const pings: number[] = []
  const received: string[] = []
  let open = 0
  wss.on('connection', (ws: WsSocket, req: IncomingMessage) => {
    const n = sockets.push(ws) - 1
    paths.push(req.url ?? '')
    protocols.push(ws.protocol)
    pings.push(0)
    open++
    ws.on('error', () => {})
    ws.on('close', () => {
      open--
      // Not the socket itself: a long test (10,000 cycles) must not keep every one alive.
      sockets[n] = CLOSED
      changed()
    })
    ws.on('message', (data, binary) => {
      if (binary) return
      const text = data.toString()
      if (text === 'ping') {
        pings[n] = (pings[n] ?? 0) + 1
        if (options.pong?.(n) ?? true) ws.send('pong')
      } else {
        received.push(text)
        if (options.echo) ws.send(text)
        options.onMessage?.(ws, text)
      }
      changed()
    })
    changed()
  })
  const { port } = wss.address() as { port: number }
  return {
    port,
    url: (path = '/') => `ws://127.0.0.1:${port}${path}`,
    sockets,
    paths,
    protocols,
    get open() {
      return open
    },
    pings,
    received,
    send(data) {
      for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(data)
    },
    async until(check, label, timeout = UNTIL_TIMEOUT) {
      if (check()) return
      await nextEvent(onChange, timeout, label, check).catch((error: Error) => {
        throw new Error(`${error.message} (server: ${sockets.length} accepted, ${open} open)`)
      })
    },
    onChange,
    close() {
      for (const ws of wss.clients) ws.terminate()
      return new Promise((resolve) => wss.close(() => resolve()))
    },
  }
}
