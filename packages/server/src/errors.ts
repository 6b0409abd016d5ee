/** Why the server reported an error. */
export type SocketServerErrorCode =
  /** A text message that is not JSON. The connection is kept. */
  | 'MALFORMED_JSON'
  /** JSON without a string `type` (under the configured keys). The connection is kept. */
  | 'NOT_AN_ENVELOPE'
  /** A request whose id is not a safe integer (`"7"`, `1.5`, `2**60`); it got a `BAD_REQUEST_ID` error reply. The connection is kept. */
  | 'BAD_REQUEST_ID'
  /** A binary frame: envelopes are JSON text. The connection is kept. */
  | 'BINARY_MESSAGE'
  /** A `handle()` handler threw or rejected; the client got an error reply. */
  | 'HANDLER_ERROR'
  /** A `client.on()` or `server.on()` listener threw. */
  | 'LISTENER_ERROR'
  /** `authenticate`, an `origins` function or `identityKey` threw; the upgrade was answered 500. */
  | 'UPGRADE_ERROR'
  /** A reply or emit could not be serialized as JSON. */
  | 'SERIALIZE_ERROR'
  /** The socket reported an error (invalid frame, payload too big, reset…). */
  | 'SOCKET_ERROR'
  /** The server could not listen on the requested port/host. */
  | 'LISTEN_ERROR'
  /** The state adapter (`adapter` option) failed, e.g. its store is unreachable. The server carries on. */
  | 'ADAPTER_ERROR'

/**
 * Errors reached through `server.on('error', …)`. `clientId` names the connection
 * involved, if any; `cause` holds what was thrown.
 */
export class SocketServerError extends Error {
  override readonly name = 'SocketServerError'
  readonly code: SocketServerErrorCode
  readonly clientId: string | undefined

  constructor(
    code: SocketServerErrorCode,
    message: string,
    options: { clientId?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined)
    this.code = code
    this.clientId = options.clientId
  }
}

/**
 * Throw this from a `handle()` handler to send `message` (and `code`) to the client as is.
 * Anything else thrown is reported to `server.on('error')` and the client only gets
 * "Internal server error", so internals never leak (unless `exposeErrors` is on).
 */
export class RequestError extends Error {
  override readonly name = 'RequestError'
  readonly code: string | undefined

  constructor(message: string, code?: string) {
    super(message)
    this.code = code
  }
}

/** The error thrown for invalid options and arguments: it names the problem and the fix. */
export function usageError(where: string, problem: string, fix: string): TypeError {
  return new TypeError(`${where}: ${problem}. ${fix}`)
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  return String(value)
}

/** Event and request types are non-empty strings (they are only ever Map keys). */
export function assertTypeName(where: string, type: unknown, fix: string): void {
  if (typeof type !== 'string' || type.length === 0) {
    throw usageError(
      where,
      `the type must be a non-empty string, got ${JSON.stringify(type) ?? String(type)}`,
      fix,
    )
  }
}

/** Listeners and handlers: `what` names the argument, `fix` shows one. */
export function assertFunction(where: string, value: unknown, what: string, fix: string): void {
  if (typeof value !== 'function') throw usageError(where, `the ${what} must be a function`, fix)
}

/** A reliable message its session log could not keep: not sent, and the session is ended. */
export function logFailed(clientId: string, error: unknown): SocketServerError {
  const detail = error instanceof Error ? error.message : String(error)
  return new SocketServerError(
    'ADAPTER_ERROR',
    `a reliable message to client ${clientId} could not be stored, so it was not sent and the session is ended (its client is told it was not resumed): ${detail}`,
    { clientId, cause: error },
  )
}
