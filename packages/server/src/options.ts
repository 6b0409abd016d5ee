import type { Server as HttpServer, IncomingMessage } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import {
  DEFAULT_ENVELOPE_KEYS,
  type EnvelopeKeys,
  HEARTBEAT_DEFAULTS,
  resolveEnvelopeKeys,
} from '@tethered/core/protocol'
import { describe, usageError } from './errors'
import { RELIABLE_DEFAULTS, type ReliableConfig } from './reliable'
import type { IdentityLike } from './types'
import type { Refusal } from './upgrade'

/** What `authenticate` learns about an upgrade besides the raw request. */
export interface UpgradeInfo {
  /** The path, without the query. */
  path: string
  query: URLSearchParams
  /** The `Origin` header; absent for most non-browser clients. */
  origin: string | undefined
  /** The subprotocols the client offered, in order. */
  protocols: readonly string[]
  /**
   * A credential found in, first to last: an `Authorization: Bearer <token>` header, a
   * `token` query parameter, or an offered subprotocol `token.<token>` (browsers cannot
   * set headers on a WebSocket, and query strings end up in access logs).
   */
  token: string | undefined
}

/** An identity accepts the upgrade; a `refuse()` or a falsy value (401) turns it away. */
export type AuthenticateResult<Id> = Id | Refusal | null | undefined | false

export interface BackpressureOptions {
  /** A client whose `bufferedAmount` is above this many bytes gets the policy. @default 1048576 */
  maxBufferedBytes?: number | undefined
  /** `drop` skips messages for that client until it catches up; `close` closes it with 1013. @default 'drop' */
  policy?: 'drop' | 'close' | undefined
}

export interface HeartbeatSweepOptions {
  /** Milliseconds between protocol-level ping sweeps. @default 30000 */
  interval?: number | undefined
}

export interface TextHeartbeatOptions {
  /** The client's text heartbeat. @default 'ping' */
  message?: string | undefined
  /** The answer. @default 'pong' */
  returnMessage?: string | undefined
}

export interface RateLimitOptions {
  /** Messages allowed in a burst, and per `interval` sustained. */
  messages: number
  /** Milliseconds. */
  interval: number
}

export interface ReliableOptions {
  /** Messages kept per session for replay; the oldest unacknowledged go first. @default 1000 */
  bufferSize?: number | undefined
  /**
   * Milliseconds a kept message stays replayable, and a session whose client went away
   * waits for it before it ends and its memory is released. @default 120000
   */
  maxAge?: number | undefined
  /** Milliseconds a new socket has to send its hello before it is closed with 1002. @default 10000 */
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
   * @default 10000
   */
  headersTimeout?: number | undefined
  /** Leave `upgrade` events to you: call `socketServer.handleUpgrade(req, socket, head)` for the requests it should take. */
  noServer?: boolean | undefined
  /** Exact path served; any other path gets 404. @default '/' */
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
  /** An `authenticate` slower than this is answered 503. @default 10000 */
  authenticateTimeout?: number | undefined
  /** The key of an identity in `clients`. @default the string, the number, or the object's `id` */
  identityKey?: ((identity: Id) => string) | undefined
  /**
   * A second connection with the same identity: `replace` closes the old one with 4409,
   * which the client's default close policy does not retry; `reject` answers the new
   * upgrade 409 (with reliable delivery, a socket whose identity got connected between its
   * upgrade and its hello is closed at the hello with 4410, not retried either). @default 'replace'
   */
  duplicate?: 'replace' | 'reject' | undefined
  /** Open connections plus handshakes in progress; beyond it upgrades get 503. @default Infinity */
  maxConnections?: number | undefined
  /**
   * Reliable sessions kept, with their replay buffers: past it a new session ends the one
   * whose client has been away longest, as if it had expired (`stats.sessions.evictedSessions`,
   * a `disconnect`). Sessions whose client is connected are never ended for room; those are
   * bounded by `maxConnections`. @default 10000
   */
  maxSessions?: number | undefined
  /** Largest message accepted, in bytes; a bigger one closes the connection with 1009. @default 1048576 */
  maxPayload?: number | undefined
  /** Protocol-level ping sweeps that terminate peers which did not answer the last one. @default true (30 s) */
  heartbeat?: boolean | HeartbeatSweepOptions | undefined
  /** Answer the client's text heartbeat; it never reaches handlers. @default true ('ping' → 'pong') */
  textHeartbeat?: boolean | TextHeartbeatOptions | undefined
  /** Per-client message rate; a client going over it is closed with 1008. @default { messages: 1000, interval: 10000 } */
  rateLimit?: false | RateLimitOptions | undefined
  /** Slow consumers. @default { maxBufferedBytes: 1048576, policy: 'drop' } */
  backpressure?: BackpressureOptions | undefined
  /** Envelope field names, as configured on the client. @default { type: 'type', data: 'data', id: 'id', error: 'error' } */
  keys?: Partial<EnvelopeKeys> | undefined
  /** Send the message of any error a handler throws to the client, not only `RequestError`s. @default false */
  exposeErrors?: boolean | undefined
  /** How long `close()` waits for clients to finish the closing handshake before terminating them. @default 5000 */
  closeTimeout?: number | undefined
  /** Picks the subprotocol to answer with. @default the first offered that is not a `token.` credential */
  handleProtocols?:
    | ((protocols: ReadonlySet<string>, req: IncomingMessage) => string | false)
    | undefined
  /**
   * `'reliable'` (or `{ reliable: { bufferSize, maxAge, helloTimeout } }`): acknowledged
   * delivery and session resume, for clients created with `delivery: reliable`. Every
   * client must then start with the hello; one that does not is closed with 1002.
   * @default 'plain'
   */
  delivery?: 'plain' | 'reliable' | { reliable: ReliableOptions } | undefined
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
}

