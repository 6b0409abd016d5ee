// What the playground's pages and its server say to each other. The same type is given to
// `useSocket<PlaygroundEvents>()` on the pages and to `createSocketServer<PlaygroundEvents>()`
// on the server, so both ends are checked against one map.

/** The WebSocket endpoint, on the same origin as the pages. */
export const SOCKET_PATH = '/ws'
/**
 * The same service with reliable delivery (acknowledged, replayed after a reconnect): a
 * server in that mode expects every client to speak it, so it has its own path.
 */
export const RELIABLE_PATH = '/ws/reliable'

/**
 * Client heartbeat for every page: after 2 s without any inbound message a `ping` goes out;
 * if nothing at all arrives within 2 s more, the socket is declared dead. Short on purpose,
 * so a black-holed connection is noticed in about 4 s.
 */
export const HEARTBEAT = { interval: 2_000, timeout: 2_000 } as const

/** Dashboard ticks per second; each tick sends one message per metric. */
export const METRIC_HZ = 40
/** Ticks per second of the light stream the fault page watches. */
export const TICK_HZ = 20
/** How long "Black-hole" keeps a connection silent. */
export const BLACKHOLE_SECONDS = 5

export const METRICS = ['cpu', 'memory', 'rps', 'latency'] as const
export type MetricName = (typeof METRICS)[number]

/** Which stream a connection asks for, as the `stream` query parameter. */
export type StreamName = 'metrics' | 'ticks'

export interface MetricSample {
  name: MetricName
  /** Tick number; the samples of one tick share it. */
  seq: number
  /** Epoch ms of the tick. */
  t: number
  v: number
}

export interface ChatMessage {
  id: number
  from: string
  text: string
  at: number
}

export type FaultKind = 'cut' | 'blackhole' | 'restart'

/** Under `pnpm cluster`: the front's state (GET) and its kill (`POST …/kill?instance=a`). */
export const CLUSTER_API = '/api/cluster'

/** The front's answer to a kill: like a fault's acknowledgement, from outside the instance. */
export interface KillAck {
  kind: 'kill'
  message: string
  /** How long until the killed instance is started again, ms. */
  duration: number
}

export interface FaultAck {
  kind: FaultKind
  /** What the server is about to do, in words. */
  message: string
  /** Black-hole duration or restart refusal window, ms. */
  duration: number
}

export type PlaygroundEvents = {
  /** Server → page. */
  in: {
    /** `instance`: the server instance that serves this socket under `pnpm cluster`, else null. */
    welcome: {
      id: string
      name: string | null
      clients: number
      at: number
      instance: string | null
    }
    echo: { text: string; at: number; count: number }
    metric: MetricSample
    tick: { seq: number; at: number }
    message: ChatMessage
    joined: { name: string; at: number }
    left: { name: string; at: number }
    presence: { names: string[] }
  }
  /** Page → server. */
  out: {
    echo: { text: string }
    message: { text: string }
  }
  requests: {
    history: { data: { limit: number }; reply: ChatMessage[] }
    fault: { data: { kind: FaultKind }; reply: FaultAck }
  }
}

/** A chat name: 1–24 characters, letters, digits, space, `.`, `_` or `-`. */
export const NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,23}$/u

export function validName(name: string): boolean {
  return NAME_PATTERN.test(name)
}

export const MAX_CHAT_TEXT = 500
