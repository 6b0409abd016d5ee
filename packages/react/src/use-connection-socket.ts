import {
  type Connection,
  type ConnectionSocketObserverOptions,
  createConnectionSocketObserver,
  type InType,
  type SocketEvents,
} from '@tethered/core'
import { useObserver } from './use-observer'
import type { SocketHook } from './use-socket'

/** This component's `types`, `on` handlers, envelope `keys` and callbacks. */
export type UseConnectionSocketOptions<
  E extends SocketEvents,
  T extends InType<E> = InType<E>,
> = ConnectionSocketObserverOptions<E, T>

/**
 * Typed events over a connection made outside components (`createConnection`, or the
 * `connection` of a `createSocket` socket): what `useSocket` returns, with this component's
 * own `types`, `on` handlers and `lastMessage`. As with `useConnection`, the component does
 * not own the connection: unmounting removes its handlers and never closes it.
 */
export function useConnectionSocket<E extends SocketEvents, T extends InType<E> = InType<E>>(
  connection: Connection<unknown, unknown>,
  options: UseConnectionSocketOptions<E, T> = {},
): SocketHook<E, T> {
  return useObserver(createConnectionSocketObserver<E, T>, connection, options)
}