export const DEFAULTS = {
  path: '/',
  authenticateTimeout: 10_000,
  headersTimeout: 10_000,
  duplicate: 'replace',
  maxConnections: Number.POSITIVE_INFINITY,
  maxSessions: 10_000,
  maxPayload: 1024 * 1024,
  heartbeatInterval: 30_000,
  rateLimit: { messages: 1000, interval: 10_000 },
  maxBufferedBytes: 1024 * 1024,
  backpressurePolicy: 'drop',
  closeTimeout: 5_000,
} as const

/** A subprotocol carrying a credential, e.g. `token.eyJhbGciOi…`. */
export const TOKEN_PROTOCOL_PREFIX = 'token.'

// A record, not a list: the compiler then insists every option is named here.
const OPTION_NAMES: { [K in keyof SocketServerOptions]-?: true } = {
  server: true,
  port: true,
  host: true,
  headersTimeout: true,
  noServer: true,
  path: true,
  origins: true,
  authenticate: true,
  authenticateTimeout: true,
  identityKey: true,
  duplicate: true,
  maxConnections: true,
  maxSessions: true,
  maxPayload: true,
  heartbeat: true,
  textHeartbeat: true,
  rateLimit: true,
  backpressure: true,
  keys: true,
  exposeErrors: true,
  closeTimeout: true,
  handleProtocols: true,
  delivery: true,
}
const KNOWN = new Set(Object.keys(OPTION_NAMES))

const WHERE = 'createSocketServer'

function fail(problem: string, fix: string): never {
  throw usageError(WHERE, problem, fix)
}

const EXAMPLES: Record<string, number> = {
  'heartbeat.interval': 30_000,
  'rateLimit.messages': 100,
  'rateLimit.interval': 1_000,
  authenticateTimeout: 10_000,
  headersTimeout: 10_000,
  maxConnections: 10_000,
  maxSessions: 10_000,
  maxPayload: 1_048_576,
  'backpressure.maxBufferedBytes': 1_048_576,
  closeTimeout: 5_000,
  'delivery.reliable.bufferSize': 1_000,
  'delivery.reliable.maxAge': 120_000,
  'delivery.reliable.helloTimeout': 10_000,
}

function resolveDelivery(option: SocketServerOptions['delivery']): ReliableConfig | null {
  if (option === undefined || option === 'plain') return null
  if (option === 'reliable') return RELIABLE_DEFAULTS
  const reliable = (option as { reliable?: unknown } | null)?.reliable
  if (typeof option !== 'object' || typeof reliable !== 'object' || reliable === null) {
    fail(
      `\`delivery\` must be 'plain', 'reliable' or { reliable: { bufferSize, maxAge } }, got ${describe(option)}`,
      "Pass `delivery: 'reliable'` for the defaults (1000 messages, 2 minutes).",
    )
  }
  const { bufferSize, maxAge, helloTimeout } = reliable as ReliableOptions
  return {
    bufferSize: positiveInteger(
      'delivery.reliable.bufferSize',
      bufferSize ?? RELIABLE_DEFAULTS.bufferSize,
      'messages',
    ),
    maxAge: positiveInteger(
      'delivery.reliable.maxAge',
      maxAge ?? RELIABLE_DEFAULTS.maxAge,
      'milliseconds',
    ),
    helloTimeout: positiveInteger(
      'delivery.reliable.helloTimeout',
      helloTimeout ?? RELIABLE_DEFAULTS.helloTimeout,
      'milliseconds',
    ),
  }
}

