import { WebSocketServer, type WebSocket as WsSocket } from 'ws'

export interface PongServer {
  readonly port: number
  /** `ws://127.0.0.1:<port><path>` */
  url(path?: string): string
  /** Connections open on the server side now. */
  readonly clients: number
  /** Connections accepted since start. */
  readonly connections: number
  /** Every text message received, heartbeat probes left out, in arrival order. */
  readonly received: string[]
  /** Send to every open client. */
  broadcast(data: string): void
  close(): Promise<void>
}

export interface PongServerOptions {
  /** Answer the client heartbeat (text `ping` → `pong`). @default true */
  pong?: boolean
  /** Send every other text message back. @default true */
  echo?: boolean
}

/**
 * A `ws` server on 127.0.0.1, port 0, that answers the client heartbeat (text `ping` with
 * `pong`) and echoes every other text message.
 */
export async function startPongServer(options: PongServerOptions = {}): Promise<PongServer> {
  const { pong = true, echo = true } = options
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve)
    wss.once('error', reject)
  })
  const sockets = new Set<WsSocket>()
  const received: string[] = []
  let connections = 0
  wss.on('connection', (ws) => {
    connections++
    sockets.add(ws)
    ws.on('error', () => {})
    ws.on('close', () => sockets.delete(ws))
    ws.on('message', (data, isBinary) => {
      if (isBinary) return
      const text = data.toString()
      if (text === 'ping') {
        if (pong) ws.send('pong')
        return
      }
      received.push(text)
      if (echo) ws.send(text)
    })
  })
  const { port } = wss.address() as { port: number }
  return {
    port,
    url: (path = '/') => `ws://127.0.0.1:${port}${path}`,
    get clients() {
      return sockets.size
    },
    get connections() {
      return connections
    },
    received,
    broadcast(data) {
      for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(data)
    },
    close() {
      for (const ws of sockets) ws.terminate()
      return new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}
