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
