import { STATUS_CODES } from 'node:http'
import { usageError } from './errors'

/** A subprotocol carrying a credential, e.g. `token.eyJhbGciOi…`. */
export const TOKEN_PROTOCOL_PREFIX = 'token.'

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

const REFUSAL = Symbol.for('@tethered/server.refusal')

/** An upgrade turned away by `authenticate`, answered with a real HTTP status. */
export interface Refusal {
  readonly [REFUSAL]: true
  readonly status: number
  readonly message: string
}

/** An identity accepts the upgrade; a `refuse()` or a falsy value (401) turns it away. */
export type AuthenticateResult<Id> = Id | Refusal | null | undefined | false

/**
 * Return this from `authenticate` to turn the upgrade away with `status` (401 by default;
 * 403 for "known but not allowed") and a short plain-text `message`.
 */
export function refuse(status = 401, message?: string): Refusal {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw usageError(
      `refuse(${String(status)})`,
      'the status must be an HTTP error status from 400 to 599',
      'Use 401 for a missing or bad credential, 403 for a forbidden one.',
    )
  }
  return { [REFUSAL]: true, status, message: message ?? STATUS_CODES[status] ?? 'Refused' }
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && REFUSAL in value
}

/** The default `handleProtocols`. */
export function defaultHandleProtocols(protocols: ReadonlySet<string>): string | false {
  let credential: string | false = false
  for (const protocol of protocols) {
    if (!protocol.startsWith(TOKEN_PROTOCOL_PREFIX)) return protocol
    credential ||= protocol
  }
  // Browsers fail a handshake that offered protocols and got none back, so a lone
  // credential protocol is echoed: the client already holds it.
  return credential
}
