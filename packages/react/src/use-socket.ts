import {
  createSocketObserver,
  type InType,
  type SocketEvents,
  type SocketObserver,
  type SocketObserverOptions,
  type SocketSnapshot,
  type UrlSource,
} from '@tethered/core'
import { useObserver } from './use-observer'

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
  // As in useWebSocket: the latest `on` handlers and options after every commit, a restart
  // only when the connection's identity (url, connect, share, protocols, queryParams) changes.
  return useObserver(createSocketObserver<E, T>, url, options)
}
