import { TetheredError } from './errors'
import { decodeEnvelope, type Envelope, type EnvelopeKeys, encodeEnvelope } from './protocol'
import type { Connection } from './types'

interface Pending {
  type: string
  /** Went out on the socket (rather than waiting in the queue). */
  sent: boolean
  /** Rejects with `error`, or resolves with `data`. */
  settle(error: TetheredError | undefined, data?: unknown): void
}

/** Id-correlated requests over one connection, shared by everyone who uses that connection. */
export interface RequestTracker {
  request(type: string, data: unknown, timeout: number): Promise<unknown>
  /** Whether a message with this id answers a request made here (and so is no event). */
  isReply(id: number | undefined): boolean
}

let lastJson: unknown
let lastKeys: EnvelopeKeys | undefined
let lastEnvelope: Envelope | null = null

/**
 * `decodeEnvelope`, once per message: every observer and tracker that reads the message
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

export const trackers = new WeakMap<Connection<never, never>, RequestTracker>()

/** The connection's tracker: ids stay unique however many components send requests on it. */
export function requestsOf(
  connection: Connection<never, never>,
  keys: EnvelopeKeys,
): RequestTracker {
  let tracker = trackers.get(connection)
  if (!tracker) trackers.set(connection, (tracker = createTracker(connection, keys)))
  return tracker
}

function createTracker(connection: Connection<never, never>, keys: EnvelopeKeys): RequestTracker {
  const pending = new Map<number | undefined, Pending>()
  let lastId = 0

  connection.on('message', (_event, json) => {
    const envelope = decode(json, keys)
    const entry = envelope && pending.get(envelope.id)
    if (!entry) return
    const fault = envelope.error
    entry.settle(
      fault &&
        new TetheredError(
          'REQUEST_FAILED',
          `request("${entry.type}") failed on the server: ${fault.message}`,
          fault,
        ),
      envelope.data,
    )
  })

  // Requests queued while the socket was down go out when it opens, after these handlers.
  connection.on('open', () => {
    for (const entry of pending.values()) entry.sent = true
  })

  // Only requests that went out on the socket that closed are lost with it; queued ones
  // leave on the next socket and keep their own timeout.
  connection.on('close', ({ code }) => {
    for (const entry of pending.values()) {
      if (entry.sent) {
        entry.settle(
          new TetheredError(
            'REQUEST_CLOSED',
            `request("${entry.type}"): connection closed (code ${code}) before the reply`,
          ),
        )
      }
    }
  })

  return {
    isReply: (id) => id! > 0 && id! <= lastId,
    request(type, data, timeout) {
      const id = ++lastId
      return new Promise((resolve, reject) => {
        let text: string
        try {
          text = JSON.stringify(encodeEnvelope({ type, data, id }, keys))
        } catch (e) {
          return reject(
            new TetheredError('SERIALIZE', `request("${type}"): send JSON data (${String(e)})`, e),
          )
        }
        const timer = setTimeout(
          () =>
            entry.settle(
              new TetheredError(
                'REQUEST_TIMEOUT',
                `request("${type}"): no reply within ${timeout} ms; is there a handler on the server?`,
              ),
            ),
          timeout,
        )
        const entry: Pending = {
          type,
          sent: false,
          settle(error, reply) {
            pending.delete(id)
            clearTimeout(timer)
            if (error) reject(error)
            else resolve(reply)
          },
        }
        pending.set(id, entry)
        entry.sent = connection.sendMessage(text)
      })
    },
  }
}
