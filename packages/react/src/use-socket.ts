import {
  createSocketObserver,
  type InType,
  type SocketEvents,
  type SocketObserver,
  type SocketObserverOptions,
  type SocketSnapshot,
  type UrlSource,
} from '@tethered/core'
import { useMemo, useState, useSyncExternalStore } from 'react'
import { useIsomorphicLayoutEffect } from './use-isomorphic-layout-effect'

/** Connection options plus `types`, `on` handlers and envelope `keys`. */
export type UseSocketOptions<
  E extends SocketEvents,
  T extends InType<E> = InType<E>,
> = SocketObserverOptions<E, T>

export interface SocketHook<E extends SocketEvents, T extends InType<E> = InType<E>>
  extends SocketSnapshot<E, T>,
    Pick<SocketObserver<E, T>, 'emit' | 'request' | 'on' | 'open' | 'close' | 'getWebSocket'> {}

/**
 * Typed events over a WebSocket: `emit`, `request` and `on` handlers typed by `E`, and
 * `lastMessage` as a union of the received events. The envelope codec, routing and request
 * correlation live in core; this hook binds a `SocketObserver` to React.
 *
 * `lastMessage` only moves (and the component only re-renders) for the `types` given; pass
 * them as the second type argument too to narrow its type: `useSocket<Chat, 'message'>(…)`.
 */
export function useSocket<E extends SocketEvents, T extends InType<E> = InType<E>>(
  url: UrlSource,
  options: UseSocketOptions<E, T> = {},
): SocketHook<E, T> {
  const [observer] = useState(() => createSocketObserver<E, T>(url, options))

  // As in useWebSocket: the latest `on` handlers and options after every commit, a restart
  // only when the connection's identity (url, connect, share, protocols, queryParams) changes.
  useIsomorphicLayoutEffect(() => {
    observer.setOptions(url, options)
  })

  const snapshot = useSyncExternalStore(
    observer.subscribe,
    observer.getSnapshot,
    observer.getServerSnapshot,
  )

  return useMemo(
    () => ({
      ...snapshot,
      emit: observer.emit,
      request: observer.request,
      on: observer.on,
      open: observer.open,
      close: observer.close,
      getWebSocket: observer.getWebSocket,
    }),
    [observer, snapshot],
  )
}
