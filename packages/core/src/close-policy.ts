import type { CloseInfo } from './types'

// Closes that will only repeat if retried: normal closure by the server, refusals of our
// data (1002 protocol, 1003 unsupported, 1007 invalid payload, 1008 policy, 1009 too big,
// 1010 extension) and a failed TLS handshake (1015): 1000, 1002, 1003, 1007–1010, 1015.
// A pattern, not `CloseCode` names, so the bundle does not carry the whole table.
const STOP = /^10(0[0237-9]|1[05])$/

/**
 * The default close-code policy (the README has it as a table): network loss, restarts and
 * server errors retry; a normal closure by the server, refusals of our data, and
 * application codes 3000–4999 (auth, forbidden, replaced) stop, except 3008 (timeout).
 */
export function defaultShouldReconnect({ code }: CloseInfo): boolean {
  return !STOP.test(`${code}`) && (code < 3000 || code > 4999 || code === 3008)
}
