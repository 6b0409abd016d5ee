import {
  type Connection,
  type ConnectionSocketObserverOptions,
  createConnectionSocketObserver,
  type InType,
  type SocketEvents,
} from '@tethered/core'
import { type MaybeRefOrGetter, toValue } from 'vue'
import { bind } from './bind'
import { scoped, type UseSocketReturn } from './use-socket'

/** This component's `types`, `on` handlers, envelope `keys` and callbacks. */
export interface UseConnectionSocketOptions<E extends SocketEvents, T extends InType<E> = InType<E>>
  extends ConnectionSocketObserverOptions<E, T> {}

// Server rendering shows the idle snapshot, as useConnection's does.
const observe = <E extends SocketEvents, T extends InType<E>>(
  c: Connection<unknown, unknown>,
  o: ConnectionSocketObserverOptions<E, T>,
) => {
  const observer = createConnectionSocketObserver<E, T>(c, o)
  if (typeof window === 'undefined') observer.getSnapshot = observer.getServerSnapshot
  return observer
}

/**
 * Typed events over a connection made outside components (`createConnection`, or the
 * `connection` of a `createSocket` socket) tied to the current component: what `useSocket`
 * returns, with this component's own `types`, `on` handlers and `lastMessage`. As with
 * `useConnection`, disposing the scope removes its handlers and never closes the
 * connection; `connection` may be a ref or a getter.
 */
export function useConnectionSocket<E extends SocketEvents, T extends InType<E> = InType<E>>(
  connection: MaybeRefOrGetter<Connection<unknown, unknown>>,
  options?: MaybeRefOrGetter<UseConnectionSocketOptions<E, T> | undefined>,
): UseSocketReturn<E, T> {
  return scoped(bind('useConnectionSocket', observe<E, T>, () => toValue(connection), options))
}
