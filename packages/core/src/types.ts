import type { TetheredError } from './errors'
import type { ReadyState } from './ready-state'

/** A url, or a function resolved before every attempt (e.g. to fetch a fresh token). */
export type UrlSource = string | URL | null | (() => string | URL | Promise<string | URL>)

/** Data `sendMessage` accepts: whatever `WebSocket.send` takes. */
export type SendData = string | ArrayBufferLike | Blob | ArrayBufferView

/**
 * The part of a WebSocket the engine uses. The browser's `WebSocket`, `ws` and `mock-socket`
 * all fit. Handler parameters are `never` so that any event type the implementation uses is
 * accepted.
 */
export interface WebSocketLike {
  readonly readyState: number
  binaryType: string
  onopen: ((event: never) => void) | null
  onmessage: ((event: never) => void) | null
  onerror: ((event: never) => void) | null
  onclose: ((event: never) => void) | null
  send(data: never): void
  close(code?: number, reason?: string): void
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike

/** Why a socket closed. A real `CloseEvent` is one; sockets declared dead get a made-up one with code 1006. */
export interface CloseInfo {
  readonly code: number
  readonly reason: string
  readonly wasClean: boolean
}

/**
 * What a UI shows. `idle`: no socket asked for; `reconnecting`: a retry is scheduled, at
 * `nextReconnectAt`; `offline`: waiting for the network (`navigator.onLine`), then it
 * reconnects by itself; `stopped`: closed, and it will not reconnect until `open()`.
 */
export type ConnectionStatus =
  | 'idle'
  | 'connecting'
  | 'open'
  | 'closing'
  | 'reconnecting'
  | 'offline'
  | 'stopped'

/** Why a connection stopped. */
export interface StopInfo {
  /**
   * `manual`: `close()`; `policy`: the close-code policy, `shouldReconnect` or
   * `reconnect: false` said no; `attempts`: `reconnectAttempts` used up; `error`: a failure
   * with no socket to retry (invalid url, no WebSocket constructor).
   */
  readonly reason: 'manual' | 'policy' | 'attempts' | 'error'
  /** The code passed to `close()`, or the close code; `null` for `error`. */
  readonly code: number | null
}

export interface Snapshot<In = unknown> {
  readonly readyState: ReadyState
  /** What the connection is doing; tells waiting to retry and waiting for the network from a stop. */
  readonly status: ConnectionStatus
  /** Why it stopped while `status` is `stopped`, else `null`. */
  readonly stopped: StopInfo | null
  /** The newest message: state, not a stream. Use `onMessage` to see every message. */
  readonly lastMessage: MessageEvent | null
  /** The newest message that parsed; a message that fails to parse leaves it as it was. */
  readonly lastJsonMessage: In | null
  /** The number of the retry under way or scheduled, from 1 after every open; 0 when connected or never failed. */
  readonly reconnectAttempt: number
  /** Epoch ms of the scheduled retry, for "reconnecting in 3 s" UIs. */
  readonly nextReconnectAt: number | null
  /** The last error reported (parse, connect timeout, url provider, queue overflow…). */
  readonly error: TetheredError | null
  /**
   * With `delivery: 'reliable'`, after a reconnect: whether the server resumed the session
   * (replaying what was missed). `false` means messages were lost: resync. `null` until then.
   */
  readonly resumed: boolean | null
}

export interface HeartbeatOptions {
  /** Sent when nothing has arrived for `interval`. @default 'ping' */
  message?: string
  /** The reply; consumed, never surfaced as `lastMessage`. @default 'pong' */
  returnMessage?: string
  /** Quiet time (ms) before a probe is sent. @default 25000 */
  interval?: number
  /** Time (ms) the probe has for any answer before the socket is declared dead. @default 10000 */
  timeout?: number
}

export interface ReconnectingInfo {
  /** The retry's number, from 1 after every connection that opened. */
  attempt: number
  /** Milliseconds until it starts. */
  delay: number
}

export interface ReconnectStopInfo {
  /** `attempts`: `reconnectAttempts` used up; `policy`: `shouldReconnect` (or the close-code policy) said no. */
  reason: 'attempts' | 'policy'
  attempts: number
  close: CloseInfo | null
}

/** Events emitted by a connection; every handler sees every event, unbatched. */
export interface ConnectionEvents<In> {
  open: (event: Event) => void
  message: (event: MessageEvent, json: In | undefined) => void
  /** `event`: the socket's own close event; none for a socket declared dead or closed by `close()` while connecting. */
  close: (info: CloseInfo, event?: CloseEvent) => void
  error: (error: TetheredError) => void
  reconnecting: (info: ReconnectingInfo) => void
  'reconnect-stop': (info: ReconnectStopInfo) => void
  /** A message left the queue unsent: it overflowed `queueSize`. */
  drop: (data: SendData) => void
  /** `delivery: 'reliable'`: the server opened or resumed a session. */
  session: (info: SessionInfo) => void
}

export interface SessionInfo {
  id: string
  /** `null` for a first connection, else whether the server resumed the session. */
  resumed: boolean | null
}

export type Batch = 'frame' | 'microtask' | 'sync' | ((flush: () => void) => void)

export interface ConnectionCallbacks<In> {
  onOpen?: (event: Event) => void
  onMessage?: (event: MessageEvent, json: In | undefined) => void
  onClose?: (info: CloseInfo, event?: CloseEvent) => void
  onError?: (error: TetheredError) => void
  onReconnectStop?: (info: ReconnectStopInfo) => void
}

export interface ConnectionOptions<In = unknown, Out = unknown> extends ConnectionCallbacks<In> {
  /** WebSocket constructor. Node 20 has none: pass `ws`. @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor
  protocols?: string | string[]
  /** Appended to the url, URL-encoded; `null` and `undefined` values are left out. */
  queryParams?: Record<string, string | number | boolean | null | undefined>
  binaryType?: 'blob' | 'arraybuffer'
  /** Connect on creation. @default true */
  connect?: boolean
  /** Turns a message's data into `lastJsonMessage`; `false` turns parsing off. @default JSON.parse of text */
  parse?: ((data: unknown) => In) | false
  /** @default JSON.stringify */
  serialize?: (message: Out) => string
  /** `true` uses the defaults. @default false */
  heartbeat?: boolean | HeartbeatOptions
  /** A CONNECTING phase (url provider included) longer than this is a failed attempt. @default 10000 */
  connectTimeout?: number
  /** @default true */
  reconnect?: boolean
  /** Decides whether a close is retried; replaces the default close-code policy. */
  shouldReconnect?: (info: CloseInfo) => boolean
  /** Retries in a row before giving up; a connection that drops within `stableAfter` does not start the count over. @default Infinity */
  reconnectAttempts?: number
  /**
   * Delay before a retry, from its backoff step: the retry's number, except that it goes on
   * counting across connections that drop within `stableAfter`.
   * @default full jitter over min(30000, 1000 · 2^(step-1))
   */
  reconnectInterval?: number | ((attempt: number) => number)
  /** Time (ms) a connection must stay open before the backoff starts over (flap damping). @default 5000 */
  stableAfter?: number
  /** Messages sent with `keep` while not open wait here; the oldest is dropped on overflow. @default 1000 */
  queueSize?: number
  /** How subscriber notifications are batched. @default 'frame' (microtask where there is no requestAnimationFrame) */
  batch?: Batch
  /** Follow `online`/`offline` and page visibility where `window` exists. @default true */
  browserEvents?: boolean
  /**
   * `reliable` (exported by this package): acknowledged delivery and session resume with
   * `@tethered/server`, or any server speaking the documented wire format. Text messages
   * only. @default none: plain WebSocket messages
   */
  delivery?: DeliveryFactory
}

/**
 * A delivery protocol inside one connection (`reliable` is the one Tethered ships). The
 * connection calls these hooks and knows nothing else of it, so apps without it ship none of it.
 */
export interface DeliverySession {
  /** A socket opened: start the handshake, and call `ready` once it is open for the app. */
  open(): void
  /** Open for the app, before the `open` handlers: send again what the peer has not acknowledged. */
  resume(): void
  /**
   * An inbound message: the event the app sees (itself or its payload), or `null` when
   * consumed. Throws (a `TetheredError` coded PROTOCOL) when the message breaks the
   * protocol: the connection reports it and closes the socket with 1002.
   */
  receive(event: MessageEvent): MessageEvent | null
  /** `sendMessage`: whether it went out now; when `keep` is set, it is kept until acknowledged. */
  send(data: SendData, open: boolean, keep: boolean): boolean
  /** The socket is gone: stop the timers. */
  pause(): void
}

/** Makes the per-connection state of a delivery protocol. */
export type DeliveryFactory = (
  /** `queueSize`: how many messages it may keep. */
  limit: number,
  /** Sends a frame on the current socket; `false` when there is none open. */
  send: (frame: string) => boolean,
  report: (error: TetheredError) => void,
  /** The handshake is done: the socket is open for the app. */
  ready: (session: SessionInfo) => void,
) => DeliverySession

export type Unsubscribe = () => void

/** A subscriber's own window on a connection: its own filter, its own `lastMessage`. */
export interface ConnectionView<In = unknown> {
  getSnapshot(): Snapshot<In>
  subscribe(listener: () => void): Unsubscribe
  dispose(): void
}

export type MessageFilter<In> = (event: MessageEvent, json: In | undefined) => boolean

export interface Connection<In = unknown, Out = unknown> {
  /** The same object until something changes. */
  getSnapshot(): Snapshot<In>
  /** Bound; notifications are batched. */
  subscribe(listener: () => void): Unsubscribe
  on<E extends keyof ConnectionEvents<In>>(event: E, handler: ConnectionEvents<In>[E]): Unsubscribe
  /** A view whose `lastMessage` only moves for messages `filter` accepts. */
  view(filter?: MessageFilter<In>): ConnectionView<In>
  /** `true` when sent now; otherwise queued (`keep`, the default) or dropped. */
  sendMessage(data: SendData, keep?: boolean): boolean
  sendJsonMessage(message: Out, keep?: boolean): boolean
  /** Connect now; while waiting to reconnect, reconnect now and reset the attempt count. */
  open(): void
  /** Manual close: no reconnect until `open()`. Throws a RangeError for a code other than 1000 or 3000–4999. */
  close(code?: number, reason?: string): void
  /** Close, clear every timer and listener; the object is dead. */
  dispose(): void
  /** The current socket, whatever the constructor made (typed as the browser's). */
  getWebSocket(): WebSocket | null
  /**
   * With `heartbeat` on and the socket open: sends the probe now, unless one already waits
   * for its answer; no traffic within `timeout` and the socket is dead. For a probe cadence
   * of the app's own (VueUse's heartbeat `scheduler`).
   */
  probe(): void
}
