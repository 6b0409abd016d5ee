import type { AdapterMember, StateAdapter } from './adapter'
import { DEFAULTS } from './defaults'
import { resolveKeys } from './envelope'
import { describe, usageError } from './errors'
import { memoryAdapter } from './memory-adapter'
import { fail, isHttpServerLike, levenshtein, positiveInteger } from './option-checks'
import type {
  RateLimitOptions,
  ReliableConfig,
  ReliableOptions,
  ResolvedOptions,
  SocketServerOptions,
} from './options-types'
import { resolveOrigins } from './origins'
import type { IdentityLike } from './types'
import { defaultHandleProtocols } from './upgrade-types'

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
  maxPendingRequests: true,
  heartbeat: true,
  textHeartbeat: true,
  rateLimit: true,
  backpressure: true,
  keys: true,
  exposeErrors: true,
  closeTimeout: true,
  handleProtocols: true,
  delivery: true,
  adapter: true,
}
const KNOWN = new Set(Object.keys(OPTION_NAMES))

const ADAPTER_METHODS = [
  'attach',
  'register',
  'unregister',
  'isConnected',
  'join',
  'leave',
] as const

function resolveAdapter(option: SocketServerOptions['adapter']): StateAdapter<AdapterMember> {
  if (option === undefined) return memoryAdapter()
  const missing = ADAPTER_METHODS.find(
    (name) =>
      typeof (option as unknown as Partial<Record<string, unknown>> | null)?.[name] !== 'function',
  )
  if (missing !== undefined) {
    fail(
      `\`adapter\` must be a state adapter, got ${describe(option)} (no \`${missing}()\`)`,
      'Pass `memoryAdapter()` (the default), or an adapter such as `redisAdapter()`.',
    )
  }
  return option
}

function resolveDelivery(option: SocketServerOptions['delivery']): ReliableConfig | null {
  if (option === undefined || option === 'plain') return null
  if (option === 'reliable') return DEFAULTS.reliable
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
      bufferSize,
      'messages',
      DEFAULTS.reliable.bufferSize,
    ),
    maxAge: positiveInteger(
      'delivery.reliable.maxAge',
      maxAge,
      'milliseconds',
      DEFAULTS.reliable.maxAge,
    ),
    helloTimeout: positiveInteger(
      'delivery.reliable.helloTimeout',
      helloTimeout,
      'milliseconds',
      DEFAULTS.reliable.helloTimeout,
    ),
  }
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
      heartbeat.interval,
      'milliseconds',
      DEFAULTS.heartbeatInterval,
    )
  } else if (heartbeat !== false) {
    fail(
      `\`heartbeat\` must be a boolean or { interval }, got ${describe(heartbeat)}`,
      'Pass e.g. `heartbeat: { interval: 30000 }`.',
    )
  }

  const text = options.textHeartbeat ?? true
  let textHeartbeat: ResolvedOptions<Id>['textHeartbeat'] = null
  if (text === true) textHeartbeat = DEFAULTS.textHeartbeat
  else if (typeof text === 'object' && text !== null) {
    textHeartbeat = {
      message: text.message ?? DEFAULTS.textHeartbeat.message,
      returnMessage: text.returnMessage ?? DEFAULTS.textHeartbeat.returnMessage,
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
      messages: positiveInteger(
        'rateLimit.messages',
        rate.messages,
        'messages',
        DEFAULTS.rateLimit.messages,
        { required: true },
      ),
      interval: positiveInteger(
        'rateLimit.interval',
        rate.interval,
        'milliseconds',
        DEFAULTS.rateLimit.interval,
        { required: true },
      ),
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
            options.headersTimeout,
            'milliseconds',
            DEFAULTS.headersTimeout,
          ),
    path,
    origins: resolveOrigins(options.origins),
    authenticate: options.authenticate,
    authenticateTimeout: positiveInteger(
      'authenticateTimeout',
      options.authenticateTimeout,
      'milliseconds',
      DEFAULTS.authenticateTimeout,
    ),
    identityKey: options.identityKey ?? defaultIdentityKey,
    duplicate,
    maxConnections: positiveInteger(
      'maxConnections',
      options.maxConnections,
      'connections',
      DEFAULTS.maxConnections,
      {
        infinity: true,
      },
    ),
    maxSessions: positiveInteger(
      'maxSessions',
      options.maxSessions,
      'sessions',
      DEFAULTS.maxSessions,
    ),
    maxPayload: positiveInteger('maxPayload', options.maxPayload, 'bytes', DEFAULTS.maxPayload),
    maxPendingRequests: positiveInteger(
      'maxPendingRequests',
      options.maxPendingRequests,
      'requests',
      DEFAULTS.maxPendingRequests,
      { infinity: true },
    ),
    heartbeatInterval,
    textHeartbeat,
    rateLimit,
    maxBufferedBytes: positiveInteger(
      'backpressure.maxBufferedBytes',
      backpressure.maxBufferedBytes,
      'bytes',
      DEFAULTS.maxBufferedBytes,
    ),
    backpressurePolicy,
    keys: resolveKeys(options.keys),
    exposeErrors,
    closeTimeout: positiveInteger(
      'closeTimeout',
      options.closeTimeout,
      'milliseconds',
      DEFAULTS.closeTimeout,
    ),
    handleProtocols: options.handleProtocols ?? defaultHandleProtocols,
    reliable: resolveDelivery(options.delivery),
    adapter: resolveAdapter(options.adapter),
  }
}
