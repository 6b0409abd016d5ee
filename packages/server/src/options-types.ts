import type { Server as HttpServer, IncomingMessage } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { DEFAULT_ENVELOPE_KEYS, EnvelopeKeys } from '@tethered/protocol'
import type { AdapterMember, StateAdapter } from './adapter'
import type { DEFAULTS } from './defaults'
import type { IdentityLike } from './types'
import type { AuthenticateResult, UpgradeInfo } from './upgrade-types'

// The defaults are in `DEFAULTS` (./defaults), once; the JSDoc below points there.

export interface BackpressureOptions {
  /** A client whose `bufferedAmount` is above this many bytes gets the policy. @default {@link DEFAULTS.maxBufferedBytes} */
  maxBufferedBytes?: number | undefined
  /** `drop` skips messages for that client until it catches up; `close` closes it with 1013. @default {@link DEFAULTS.backpressurePolicy} */
  policy?: 'drop' | 'close' | undefined
}

export interface HeartbeatSweepOptions {
  /** Milliseconds between protocol-level ping sweeps. @default {@link DEFAULTS.heartbeatInterval} */
  interval?: number | undefined
}

export interface TextHeartbeatOptions {
  /** The client's text heartbeat. @default {@link DEFAULTS.textHeartbeat} */
  message?: string | undefined
  /** The answer. @default {@link DEFAULTS.textHeartbeat} */
  returnMessage?: string | undefined
}

export interface RateLimitOptions {
  /** Messages allowed in a burst, and per `interval` sustained. */
  messages: number
  /** Milliseconds. */
  interval: number
}

export interface ReliableOptions {
  /** Messages kept per session for replay; the oldest unacknowledged go first. @default {@link DEFAULTS.reliable} */
  bufferSize?: number | undefined
  /**
   * Milliseconds a kept message stays replayable, and a session whose client went away
   * waits for it before it ends and its memory is released. @default {@link DEFAULTS.reliable}
   */
  maxAge?: number | undefined
  /** Milliseconds a new socket has to send its hello before it is closed with 1002. @default {@link DEFAULTS.reliable} */
  helloTimeout?: number | undefined
}

