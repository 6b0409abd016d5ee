import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import {
  type AdapterMember,
  type Client,
  createSocketServer,
  refuse,
  type SocketServer,
  type StateAdapter,
} from '@tethered/server'
import type { WebSocket } from 'ws'
import {
  BLACKHOLE_SECONDS,
  type ChatMessage,
  type FaultAck,
  type FaultKind,
  MAX_CHAT_TEXT,
  METRIC_HZ,
  METRICS,
  type PlaygroundEvents,
  RELIABLE_PATH,
  SOCKET_PATH,
  type StreamName,
  TICK_HZ,
  validName,
} from '../src/shared/protocol'
import { createMetricSource } from './metrics'

/** Who a connection is: chat pages give a name (the registry key), other pages get a fresh id. */
export interface Identity {
  id: string
  name: string | null
  stream: StreamName | null
}

type PlaygroundClient = Client<PlaygroundEvents, Identity>
type PlaygroundServer = SocketServer<PlaygroundEvents, Identity>

export interface HubOptions {
  /** How long a restart refuses new connections, ms. @default 2000 */
  restartGap?: number
  /** How long a black-hole lasts, ms. @default BLACKHOLE_SECONDS */
  blackholeMs?: number
  /**
   * This instance's name in a cluster (`pnpm cluster`), told to every page in `welcome`.
   * Left out when the playground is one process. @default null
   */
  instance?: string | null
  /**
   * The state adapter of each endpoint's socket server (one adapter per server, and a new
   * server after every restart): `redisAdapter(...)` in a cluster. @default the memory adapter
   */
  adapter?: (path: string) => StateAdapter<AdapterMember>
  /**
   * Whether this hub sends the metric and tick streams. In a cluster one hub sends them (to
   * every instance's members, through the adapter) and the instances do not: each would send
   * its own copy, numbered on its own. @default true
   */
  streams?: boolean
}

export interface HubStats {
  /** The instance's name in a cluster, null for one process. */
  instance: string | null
  /** Connected clients, both endpoints. */
  clients: number
  /** Of those, on the reliable endpoint. */
  reliable: number
  connectionsTotal: number
  restarting: boolean
  blackholed: number
  chat: string[]
  streams: Record<StreamName, number>
  messagesIn: number
  messagesOut: number
}

export interface Hub {
  /** Takes the upgrade if it is for the socket path; returns false to leave it to others (Vite's HMR). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean
  stats(): HubStats
  /** Connections ever accepted for a chat name (a replaced tab and its successor count two). */
  connectionsFor(name: string): number
  /** The fault page's Restart, with its own refusal window (ms): for tests that need a long one. */
  restart(gap?: number): Promise<void>
  close(): Promise<void>
}

const CHAT_ROOM = 'chat'
const HISTORY_LIMIT = 200
const CUT_DELAY = 50

let nextIdentity = 0

/**
 * The TCP socket under a `ws` WebSocket. `ws` keeps it in a private field; a fault injector
 * needs it to hold writes (`cork`), which neither `ws` nor `@tethered/server` expose.
 */
function transportOf(socket: WebSocket): Socket | undefined {
  return (socket as unknown as { _socket?: Socket })._socket
}

const CLIENT_ID = /^[A-Za-z0-9-]{8,64}$/

/**
 * Chat pages are known by their name; a page that sends a `client` id (the fault page,
 * one per page load) by that, so a reliable session can be resumed by its own page only;
 * anything else gets a fresh identity per connection.
 */
function authenticate(req: IncomingMessage): Identity | ReturnType<typeof refuse> {
  const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '')
  const name = query.get('name')?.trim() ?? null
  const client = query.get('client')
  const stream = query.get('stream')
  if (name !== null && !validName(name)) return refuse(400, 'Invalid chat name')
  if (client !== null && !CLIENT_ID.test(client)) return refuse(400, 'Invalid client id')
  const id = name
    ? `chat:${name}`
    : client
      ? `page:${client}`
      : `anon:${process.pid}:${++nextIdentity}`
  return { id, name, stream: stream === 'metrics' || stream === 'ticks' ? stream : null }
}

/**
 * The playground's WebSocket side, on `@tethered/server`: the echo for the connection
 * panel, the metric and tick streams, the chat room, and the fault controls. The socket
 * server itself is replaced on a restart; the chat history and counters live here, above it.
 */
