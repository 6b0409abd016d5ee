import {
  type Connection,
  type ConnectionObserverOptions,
  createConnectionObserver,
} from '@tethered/core'
import { useObserver } from './use-observer'
import type { WebSocketHook } from './use-web-socket'

/** This component's `filter` and callbacks (`onOpen`, `onMessage`, `onClose`, `onError`, `onReconnectStop`). */
export type UseConnectionOptions<In = unknown> = ConnectionObserverOptions<In>

/**
 * A connection made outside components (in a module, a store, with `createConnection`) as
 * React state: the same snapshot and methods as `useWebSocket`, with this component's own
 * `filter` and callbacks. The component does not own the connection: unmounting removes its
 * handlers and never closes it; `close()` and `open()` act on it for everyone.
 */
export function useConnection<In = unknown, Out = unknown>(
  connection: Connection<In, Out>,
  options: UseConnectionOptions<In> = {},
): WebSocketHook<In, Out> {
  return useObserver(createConnectionObserver<In, Out>, connection, options)
}
