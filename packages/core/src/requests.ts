import {
  decodeEnvelope,
  type Envelope,
  type EnvelopeKeys,
  encodeEnvelope,
} from '@tethered/protocol'
import { TetheredError } from './errors'
import type { Connection } from './types'

export interface RequestOptions {
  /** How long a request waits for its reply (ms). @default 10000 */
  timeout?: number
}

let lastJson: unknown
let lastKeys: EnvelopeKeys | undefined
let lastEnvelope: Envelope | null

/**
 * `decodeEnvelope`, once per message: every observer and request that reads the message
 * being dispatched gets the envelope decoded by the first.
 */
export const decode = (json: unknown, keys: EnvelopeKeys): Envelope | null => {
  if (json !== lastJson || keys !== lastKeys) {
    lastJson = json
    lastKeys = keys
    lastEnvelope = decodeEnvelope(json, keys)
  }
  return lastEnvelope
}

// The last request id per connection: ids stay unique however many components send
// requests on it.
const lastIds = new WeakMap<object, number>()

/** Whether a message with this id answers a request made on this connection (and so is no event). */
export const isReply = (connection: object | null, id: number | undefined): boolean =>
  id! > 0 && id! <= (lastIds.get(connection!) ?? 0)

/**
 * Sends a request and waits for the reply with its id. Each pending request listens on the
 * connection itself, and lets go when it settles.
 */
export function request(
  connection: Connection<never, never> | null,
  keys: EnvelopeKeys,
  type: string,
  data: unknown,
  { timeout = 10_000 }: RequestOptions = {},
): Promise<unknown> {
  // What the executor throws rejects the promise.
  return new Promise((resolve, reject) => {
    if (!connection) {
      throw new TetheredError(
        'REQUEST_CLOSED',
        `request("${type}"): not connected (no subscriber yet, null url or connect: false; in Node use createSocket)`,
      )
    }
    const id = (lastIds.get(connection) ?? 0) + 1
    lastIds.set(connection, id)
    let text: string
    try {
      text = JSON.stringify(encodeEnvelope({ type, data, id }, keys))
    } catch (e) {
      throw new TetheredError('SERIALIZE', `request("${type}"): send JSON data (${String(e)})`, e)
    }
    const settle = (error: TetheredError | undefined, reply?: unknown) => {
      clearTimeout(timer)
      for (const off of offs) off()
      if (error) reject(error)
      else resolve(reply)
    }
    const timer = setTimeout(
      () =>
        settle(
          new TetheredError(
            'REQUEST_TIMEOUT',
            `request("${type}"): no reply within ${timeout} ms; is there a handler on the server?`,
          ),
        ),
      timeout,
    )
    // Went out on the socket, rather than waiting in the queue.
    let sent = false
    const offs = [
      connection.on('message', (_event, json) => {
        const envelope = decode(json, keys)
        const fault = envelope?.error
        if (envelope?.id === id) {
          settle(
            fault &&
              new TetheredError(
                'REQUEST_FAILED',
                `request("${type}") failed on the server: ${fault.message}`,
                fault,
              ),
            envelope.data,
          )
        }
      }),
      // A queued request goes out when the socket opens, after these handlers.
      connection.on('open', () => {
        sent = true
      }),
      // A request that went out on the socket that closed is lost with it. A queued one
      // leaves on the next socket after a failed attempt and keeps its own timeout; a clean
      // close before it went out (dispose(): an unmount, another url; a close() while
      // connecting) leaves no next socket to wait for.
      connection.on('close', ({ code, wasClean }) => {
        if (sent || wasClean) {
          settle(
            new TetheredError(
              'REQUEST_CLOSED',
              `request("${type}"): connection closed (code ${code}) before the reply`,
            ),
          )
        }
      }),
    ]
    sent = connection.sendMessage(text)
  })
}