export function createHub(options: HubOptions = {}): Hub {
  const restartGap = options.restartGap ?? 2_000
  const blackholeMs = options.blackholeMs ?? BLACKHOLE_SECONDS * 1000
  const instance = options.instance ?? null
  const history: ChatMessage[] = []
  /** Chat name → id of the connection that holds it now. */
  const present = new Map<string, string>()
  const joins = new Map<string, number>()
  const blackholed = new Set<WebSocket>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const totals = { connections: 0, messagesIn: 0, messagesOut: 0 }
  const metricAt = createMetricSource()
  /** The plain and the reliable endpoint; empty while restarting. */
  let servers: Array<{ path: string; server: PlaygroundServer }> = []
  let closed = false
  let messageId = 0
  let seq = 0

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      fn()
    }, ms)
    timers.add(timer)
    return timer
  }

  /** Sends to a room on both endpoints. */
  function toRoom<K extends keyof PlaygroundEvents['in'] & string>(
    room: string,
    type: K,
    data: PlaygroundEvents['in'][K],
  ): void {
    for (const { server } of servers) server.broadcast(type, data, { room })
  }

  function presence(): void {
    toRoom(CHAT_ROOM, 'presence', { names: [...present.keys()].sort() })
  }

  /**
   * Silence one connection: nothing it sends is read (its heartbeat pings go unanswered) and
   * nothing written to it leaves the machine (writes are held in the TCP socket), while the
   * socket stays open. Held writes still count as sent, so a reliable session that resumes
   * elsewhere replays them. After `blackholeMs` it is let go: whatever waited flows again.
   */
  function blackhole(client: PlaygroundClient): void {
    const socket = client.socket
    const transport = transportOf(socket)
    blackholed.add(socket)
    socket.pause()
    transport?.cork()
    later(blackholeMs, () => {
      blackholed.delete(socket)
      transport?.uncork()
      socket.resume()
    })
  }

  async function restart(gap = restartGap): Promise<void> {
    const old = servers
    if (old.length === 0) return
    servers = []
    await Promise.all(
      old.map(({ server }) =>
        server.close({ code: 1012, reason: 'playground server restarting', timeout: 1_000 }),
      ),
    )
    later(gap, () => {
      if (!closed) start()
    })
  }

  function fault(kind: FaultKind, client: PlaygroundClient): FaultAck {
    switch (kind) {
      case 'cut':
        later(CUT_DELAY, () => client.terminate())
        return {
          kind,
          duration: 0,
          message: 'The server drops this TCP connection without a closing handshake.',
        }
      case 'blackhole':
        later(CUT_DELAY, () => blackhole(client))
        return {
          kind,
          duration: blackholeMs,
          message: `For ${blackholeMs / 1000} s the server neither sends to nor reads from this connection; the socket stays open.`,
        }
      case 'restart':
        later(CUT_DELAY, () => void restart())
        return {
          kind,
          duration: restartGap,
          message: `Every connection is closed with 1012 and new ones are refused for ${restartGap / 1000} s.`,
        }
    }
  }

  function wire(s: PlaygroundServer): void {
    s.handle('history', ({ limit }) =>
      history.slice(-Math.max(1, Math.min(HISTORY_LIMIT, Math.floor(Number(limit) || 50)))),
    )
    s.handle('fault', ({ kind }, client) => {
      if (kind !== 'cut' && kind !== 'blackhole' && kind !== 'restart') {
        throw new Error(`unknown fault "${String(kind)}"`)
      }
      return fault(kind, client)
    })

    s.on('connection', (client) => {
      totals.connections++
      const { name, stream } = client.identity
      if (stream) client.join(stream)
      client.emit('welcome', {
        id: client.id,
        name,
        clients: s.clients.size,
        at: Date.now(),
        instance,
      })

      let echoes = 0
      client.on('echo', (data) => {
        const text = typeof data?.text === 'string' ? data.text.slice(0, MAX_CHAT_TEXT) : ''
        client.emit('echo', { text, at: Date.now(), count: ++echoes })
      })

      if (!name) return
      client.join(CHAT_ROOM)
      const previous = present.get(name)
      present.set(name, client.id)
      joins.set(name, (joins.get(name) ?? 0) + 1)
      // A tab taking over a name is not a new arrival: the room only hears of real joins.
      if (!previous) toRoom(CHAT_ROOM, 'joined', { name, at: Date.now() })
      presence()
      client.on('message', (data) => {
        const text = typeof data?.text === 'string' ? data.text.trim().slice(0, MAX_CHAT_TEXT) : ''
        if (!text) return
        const message: ChatMessage = { id: ++messageId, from: name, text, at: Date.now() }
        history.push(message)
        if (history.length > HISTORY_LIMIT) history.shift()
        toRoom(CHAT_ROOM, 'message', message)
      })
    })

    s.on('disconnect', (client) => {
      totals.messagesIn += client.messagesIn
      totals.messagesOut += client.messagesOut
      const { name } = client.identity
      if (!name || present.get(name) !== client.id) return
      present.delete(name)
      toRoom(CHAT_ROOM, 'left', { name, at: Date.now() })
      presence()
    })

    s.on('error', (error) => {
      if (error.code === 'HANDLER_ERROR' || error.code === 'LISTENER_ERROR') {
        console.error('[playground]', error)
      }
    })
  }

  function create(path: string, reliable: boolean): PlaygroundServer {
    const s = createSocketServer<PlaygroundEvents, Identity>({
      noServer: true,
      path,
      delivery: reliable ? 'reliable' : 'plain',
      // Only pages served from this very host may connect (no cross-site WebSocket hijacking).
      origins: (origin, req) => origin === undefined || origin === `http://${req.headers.host}`,
      authenticate,
      duplicate: 'replace',
      heartbeat: { interval: 10_000 },
      closeTimeout: 1_000,
      ...(options.adapter ? { adapter: options.adapter(path) } : {}),
    })
    wire(s)
    return s
  }

  function start(): void {
    servers = [
      { path: SOCKET_PATH, server: create(SOCKET_PATH, false) },
      { path: RELIABLE_PATH, server: create(RELIABLE_PATH, true) },
    ]
  }

  // One clock for both streams: metrics at METRIC_HZ, ticks every few metric ticks.
  const tickEvery = Math.max(1, Math.round(METRIC_HZ / TICK_HZ))
  const loop =
    options.streams === false
      ? undefined
      : setInterval(() => {
          if (servers.length === 0) return
          const t = Date.now()
          const values = metricAt(t)
          seq++
          for (const name of METRICS) toRoom('metrics', 'metric', { name, seq, t, v: values[name] })
          if (seq % tickEvery === 0) toRoom('ticks', 'tick', { seq: seq / tickEvery, at: t })
        }, 1000 / METRIC_HZ)

  start()

  return {
    upgrade(req, socket, head) {
      const path = (req.url ?? '').split('?')[0]
      if (path !== SOCKET_PATH && path !== RELIABLE_PATH) return false
      const endpoint = servers.find((s) => s.path === path)
      if (endpoint) {
        endpoint.server.handleUpgrade(req, socket, head)
      } else {
        // Restarting: a real HTTP answer, so the browser fails the attempt at once and backs off.
        const body = 'Restarting, try again shortly'
        socket.end(
          `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 2\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        )
      }
      return true
    },
    stats() {
      const streams: Record<StreamName, number> = { metrics: 0, ticks: 0 }
      let messagesIn = totals.messagesIn
      let messagesOut = totals.messagesOut
      let clients = 0
      let reliable = 0
      for (const { path, server } of servers) {
        for (const client of server.clients.values()) {
          clients++
          if (path === RELIABLE_PATH) reliable++
          const stream = client.identity.stream
          if (stream) streams[stream]++
          messagesIn += client.messagesIn
          messagesOut += client.messagesOut
        }
      }
      return {
        instance,
        clients,
        reliable,
        connectionsTotal: totals.connections,
        restarting: servers.length === 0 && !closed,
        blackholed: blackholed.size,
        chat: [...present.keys()].sort(),
        streams,
        messagesIn,
        messagesOut,
      }
    },
    connectionsFor: (name) => joins.get(name) ?? 0,
    restart,
    async close() {
      closed = true
      clearInterval(loop)
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      for (const socket of blackholed) socket.terminate()
      const old = servers
      servers = []
      await Promise.all(
        old.map(({ server }) =>
          server.close({ code: 1001, reason: 'playground stopped', timeout: 1_000 }),
        ),
      )
    },
  }
}