function positiveInteger(
  name: string,
  value: unknown,
  unit: string,
  allowInfinity = false,
): number {
  const ok =
    typeof value === 'number' &&
    value > 0 &&
    (Number.isSafeInteger(value) || (allowInfinity && value === Number.POSITIVE_INFINITY))
  if (!ok) {
    const infinity = allowInfinity ? ' or Infinity' : ''
    fail(
      `\`${name}\` must be a positive integer (${unit})${infinity}, got ${describe(value)}`,
      `Pass e.g. \`${name}: ${EXAMPLES[name] ?? 1000}\`, or leave it out for the default.`,
    )
  }
  return value
}

function isHttpServerLike(value: unknown): value is HttpServer {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { on?: unknown }).on === 'function' &&
    typeof (value as { listen?: unknown }).listen === 'function'
  )
}

export function defaultIdentityKey(identity: IdentityLike): string {
  if (typeof identity === 'string' && identity.length > 0) return identity
  if (typeof identity === 'number' && Number.isFinite(identity)) return String(identity)
  if (typeof identity === 'object' && identity !== null) {
    const id: unknown = identity.id
    if (
      (typeof id === 'string' && id.length > 0) ||
      (typeof id === 'number' && Number.isFinite(id))
    ) {
      return String(id)
    }
  }
  throw usageError(
    'authenticate',
    `returned ${describe(identity)}, which has no key for \`server.clients\``,
    'Return a non-empty string, a number, an object with an `id`, or set the `identityKey` option.',
  )
}

function normalizeOriginEntry(entry: unknown): string {
  if (typeof entry === 'string') {
    try {
      const url = new URL(entry)
      const bare =
        url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password
      if (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        bare &&
        !entry.endsWith('/.')
      ) {
        return url.origin
      }
    } catch {
      // reported below with the fix
    }
  }
  return fail(
    `\`origins\` entry ${describe(entry)} is not an origin`,
    "Write each as scheme://host[:port] with no path, e.g. 'https://app.example.com'.",
  )
}

function resolveOrigins(
  option: SocketServerOptions['origins'],
): ResolvedOptions<string>['origins'] {
  if (option === undefined) return null
  if (typeof option === 'function') return option
  if (!Array.isArray(option)) {
    fail(
      `\`origins\` must be an array of origins or a function, got ${describe(option)}`,
      "Pass e.g. `origins: ['https://app.example.com']`.",
    )
  }
  if (option.length === 0) {
    fail(
      '`origins` is empty, so every browser would be refused',
      'List the allowed origins, or leave `origins` out to allow any.',
    )
  }
  const allowed = new Set(option.map(normalizeOriginEntry))
  return (origin) => {
    // Non-browser clients send no Origin and could forge one anyway: authentication, not
    // this list, is what stops them. The list stops other sites' pages (CSWSH).
    if (origin === undefined) return true
    try {
      return allowed.has(new URL(origin).origin)
    } catch {
      return false
    }
  }
}

function resolveKeys(option: SocketServerOptions['keys']): EnvelopeKeys {
  if (option === undefined) return DEFAULT_ENVELOPE_KEYS
  if (typeof option !== 'object' || option === null) {
    fail(
      `\`keys\` must be an object, got ${describe(option)}`,
      "Pass e.g. `keys: { type: 'ModeCode', data: 'msg' }`.",
    )
  }
  const keys = resolveEnvelopeKeys(option)
  const names = Object.entries(keys)
  for (const [field, name] of names) {
    if (typeof name !== 'string' || name.length === 0) {
      fail(
        `\`keys.${field}\` must be a non-empty string, got ${describe(name)}`,
        'Use the field name your messages carry.',
      )
    }
    // Writing an envelope under one of these names would set a prototype, not a field.
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') {
      fail(`\`keys.${field}\` cannot be ${JSON.stringify(name)}`, 'Pick a plain field name.')
    }
  }
  if (new Set(names.map(([, name]) => name)).size !== names.length) {
    fail(
      `\`keys\` must name four different fields, got ${JSON.stringify(keys)}`,
      'Give each of type, data, id and error its own name.',
    )
  }
  return keys
}

function defaultHandleProtocols(protocols: ReadonlySet<string>): string | false {
  let credential: string | false = false
  for (const protocol of protocols) {
    if (!protocol.startsWith(TOKEN_PROTOCOL_PREFIX)) return protocol
    credential ||= protocol
  }
  // Browsers fail a handshake that offered protocols and got none back, so a lone
  // credential protocol is echoed: the client already holds it.
  return credential
}