export interface SocketServerOptions<Id extends IdentityLike = string> {
  /** Attach to this HTTP(S) server. Give exactly one of `server`, `port` or `noServer`. */
  server?: HttpServer | HttpsServer | undefined
  /** Listen on this port (0 picks a free one; read it from `address()` after `ready`). */
  port?: number | undefined
  /** With `port`. @default all interfaces, like `http.Server#listen` */
  host?: string | undefined
  /**
   * With `port`: milliseconds a connection has to send its whole request (the upgrade's
   * headers) before it is answered 408 and closed, so clients dripping bytes cannot hold
   * slots (Node's own default is 60 s, checked every 30 s). Sets `headersTimeout` and
   * `requestTimeout`, checked every second. An attached server keeps its own settings.
   * @default {@link DEFAULTS.headersTimeout}
   */
  headersTimeout?: number | undefined
  /** Leave `upgrade` events to you: call `socketServer.handleUpgrade(req, socket, head)` for the requests it should take. */
  noServer?: boolean | undefined
  /** Exact path served; any other path gets 404. @default {@link DEFAULTS.path} */
  path?: string | undefined
  /**
   * Allowed browser origins, e.g. `['https://app.example.com']`, or a function deciding.
   * Requests without an `Origin` header (non-browser clients, which can send any origin
   * anyway) pass a list; authenticate them. @default any origin
   */
  origins?:
    | readonly string[]
    | ((origin: string | undefined, req: IncomingMessage) => boolean)
    | undefined
  /** Runs before the handshake. Return the identity, or `refuse(status, message)`; falsy means 401. */
  authenticate?:
    | ((
        req: IncomingMessage,
        info: UpgradeInfo,
      ) => AuthenticateResult<Id> | Promise<AuthenticateResult<Id>>)
    | undefined
  /** An `authenticate` slower than this is answered 503. @default {@link DEFAULTS.authenticateTimeout} */
  authenticateTimeout?: number | undefined
  /** The key of an identity in `clients`. @default the string, the number, or the object's `id` */
  identityKey?: ((identity: Id) => string) | undefined
  /**
   * A second connection with the same identity: `replace` closes the old one with 4409,
   * which the client's default close policy does not retry; `reject` answers the new
   * upgrade 409 (with reliable delivery, a socket whose identity got connected between its
   * upgrade and its hello is closed at the hello with 4410, not retried either). @default {@link DEFAULTS.duplicate}
   */
  duplicate?: 'replace' | 'reject' | undefined
  /** Open connections plus handshakes in progress; beyond it upgrades get 503. @default {@link DEFAULTS.maxConnections} */
  maxConnections?: number | undefined
  /**
   * Reliable sessions kept, with their replay buffers: past it a new session ends the one
   * whose client has been away longest, as if it had expired (`stats.sessions.evictedSessions`,
   * a `disconnect`). Sessions whose client is connected are never ended for room; those are
   * bounded by `maxConnections`. @default {@link DEFAULTS.maxSessions}
   */
  maxSessions?: number | undefined
  /** Largest message accepted, in bytes; a bigger one closes the connection with 1009. @default {@link DEFAULTS.maxPayload} */
  maxPayload?: number | undefined
  /**
   * Requests of one client whose handler has not returned yet; past it a request is answered
   * at once with `code: 'TOO_MANY_REQUESTS'` and its handler does not run. @default {@link DEFAULTS.maxPendingRequests}
   */
  maxPendingRequests?: number | undefined
  /** Protocol-level ping sweeps that terminate peers which did not answer the last one. @default true ({@link DEFAULTS.heartbeatInterval}) */
  heartbeat?: boolean | HeartbeatSweepOptions | undefined
  /** Answer the client's text heartbeat; it never reaches handlers. @default true ({@link DEFAULTS.textHeartbeat}) */
  textHeartbeat?: boolean | TextHeartbeatOptions | undefined
  /** Per-client message rate; a client going over it is closed with 1008. @default {@link DEFAULTS.rateLimit} */
  rateLimit?: false | RateLimitOptions | undefined
  /** Slow consumers. @default {@link DEFAULTS.maxBufferedBytes}, {@link DEFAULTS.backpressurePolicy} */
  backpressure?: BackpressureOptions | undefined
  /** Envelope field names, as configured on the client. @default {@link DEFAULT_ENVELOPE_KEYS} */
  keys?: Partial<EnvelopeKeys> | undefined
  /** Send the message of any error a handler throws to the client, not only `RequestError`s. @default false */
  exposeErrors?: boolean | undefined
  /** How long `close()` waits for clients to finish the closing handshake before terminating them. @default {@link DEFAULTS.closeTimeout} */
  closeTimeout?: number | undefined
  /** Picks the subprotocol to answer with. @default the first offered that is not a `token.` credential */
  handleProtocols?:
    | ((protocols: ReadonlySet<string>, req: IncomingMessage) => string | false)
    | undefined
  /**
   * `'reliable'` (or `{ reliable: { bufferSize, maxAge, helloTimeout } }`): acknowledged
   * delivery and session resume, for clients created with `delivery: reliable`. Every
   * client must then start with the hello; one that does not is closed with 1002.
   * @default {@link DEFAULTS.delivery}
   */
  delivery?: 'plain' | 'reliable' | { reliable: ReliableOptions } | undefined
  /**
   * Where the state that several instances would share lives: the identity registry, room
   * membership and reliable sessions. One adapter per server. @default memoryAdapter()
   */
  adapter?: StateAdapter<AdapterMember> | undefined
}

/** Acknowledged delivery and session resume, as resolved from the `delivery` option. */
export interface ReliableConfig {
  bufferSize: number
  maxAge: number
  helloTimeout: number
}

export interface ResolvedOptions<Id extends IdentityLike> {
  mode: 'attach' | 'listen' | 'noServer'
  server: HttpServer | HttpsServer | undefined
  port: number | undefined
  host: string | undefined
  /** With `port` only; null otherwise. */
  headersTimeout: number | null
  path: string
  origins: ((origin: string | undefined, req: IncomingMessage) => boolean) | null
  authenticate: SocketServerOptions<Id>['authenticate']
  authenticateTimeout: number
  identityKey: (identity: Id) => string
  duplicate: 'replace' | 'reject'
  maxConnections: number
  maxSessions: number
  maxPayload: number
  maxPendingRequests: number
  heartbeatInterval: number | null
  textHeartbeat: { message: string; returnMessage: string } | null
  rateLimit: RateLimitOptions | null
  maxBufferedBytes: number
  backpressurePolicy: 'drop' | 'close'
  keys: EnvelopeKeys
  exposeErrors: boolean
  closeTimeout: number
  handleProtocols: (protocols: ReadonlySet<string>, req: IncomingMessage) => string | false
  /** Reliable delivery, or null for plain messages. */
  reliable: ReliableConfig | null
  adapter: StateAdapter<AdapterMember>
}
