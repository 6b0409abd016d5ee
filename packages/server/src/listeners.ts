import type { Client, ClientCloseInfo } from './client'
import { SocketServerError, usageError } from './errors'

type Listener = (data: unknown, client: never) => void
type CloseListener = (info: ClientCloseInfo, client: never) => void

const assertType = (where: string, type: unknown, fix: string): void => {
  if (typeof type !== 'string' || type.length === 0) {
    throw usageError(
      where,
      `the type must be a non-empty string, got ${JSON.stringify(type) ?? String(type)}`,
      fix,
    )
  }
}

/** `client.emit()` and `server.broadcast()`: the event name comes first. */
export const assertEmitType = (where: string, type: unknown): void =>
  assertType(where, type, 'Pass the event name first, then its data.')

/**
 * One client's `on(type)` and `onClose` listeners. Created on a client's first `on()`:
 * most connections never listen per client, and idle memory counts.
 */
export class ClientListeners {
  private readonly byType = new Map<string, Set<Listener>>()
  private readonly closing = new Set<CloseListener>()

  on(type: string, listener: unknown): () => void {
    assertType('client.on()', type, 'Pass the event name the client emits.')
    if (typeof listener !== 'function') {
      throw usageError(
        `client.on('${type}')`,
        'the listener must be a function',
        'Pass `(data, client) => { … }`.',
      )
    }
    let set = this.byType.get(type)
    if (!set) {
      set = new Set()
      this.byType.set(type, set)
    }
    const stored = listener as Listener
    set.add(stored)
    return () => {
      set.delete(stored)
    }
  }

  onClose(listener: unknown): () => void {
    if (typeof listener !== 'function') {
      throw usageError(
        'client.onClose()',
        'the listener must be a function',
        'Pass `({ code, reason }) => { … }`.',
      )
    }
    const stored = listener as CloseListener
    this.closing.add(stored)
    return () => {
      this.closing.delete(stored)
    }
  }

  /** Hands an event to its listeners; one that throws is reported and the rest still run. */
  dispatch(type: string, data: unknown, client: Client, report: (e: SocketServerError) => void) {
    const set = this.byType.get(type)
    if (!set) return
    for (const listener of set) {
      try {
        ;(listener as (data: unknown, client: Client) => void)(data, client)
      } catch (error) {
        report(
          new SocketServerError(
            'LISTENER_ERROR',
            `client.on('${type}') listener threw for client ${client.id}`,
            { clientId: client.id, cause: error },
          ),
        )
      }
    }
  }

  /** The client is gone: the close listeners run once, and every listener is dropped. */
  closed(info: ClientCloseInfo, client: Client, report: (e: SocketServerError) => void): void {
    const listeners = [...this.closing]
    this.closing.clear()
    this.byType.clear()
    for (const listener of listeners) {
      try {
        ;(listener as (info: ClientCloseInfo, client: Client) => void)(info, client)
      } catch (error) {
        report(
          new SocketServerError(
            'LISTENER_ERROR',
            `client.onClose listener threw for client ${client.id}`,
            { clientId: client.id, cause: error },
          ),
        )
      }
    }
  }
}
