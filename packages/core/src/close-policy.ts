import { CloseCode } from './protocol'
import type { CloseInfo } from './types'

// Closes that will only repeat if retried: the peer refused us or our data, or asked us to go.
const STOP = new Set<number>([
  CloseCode.NORMAL,
  CloseCode.PROTOCOL_ERROR,
  CloseCode.UNSUPPORTED_DATA,
  CloseCode.INVALID_PAYLOAD,
  CloseCode.POLICY_VIOLATION,
  CloseCode.MESSAGE_TOO_BIG,
  CloseCode.MANDATORY_EXTENSION,
  CloseCode.TLS_HANDSHAKE,
])

/**
 * The default close-code policy (the README has it as a table): network loss, restarts and
 * server errors retry; a normal closure by the server, refusals of our data, and
 * application codes 3000–4999 (auth, forbidden, replaced) stop, except 3008 (timeout).
 */
export function defaultShouldReconnect(info: CloseInfo): boolean {
  const { code } = info
  if (STOP.has(code)) return false
  if (code >= 3000 && code <= 4999) return code === CloseCode.TIMEOUT
  return true
}

/** What `close()` may send, as the WebSocket standard allows it; the platform's own error names neither rule. */
export function assertClose(code: number, reason: string): void {
  if (code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
    throw new RangeError(
      `close(${code}): the code must be 1000 or an integer from 3000 to 4999 (the others are reserved for the protocol)`,
    )
  }
  if (new TextEncoder().encode(reason).length > 123) {
    throw new RangeError('close(): the reason must be at most 123 bytes of UTF-8')
  }
}
