import { type IncomingMessage, STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import { isPromiseLike, type MaybePromise } from './adapter'
import { SocketServerError, usageError } from './errors'
import type { ResolvedOptions } from './options-types'
import type { IdentityLike, RefusalInfo, RefusalReason } from './types'
import {
  type AuthenticateResult,
  isRefusal,
  TOKEN_PROTOCOL_PREFIX,
  type UpgradeInfo,
} from './upgrade-types'

/** What the upgrade pipeline needs from the server. */
export interface UpgradeHost<Id extends IdentityLike> {
  readonly options: ResolvedOptions<Id>
  isClosing(): boolean
  /** Open connections. */
  openCount(): number
  /** Whether an identity key is connected now (a shared store answers later). */
  isConnected(key: string): MaybePromise<boolean>
  /** Runs the handshake; false if `ws` turned it down. Registers the client synchronously, so the duplicate check just before cannot race another handshake. */
  complete(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    identity: Id | undefined,
    key: string | undefined,
  ): boolean
  refused(info: RefusalInfo): void
  report(error: SocketServerError): void
}

export interface UpgradeHandler {
  (req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Handshakes waiting on `authenticate`. */
  readonly pending: ReadonlySet<Duplex>
  /** Resolves once no handshake is waiting on `authenticate`. */
  idle(): Promise<void>
}

const KEY = /^[+/0-9A-Za-z]{22}==$/
// RFC 7230 token characters: what a subprotocol name may hold.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

interface Problem {
  status: number
  message: string
  headers?: Record<string, string>
}

/** The checks `ws` makes during the handshake, made first so `authenticate` never runs for a request `ws` would refuse. */
function checkHandshake(req: IncomingMessage): Problem | null {
  if (req.method !== 'GET') return { status: 405, message: 'WebSocket upgrades must use GET' }
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
    return { status: 400, message: 'Invalid Upgrade header: expected "websocket"' }
  }
  const key = req.headers['sec-websocket-key']
  if (key === undefined || !KEY.test(key))
    return { status: 400, message: 'Missing or invalid Sec-WebSocket-Key header' }
  const version = req.headers['sec-websocket-version']
  if (version !== '13' && version !== '8') {
    return {
      status: 400,
      message: 'Missing or unsupported Sec-WebSocket-Version header',
      headers: { 'Sec-WebSocket-Version': '13, 8' },
    }
  }
  const protocols = req.headers['sec-websocket-protocol']
  if (protocols !== undefined) {
    const list = protocols.split(',').map((p) => p.trim())
    if (list.some((p) => !TOKEN.test(p)) || new Set(list).size !== list.length) {
      return { status: 400, message: 'Invalid Sec-WebSocket-Protocol header' }
    }
  }
  return null
}

/** Answers an upgrade with a plain HTTP error response, then closes the socket. */
export function writeRefusal(
  socket: Duplex,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(message)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ]
  socket.once('finish', () => socket.destroy())
  socket.end(`${lines.join('\r\n')}\r\n\r\n${message}`)
}

function splitUrl(url: string): { path: string; query: URLSearchParams } {
  // Not `new URL(url, base)`: a request line like `//evil.example/x` would be read as a host.
  const index = url.indexOf('?')
  return index === -1
    ? { path: url, query: new URLSearchParams() }
    : { path: url.slice(0, index), query: new URLSearchParams(url.slice(index + 1)) }
}

function findToken(
  req: IncomingMessage,
  query: URLSearchParams,
  protocols: readonly string[],
): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
  if (bearer) return bearer[1]
  const fromQuery = query.get('token')
  if (fromQuery) return fromQuery
  for (const protocol of protocols) {
    if (
      protocol.startsWith(TOKEN_PROTOCOL_PREFIX) &&
      protocol.length > TOKEN_PROTOCOL_PREFIX.length
    ) {
      return protocol.slice(TOKEN_PROTOCOL_PREFIX.length)
    }
  }
  return undefined
}

function readOrigin(req: IncomingMessage): string | undefined {
  const origin = req.headers.origin ?? req.headers['sec-websocket-origin']
  return Array.isArray(origin) ? origin[0] : origin
}

const TIMED_OUT = Symbol('timed out')

function withTimeout<T>(value: T | PromiseLike<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  // Not `instanceof Promise`: a query object from a database driver is awaitable too, and
  // untimed it would hold the socket and its `maxConnections` slot for as long as it hangs.
  if (!isPromiseLike(value)) return Promise.resolve(value)
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT)
  })
  return (Promise.race([value, timeout]) as Promise<T | typeof TIMED_OUT>).finally(() =>
    clearTimeout(timer),
  )
}

/**
 * The upgrade pipeline, cheapest checks first: handshake headers (400/405), exact path
 * (404), shutdown and capacity (503), origin (403), `authenticate` (401 or its own
 * status; 500 if it throws, 503 if it hangs), duplicate identity (409), then the
 * handshake. Every refusal is a real HTTP response written before any WebSocket frame.
 */
