import { TetheredError } from './errors'
import { decodeEnvelope, type EnvelopeKeys, encodeEnvelope } from './protocol'
import type { Connection } from './types'

interface Pending {
  type: string
  resolve: (data: unknown) => void
  reject: (error: TetheredError) => void
  timer: ReturnType<typeof setTimeout>
  sent: boolean
}

/** Id-correlated requests over one connection, shared by everyone who uses that connection. */
export interface RequestTracker {
  request(type: string, data: unknown, timeout: number): Promise<unknown>
  /** Whether a message with this id answers a request made here (and so is no event). */
  isReply(id: number | undefined): boolean
}

const trackers = new WeakMap<Connection<never, never>, RequestTracker>()

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
  const pending = new Map<number, Pending>()
  let lastId = 0

  const settle = (id: number) => {
    const entry = pending.get(id)
    if (entry) {
      pending.delete(id)
      clearTimeout(entry.timer)
    }
    return entry
  }

  connection.on('message', (_event, json) => {
    const envelope = decodeEnvelope(json, keys)
    if (envelope?.id === undefined) return
    const entry = settle(envelope.id)
    if (!entry) return
    if (envelope.error) {
      entry.reject(
        new TetheredError(
          'REQUEST_FAILED',
          `request("${entry.type}") failed on the server: ${envelope.error.message}`,
          envelope.error,
        ),
      )
    } else {
      entry.resolve(envelope.data)
    }
  })

  // Only requests that went out on the socket that closed are lost with it; queued ones
  // leave on the next socket and keep their own timeout.
  connection.on('close', (info) => {
    for (const [id, entry] of pending) {
      if (!entry.sent) continue
      settle(id)
      entry.reject(
        new TetheredError(
          'REQUEST_CLOSED',
          `request("${entry.type}") failed: the connection closed (code ${info.code}) before the reply`,
        ),
      )
    }
  })

  return {
    isReply: (id) => id !== undefined && id > 0 && id <= lastId,
    request(type, data, timeout) {
      const id = ++lastId
      return new Promise((resolve, reject) => {
        let text: string
        try {
          text = JSON.stringify(encodeEnvelope({ type, data, id }, keys))
        } catch (e) {
          return reject(
            new TetheredError(
              'SERIALIZE',
              `request("${type}"): the data cannot be serialised (${e instanceof Error ? e.message : String(e)}). Send plain JSON data`,
              e,
            ),
          )
        }
        const entry: Pending = {
          type,
          resolve,
          reject,
          sent: false,
          timer: setTimeout(() => {
            settle(id)
            reject(
              new TetheredError(
                'REQUEST_TIMEOUT',
                `request("${type}") got no reply within ${timeout} ms. Is there a handler for "${type}" on the server?`,
              ),
            )
          }, timeout),
        }
        pending.set(id, entry)
        entry.sent = connection.sendMessage(text)
        if (!entry.sent) {
          // Queued for the next open: counts as sent once the queue flushes it.
          const off = connection.on('open', () => {
            off()
            entry.sent = true
          })
        }
      })
    },
  }
}
