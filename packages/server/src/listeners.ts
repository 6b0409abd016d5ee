import type { Client, ClientCloseInfo } from './client'
import { assertFunction, assertTypeName, SocketServerError } from './errors'

type Listener = (data: unknown, client: never) => void
type CloseListener = (info: ClientCloseInfo, client: never) => void

/** `client.emit()` and `server.broadcast()`: the event name comes first. */
export const assertEmitType = (where: string, type: unknown): void =>
  assertTypeName(where, type, 'Pass the event name first, then its data.')

/**
 * One client's `on(type)` and `onClose` listeners. Created on a client's first `on()`:
 * most connections never listen per client, and idle memory counts.
 */
export class ClientListeners {
  private readonly byType = new Map<string, Set<Listener>>()
  private readonly closing = new Set<CloseListener>()

  on(type: string, listener: unknown): () => void {
    assertTypeName('client.on()', type, 'Pass the event name the client emits.')
    assertFunction(`client.on('${type}')`, listener, 'listener', 'Pass `(data, client) => { … }`.')
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
    assertFunction('client.onClose()', listener, 'listener', 'Pass `({ code, reason }) => { … }`.')
    const stored = listener as CloseListener
    this.closing.add(stored)
    return () => {
      this.closing.delete(stored)
    }
  }

  /** Hands an event to its listeners; one that throws is reported and the rest still run. */
  dispatch(type: string, data: unknown, client: Client, report: Report): void {
    const set = this.byType.get(type)
    if (!set) return
    for (const listener of set) {
      guarded(report, client, `client.on('${type}') listener`, () =>
        (listener as (data: unknown, client: Client) => void)(data, client),
      )
    }
  }

  /** The client is gone: the close listeners run once, and every listener is dropped. */
  closed(info: ClientCloseInfo, client: Client, report: Report): void {
    const listeners = [...this.closing]
    this.closing.clear()
    this.byType.clear()
    for (const listener of listeners) {
      guarded(report, client, 'client.onClose listener', () =>
        (listener as (info: ClientCloseInfo, client: Client) => void)(info, client),
      )
    }
  }
}

type Report = (error: SocketServerError) => void

/** Runs application code for `client`; what it throws is reported as a LISTENER_ERROR. */
function guarded(report: Report, client: Client, what: string, run: () => void): void {
  try {
    run()
  } catch (error) {
    report(
      new SocketServerError('LISTENER_ERROR', `${what} threw for client ${client.id}`, {
        clientId: client.id,
        cause: error,
      }),
    )
  }
}
