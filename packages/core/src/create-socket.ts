import type { InType } from '@tethered/protocol'
import {
  createSocketObserver,
  type SocketEvents,
  type SocketObserver,
  type SocketObserverOptions,
} from './socket-observer'
import type { Connection, UrlSource } from './types'

/** `useSocket`'s options without the sharing ones: this socket is its own. */
export type SocketOptions<E extends SocketEvents, T extends InType<E> = InType<E>> = Omit<
  SocketObserverOptions<E, T>,
  'share' | 'linger' | 'connect'
>

/** The typed layer on a socket of its own: connected on creation, alive until `dispose()`. */
export interface Socket<E extends SocketEvents, T extends InType<E> = InType<E>>
  extends Pick<
    SocketObserver<E, T>,
    'emit' | 'request' | 'on' | 'getSnapshot' | 'subscribe' | 'open' | 'close'
  > {
  /** Closes the socket and clears every timer and listener; the object is dead. */
  dispose(): void
  /** The connection underneath: its events (`open`, `close`, `reconnecting`…), `getWebSocket()`; `null` for a `null` url. */
  readonly connection: Connection<unknown, unknown> | null
}

/**
 * Typed events and requests without a UI (Node, workers, scripts). An observer, which a
 * binding holds, connects on its first subscriber; this is one that is subscribed from the
 * start, so emit, request and on are written once, for both.
 */
export function createSocket<E extends SocketEvents, T extends InType<E> = InType<E>>(
  url: UrlSource,
  options: SocketOptions<E, T> = {},
): Socket<E, T> {
  const observer = createSocketObserver<E, T>(url, options)
  const release = observer.subscribe(() => {})
  // `null` only for a null url: then there is nothing to connect, and the rest is idle.
  const connection = observer.getConnection()
  const { emit, request, on, getSnapshot, subscribe, open, close } = observer
  return {
    emit,
    request,
    on,
    getSnapshot,
    subscribe,
    open,
    close,
    dispose() {
      release()
      // Now rather than when the observer lets go (a macrotask later).
      connection?.dispose()
    },
    connection,
  }
}