export function createUpgradeHandler<Id extends IdentityLike>(
  host: UpgradeHost<Id>,
): UpgradeHandler {
  const { options } = host
  const pending = new Set<Duplex>()
  let wake: Array<() => void> = []
  const settle = (socket: Duplex) => {
    pending.delete(socket)
    if (pending.size > 0) return
    const waiting = wake
    wake = []
    for (const resolve of waiting) resolve()
  }
  const idle = () =>
    pending.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => wake.push(resolve))

  const turnAway = (
    req: IncomingMessage,
    socket: Duplex,
    reason: RefusalReason,
    problem: Problem,
  ) => {
    writeRefusal(socket, problem.status, problem.message, problem.headers)
    host.refused({
      reason,
      status: problem.status,
      message: problem.message,
      url: req.url ?? '',
      remoteAddress: req.socket.remoteAddress,
    })
  }

  const hookFailed = (req: IncomingMessage, socket: Duplex, what: string, cause: unknown) => {
    host.report(
      new SocketServerError(
        'UPGRADE_ERROR',
        `${what} threw while checking an upgrade to ${req.url ?? ''}; the request was answered 500`,
        { cause },
      ),
    )
    turnAway(req, socket, 'upgrade-error', { status: 500, message: 'Internal Server Error' })
  }

  async function authenticateAndComplete(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    info: UpgradeInfo,
  ) {
    let identity: Id | undefined
    let key: string | undefined
    if (options.authenticate) {
      pending.add(socket)
      let result: AuthenticateResult<Id> | typeof TIMED_OUT
      try {
        result = await withTimeout<AuthenticateResult<Id>>(
          options.authenticate(req, info),
          options.authenticateTimeout,
        )
      } catch (error) {
        return hookFailed(req, socket, '`authenticate`', error)
      } finally {
        settle(socket)
      }
      if (socket.destroyed) return
      if (result === TIMED_OUT) {
        return turnAway(req, socket, 'upgrade-error', {
          status: 503,
          message: 'Authentication timed out',
        })
      }
      if (isRefusal(result)) return turnAway(req, socket, 'authenticate', result)
      if (result === null || result === undefined || result === false || result === '') {
        return turnAway(req, socket, 'authenticate', { status: 401, message: 'Unauthorized' })
      }
      identity = result
      try {
        key = options.identityKey(identity)
        if (typeof key !== 'string' || key.length === 0) {
          throw usageError(
            'identityKey',
            `returned ${JSON.stringify(key) ?? String(key)}`,
            'Return a non-empty string.',
          )
        }
      } catch (error) {
        return hookFailed(req, socket, '`identityKey`', error)
      }
      // Awaited only when the store is remote: between this check and `complete` nothing
      // else may run, or two handshakes of one identity could both pass.
      const connected = options.duplicate === 'reject' && host.isConnected(key)
      if (isPromiseLike(connected) ? await connected : connected) {
        return turnAway(req, socket, 'duplicate', {
          status: 409,
          message: 'Already connected with this identity',
        })
      }
      // Checked last: `close()` may have begun while the store answered, and it no longer
      // waits for this socket, so a handshake completed now would outlive the server.
      if (host.isClosing())
        return turnAway(req, socket, 'shutting-down', {
          status: 503,
          message: 'Server shutting down',
        })
    }
    if (!host.complete(req, socket, head, identity, key))
      host.refused({
        reason: 'handshake',
        status: 400,
        message: 'Handshake failed',
        url: req.url ?? '',
        remoteAddress: req.socket.remoteAddress,
      })
  }

  const handler = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A reset during the checks must not become an unhandled 'error' that kills the process.
    const onError = () => socket.destroy()
    socket.on('error', onError)
    const done = () => socket.off('error', onError)

    const bad = checkHandshake(req)
    if (bad) return turnAway(req, socket, 'handshake', bad)
    const { path, query } = splitUrl(req.url ?? '/')
    if (path !== options.path)
      return turnAway(req, socket, 'path', { status: 404, message: 'Not Found' })
    if (host.isClosing())
      return turnAway(req, socket, 'shutting-down', {
        status: 503,
        message: 'Server shutting down',
      })
    if (host.openCount() + pending.size >= options.maxConnections) {
      return turnAway(req, socket, 'capacity', {
        status: 503,
        message: 'Too many connections',
        headers: { 'Retry-After': '5' },
      })
    }
    const origin = readOrigin(req)
    if (options.origins) {
      let allowed: boolean
      try {
        allowed = options.origins(origin, req)
      } catch (error) {
        return hookFailed(req, socket, 'the `origins` function', error)
      }
      if (!allowed)
        return turnAway(req, socket, 'origin', { status: 403, message: 'Origin not allowed' })
    }
    const protocols = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p.length > 0)
    const info: UpgradeInfo = {
      path,
      query,
      origin,
      protocols,
      token: findToken(req, query, protocols),
    }
    authenticateAndComplete(req, socket, head, info)
      .catch((error: unknown) => hookFailed(req, socket, 'the upgrade', error))
      .finally(done)
  }
  return Object.assign(handler, { pending: pending as ReadonlySet<Duplex>, idle })
}
