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
 * Heartbeat frames (`ping` / `pong`) stay as they are. `parseFrame` reads every frame and
 * the `encode…` functions write them: both ends use them, so neither builds frames by hand.
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

/** The reliable frames, by the letter before their colon. */
export type FrameKind = 'hello' | 'welcome' | 'data' | 'ack'

/** A reliable frame, read and checked by `parseFrame`. */
export type Frame =
  | { kind: 'hello'; hello: Hello }
  | { kind: 'welcome'; welcome: Welcome }
  /** `seq` is a positive safe integer. */
  | { kind: 'data'; seq: number; payload: string }
  /** `seq` is a non-negative safe integer (0: nothing received yet). */
  | { kind: 'ack'; seq: number }

/** A frame that starts as a reliable one (`h:`, `w:`, `m:`, `a:`) but breaks the format. */
export interface MalformedFrame {
  kind: 'malformed'
  frame: FrameKind
  /** Names the frame and what is wrong, short enough for a close reason (under 100 bytes). */
  message: string
}

const malformed = (frame: FrameKind, problem: string): MalformedFrame => ({
  kind: 'malformed',
  frame,
  message: `${frame} (${frame === 'data' ? 'm' : frame[0]}:): ${problem}`,
})

/**
 * A sequence number in `text[start, end)`: plain decimal digits, no sign, exponent, point
 * or leading zero, at most `Number.MAX_SAFE_INTEGER`. -1 when it is none. Only the form
 * the encoders write is read, so a number means one thing on every implementation.
 */
function readSeq(text: string, start: number, end: number): number {
  const length = end - start
  if (length < 1 || length > 16 || (length > 1 && text.charCodeAt(start) === 48)) return -1
  let seq = 0
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return -1
    seq = seq * 10 + digit
  }
  return seq <= Number.MAX_SAFE_INTEGER ? seq : -1
}

/**
 * What was received, cut to 12 characters (36 bytes at most): it goes into messages and
 * close reasons, which must stay under 123 bytes. An object or array is named, never
 * serialised: one nested deeper than `JSON.stringify` recurses would throw.
 */
const shown = (value: unknown) =>
  typeof value === 'object' && value !== null
    ? Array.isArray(value)
      ? '(an array)'
      : '(an object)'
    : JSON.stringify(typeof value === 'string' ? value.slice(0, 10) : value).slice(0, 12)

const readHandshake = (kind: 'hello' | 'welcome', text: string): Frame | MalformedFrame => {
  let value: unknown
  try {
    value = JSON.parse(text.slice(2))
  } catch {
    return malformed(kind, 'not JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return malformed(kind, 'not a JSON object')
  }
  const { v, session, resumed, ack } = value as Record<string, unknown>
  if (v !== RELIABLE.VERSION) {
    return malformed(
      kind,
      v === undefined
        ? 'no version (v)'
        : `version ${shown(v)} not supported (this end speaks ${RELIABLE.VERSION})`,
    )
  }
  const hello = kind === 'hello'
  if (!(typeof session === 'string' ? session : hello && session === null)) {
    return malformed(kind, `session must be a non-empty string${hello ? ' or null' : ''}`)
  }
  if (!hello && typeof resumed !== 'boolean') return malformed(kind, 'resumed must be a boolean')
  if (!(Number.isSafeInteger(ack) && (ack as number) >= 0)) {
    return malformed(kind, 'ack must be a non-negative integer')
  }
  // Only the documented fields: whatever else the peer put in stays out.
  return hello
    ? { kind, hello: { v, session: session as string | null, ack: ack as number } }
    : {
        kind,
        welcome: { v, session: session as string, resumed: resumed as boolean, ack: ack as number },
      }
}

/**
 * Reads one text frame of reliable delivery. `null` when it is no reliable frame (it does
 * not start with `h:`, `w:`, `m:` or `a:`): an app message or a heartbeat, as without
 * reliable delivery. Never throws: a frame that breaks the format comes back as a
 * `MalformedFrame` saying what is wrong.
 */
export function parseFrame(text: string): Frame | MalformedFrame | null {
  if (text.charCodeAt(1) !== 58 /* : */) return null
  switch (text.charCodeAt(0)) {
    case 109 /* m */:
      {
        const colon = text.indexOf(':', 2)
        if (colon < 0) return malformed('data', "no ':' after the sequence number")
        const seq = readSeq(text, 2, colon)
        return seq > 0
          ? { kind: 'data', seq, payload: text.slice(colon + 1) }
          : malformed(
              'data',
              `sequence number ${shown(text.slice(2, colon))} is not a positive integer`,
            )
      }
    case 97 /* a */:
      {
        const seq = readSeq(text, 2, text.length)
        return seq < 0
          ? malformed(
              'ack',
              `sequence number ${shown(text.slice(2))} is not a non-negative integer`,
            )
          : { kind: 'ack', seq }
      }
    case 104 /* h */:
      return readHandshake('hello', text)
    case 119 /* w */:
      return readHandshake('welcome', text)
  }
  return null
}

/** `h:{…}`: the client's first frame on a socket. */
export const encodeHello = (session: string | null, ack: number): string =>
  `${RELIABLE.HELLO}${JSON.stringify({ v: RELIABLE.VERSION, session, ack })}`

/** `w:{…}`: the server's answer to the hello. */
export const encodeWelcome = (session: string, resumed: boolean, ack: number): string =>
  `${RELIABLE.WELCOME}${JSON.stringify({ v: RELIABLE.VERSION, session, resumed, ack })}`

/** `m:<seq>:<payload>`; `seq` is a positive safe integer. */
export const encodeData = (seq: number, payload: string): string =>
  `${RELIABLE.DATA}${seq}:${payload}`

/** `a:<seq>`: every message up to `seq` arrived. */
export const encodeAck = (seq: number): string => `${RELIABLE.ACK}${seq}`
