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

// Not ECMAScript, but a global of every runtime both ends run on (browsers, Node, Deno, Bun,
// workers): declared here so that this package's types need neither DOM nor Node.
declare const TextEncoder: new () => { encode(text: string): { length: number } }

/**
 * What a client's `close()` may send: code 1000, or 3000–4999 for the application, as the
 * WebSocket standard lets a browser send them, and a reason `isCloseReason` takes. Held for
 * every client, not only browsers, so that an app behaves the same in Node; the platform's
 * own error names neither rule. The code is matched as text: no sign, point or exponent
 * passes. It throws rather than answers, and tests the reason inline, so that the browser
 * engine carries it as one function: every call across modules costs its bundle bytes.
 */
export function assertClientClose(code: number, reason: string): void {
  if (!/^(1000|[34]\d{3})$/.test(`${code}`) || new TextEncoder().encode(reason).length > 123) {
    throw new RangeError(
      `close(${code}): use 1000 or a code from 3000 to 4999, a reason at most 123 bytes`,
    )
  }
}

/**
 * The codes a server may close with: what `ws` lets it send (1000–1014, 3000–4999) minus
 * 1004–1006, which are reserved and never sent in a close frame.
 */
export const isServerCloseCode = (code: number): boolean =>
  typeof code === 'number' && /^(10(0[0-37-9]|1[0-4])|[34]\d{3})$/.test(`${code}`)

/**
 * A close reason either end may send: at most 123 bytes of UTF-8 (125 with the code). The
 * figure is written out, here and in `assertClientClose`: a shared constant survives into
 * the browser bundle.
 */
export const isCloseReason = (reason: string): boolean =>
  new TextEncoder().encode(reason).length <= 123
