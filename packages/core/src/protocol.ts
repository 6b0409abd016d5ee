// The wire protocol shared by the browser engine and `@tethered/server`.
// This entry must stay free of DOM and Node types: the server imports it.

/** Version of the Tethered wire protocol described in the README. */
export const PROTOCOL_VERSION = 1

/** Default text heartbeat: the client sends `message`, the server answers `returnMessage`. */
export const HEARTBEAT_DEFAULTS = {
  message: 'ping',
  returnMessage: 'pong',
  interval: 25_000,
  timeout: 10_000,
} as const

/** Close codes with a meaning in Tethered (RFC 6455 and the IANA registry, plus our own). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  NO_STATUS: 1005,
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  BAD_GATEWAY: 1014,
  TLS_HANDSHAKE: 1015,
  UNAUTHORIZED: 3000,
  FORBIDDEN: 3003,
  TIMEOUT: 3008,
  /** The server replaced this connection by a newer one with the same identity. */
  REPLACED: 4409,
  /** The server refused this connection: one with the same identity is already connected. */
  DUPLICATE: 4410,
} as const

/** Names of the envelope fields, so existing servers fit (e.g. `{ type: 'ModeCode', data: 'msg' }`). */
export interface EnvelopeKeys {
  /** @default 'type' */
  type: string
  /** @default 'data' */
  data: string
  /** Correlates a request with its reply. @default 'id' */
  id: string
  /** Present on a reply instead of `data` when the request failed. @default 'error' */
  error: string
}

export const DEFAULT_ENVELOPE_KEYS: Readonly<EnvelopeKeys> = {
  type: 'type',
  data: 'data',
  id: 'id',
  error: 'error',
}

/** The error carried by a failed reply. */
export interface ErrorPayload {
  message: string
  code?: string
}

/** A decoded envelope: an event, a request (with `id`) or a reply (with `id`, and `error` when it failed). */
export interface Envelope<T extends string = string, D = unknown> {
  type: T
  data?: D
  id?: number
  error?: ErrorPayload
}

/** Fills in the default keys for any the caller left out. */
export function resolveEnvelopeKeys(keys?: Partial<EnvelopeKeys>): EnvelopeKeys {
  return keys ? { ...DEFAULT_ENVELOPE_KEYS, ...keys } : DEFAULT_ENVELOPE_KEYS
}

/** An envelope's fields: the default keys are named after them. */
type Field = keyof EnvelopeKeys

/**
 * Reads an envelope out of a parsed JSON value. Returns `null` when the value is not an
 * envelope. Only own properties are read, so `__proto__` or `constructor` in the payload
 * can never reach a prototype; type names are plain strings meant for `Map` lookups.
 */
export function decodeEnvelope(
  value: unknown,
  keys: EnvelopeKeys = DEFAULT_ENVELOPE_KEYS,
): Envelope | null {
  const envelope: Record<string, unknown> = {}
  if (typeof value === 'object' && value && !Array.isArray(value)) {
    for (const field in DEFAULT_ENVELOPE_KEYS) {
      const key = keys[field as Field]
      if (Object.hasOwn(value, key)) envelope[field] = (value as Record<string, unknown>)[key]
    }
  }
  const { type, id, error } = envelope
  if (typeof type !== 'string' || !type) return null
  if (!Number.isSafeInteger(id)) delete envelope.id
  if ('error' in envelope) {
    // A bare string is the message itself.
    const { message = error, code } = Object(error) as { message?: unknown; code?: unknown }
    envelope.error = {
      message: typeof message === 'string' ? message : 'request failed',
      ...(typeof code === 'string' && { code }),
    }
  }
  return envelope as unknown as Envelope
}

/** Builds the wire object for an envelope under the given keys. */
export function encodeEnvelope(
  envelope: Envelope,
  keys: EnvelopeKeys = DEFAULT_ENVELOPE_KEYS,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const field in DEFAULT_ENVELOPE_KEYS) {
    if (envelope[field as Field] !== undefined) {
      out[keys[field as Field]] = envelope[field as Field]
    }
  }
  return out
}

/**
 * Acknowledged delivery, wire format version 1 (the README documents it for other servers).
 * Every frame is text and starts with a letter and a colon:
 * - `h:{"v":1,"session":string|null,"ack":n}` client → server, first frame on a socket
 * - `w:{"v":1,"session":string,"resumed":boolean,"ack":n}` server → client, the answer
 * - `m:<seq>:<payload>` a message; `seq` counts from 1 per session and direction
 * - `a:<seq>` cumulative acknowledgement of every message up to `seq`
 * Heartbeat frames (`ping` / `pong`) stay as they are.
 */
export const RELIABLE = {
  VERSION: 1,
  HELLO: 'h:',
  WELCOME: 'w:',
  DATA: 'm:',
  ACK: 'a:',
  /** An ack goes out after this many messages… */
  ACK_EVERY: 32,
  /** …or this many ms after the first unacknowledged one, whichever comes first. */
  ACK_DELAY: 50,
} as const

export interface Hello {
  v: number
  /** The session to resume, or null for a new one. */
  session: string | null
  /** The last message sequence the client received. */
  ack: number
}

export interface Welcome {
  v: number
  session: string
  /** False when the session could not be resumed (expired, server restarted): what was missed is gone. */
  resumed: boolean
  /** The last message sequence the server received from the client. */
  ack: number
}