export function resolveOptions<Id extends IdentityLike>(
  options: SocketServerOptions<Id>,
): ResolvedOptions<Id> {
  if (typeof options !== 'object' || options === null) {
    fail(
      `expected an options object, got ${describe(options)}`,
      'Pass `{ server }` to attach to an http.Server or `{ port }` to listen.',
    )
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      const near = [...KNOWN].find(
        (known) => known.toLowerCase() === key.toLowerCase() || levenshtein(known, key) <= 2,
      )
      fail(
        `unknown option \`${key}\``,
        near ? `Did you mean \`${near}\`?` : `Known options: ${[...KNOWN].join(', ')}.`,
      )
    }
  }

  const given = [
    options.server !== undefined,
    options.port !== undefined,
    options.noServer === true,
  ].filter(Boolean).length
  if (given !== 1) {
    fail(
      given === 0
        ? 'no server to attach to and no port to listen on'
        : 'give only one of `server`, `port` and `noServer`',
      'Pass `{ server: httpServer }` to attach, `{ port: 8080 }` to listen, or `{ noServer: true }` to route upgrades yourself.',
    )
  }
  if (options.server !== undefined && !isHttpServerLike(options.server)) {
    fail(
      `\`server\` must be an http.Server or https.Server, got ${describe(options.server)}`,
      'Pass the server from `http.createServer()`.',
    )
  }
  if (
    options.port !== undefined &&
    !(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)
  ) {
    fail(
      `\`port\` must be an integer from 0 to 65535, got ${describe(options.port)}`,
      'Use 0 to let the system pick a free port.',
    )
  }
  if (
    options.host !== undefined &&
    (typeof options.host !== 'string' || options.port === undefined)
  ) {
    fail(
      '`host` goes with `port` and must be a string',
      "Pass e.g. `{ port: 8080, host: '127.0.0.1' }`.",
    )
  }

  if (options.headersTimeout !== undefined && options.port === undefined) {
    fail(
      '`headersTimeout` applies to the server created with `port`',
      'Set it where you create yours: `http.createServer({ headersTimeout: 10000, requestTimeout: 10000, connectionsCheckingInterval: 1000 })`.',
    )
  }

  const path = options.path ?? DEFAULTS.path
  if (typeof path !== 'string' || !path.startsWith('/') || /[?#\s]/.test(path)) {
    fail(
      `\`path\` must start with '/' and hold no query, fragment or space, got ${describe(path)}`,
      "Pass e.g. `path: '/ws'`.",
    )
  }

  if (options.authenticate !== undefined && typeof options.authenticate !== 'function') {
    fail(
      `\`authenticate\` must be a function, got ${describe(options.authenticate)}`,
      'Pass `(req, info) => identity | refuse(401)`.',
    )
  }
  if (options.identityKey !== undefined && typeof options.identityKey !== 'function') {
    fail(
      `\`identityKey\` must be a function, got ${describe(options.identityKey)}`,
      'Pass e.g. `(user) => user.email`.',
    )
  }
  if (options.handleProtocols !== undefined && typeof options.handleProtocols !== 'function') {
    fail(
      `\`handleProtocols\` must be a function, got ${describe(options.handleProtocols)}`,
      'Return the chosen protocol or false.',
    )
  }
  const duplicate = options.duplicate ?? DEFAULTS.duplicate
  if (duplicate !== 'replace' && duplicate !== 'reject') {
    fail(
      `\`duplicate\` must be 'replace' or 'reject', got ${describe(duplicate)}`,
      "Use 'replace' to let the newest connection win.",
    )
  }

  const heartbeat = options.heartbeat ?? true
  let heartbeatInterval: number | null = null
  if (heartbeat === true) heartbeatInterval = DEFAULTS.heartbeatInterval
  else if (typeof heartbeat === 'object' && heartbeat !== null) {
    heartbeatInterval = positiveInteger(
      'heartbeat.interval',
      heartbeat.interval ?? DEFAULTS.heartbeatInterval,
      'milliseconds',
    )
  } else if (heartbeat !== false) {
    fail(
      `\`heartbeat\` must be a boolean or { interval }, got ${describe(heartbeat)}`,
      'Pass e.g. `heartbeat: { interval: 30000 }`.',
    )
  }

  const text = options.textHeartbeat ?? true
  let textHeartbeat: ResolvedOptions<Id>['textHeartbeat'] = null
  if (text === true)
    textHeartbeat = {
      message: HEARTBEAT_DEFAULTS.message,
      returnMessage: HEARTBEAT_DEFAULTS.returnMessage,
    }
  else if (typeof text === 'object' && text !== null) {
    textHeartbeat = {
      message: text.message ?? HEARTBEAT_DEFAULTS.message,
      returnMessage: text.returnMessage ?? HEARTBEAT_DEFAULTS.returnMessage,
    }
    if (
      typeof textHeartbeat.message !== 'string' ||
      textHeartbeat.message.length === 0 ||
      typeof textHeartbeat.returnMessage !== 'string'
    ) {
      fail(
        '`textHeartbeat.message` and `returnMessage` must be strings (message non-empty)',
        'Use the same values as the client’s `heartbeat` option.',
      )
    }
  } else if (text !== false) {
    fail(
      `\`textHeartbeat\` must be a boolean or { message, returnMessage }, got ${describe(text)}`,
      "Pass e.g. `textHeartbeat: { message: 'ping', returnMessage: 'pong' }`.",
    )
  }

  const rate = options.rateLimit === undefined ? DEFAULTS.rateLimit : options.rateLimit
  let rateLimit: RateLimitOptions | null = null
  if (rate !== false) {
    if (typeof rate !== 'object' || rate === null) {
      fail(
        `\`rateLimit\` must be false or { messages, interval }, got ${describe(rate)}`,
        'Pass e.g. `rateLimit: { messages: 100, interval: 1000 }`.',
      )
    }
    rateLimit = {
      messages: positiveInteger('rateLimit.messages', rate.messages, 'messages'),
      interval: positiveInteger('rateLimit.interval', rate.interval, 'milliseconds'),
    }
  }

  const backpressure = options.backpressure ?? {}
  if (typeof backpressure !== 'object' || backpressure === null) {
    fail(
      `\`backpressure\` must be an object, got ${describe(backpressure)}`,
      "Pass e.g. `backpressure: { maxBufferedBytes: 1048576, policy: 'drop' }`.",
    )
  }
  const backpressurePolicy = backpressure.policy ?? DEFAULTS.backpressurePolicy
  if (backpressurePolicy !== 'drop' && backpressurePolicy !== 'close') {
    fail(
      `\`backpressure.policy\` must be 'drop' or 'close', got ${describe(backpressurePolicy)}`,
      "Use 'drop' to skip messages for a slow client, 'close' to disconnect it.",
    )
  }

  const exposeErrors = options.exposeErrors ?? false
  if (typeof exposeErrors !== 'boolean') {
    fail(`\`exposeErrors\` must be a boolean, got ${describe(exposeErrors)}`, 'Pass true or false.')
  }

  return {
    mode:
      options.server !== undefined ? 'attach' : options.port !== undefined ? 'listen' : 'noServer',
    server: options.server,
    port: options.port,
    host: options.host,
    headersTimeout:
      options.port === undefined
        ? null
        : positiveInteger(
            'headersTimeout',
            options.headersTimeout ?? DEFAULTS.headersTimeout,
            'milliseconds',
          ),
    path,
    origins: resolveOrigins(options.origins),
    authenticate: options.authenticate,
    authenticateTimeout: positiveInteger(
      'authenticateTimeout',
      options.authenticateTimeout ?? DEFAULTS.authenticateTimeout,
      'milliseconds',
    ),
    identityKey: options.identityKey ?? defaultIdentityKey,
    duplicate,
    maxConnections: positiveInteger(
      'maxConnections',
      options.maxConnections ?? DEFAULTS.maxConnections,
      'connections',
      true,
    ),
    maxSessions: positiveInteger(
      'maxSessions',
      options.maxSessions ?? DEFAULTS.maxSessions,
      'sessions',
    ),
    maxPayload: positiveInteger('maxPayload', options.maxPayload ?? DEFAULTS.maxPayload, 'bytes'),
    heartbeatInterval,
    textHeartbeat,
    rateLimit,
    maxBufferedBytes: positiveInteger(
      'backpressure.maxBufferedBytes',
      backpressure.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
      'bytes',
    ),
    backpressurePolicy,
    keys: resolveKeys(options.keys),
    exposeErrors,
    closeTimeout: positiveInteger(
      'closeTimeout',
      options.closeTimeout ?? DEFAULTS.closeTimeout,
      'milliseconds',
    ),
    handleProtocols: options.handleProtocols ?? defaultHandleProtocols,
    reliable: resolveDelivery(options.delivery),
  }
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}
