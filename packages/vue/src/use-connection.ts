import {
  type Connection,
  type ConnectionObserverOptions,
  createConnectionObserver,
} from '@tethered/core'
import { type MaybeRefOrGetter, toValue } from 'vue'
import { bind } from './bind'
import type { UseWebSocketReturn } from './use-web-socket'

/** This component's `filter` and callbacks (`onOpen`, `onMessage`, `onClose`, `onError`, `onReconnectStop`). */
export interface UseConnectionOptions<In = unknown> extends ConnectionObserverOptions<In> {
  /** Only messages it accepts move this component's `lastMessage`; `onMessage` still sees all. @default every message */
  filter?: NonNullable<ConnectionObserverOptions<In>['filter']>
}

// Server rendering shows the idle snapshot, as useWebSocket's does and React's server
// snapshot is: what a module's connection is doing on the server is no state of the page.
const observe = <In, Out>(c: Connection<In, Out>, o: ConnectionObserverOptions<In>) => {
  const observer = createConnectionObserver(c, o)
  if (typeof window === 'undefined') observer.getSnapshot = observer.getServerSnapshot
  return observer
}

/**
 * A connection made outside components (in a module, a store, with `createConnection`) tied
 * to the current component (or effect scope): the same refs and methods as `useWebSocket`,
 * with this component's own `filter` and callbacks. The component does not own the
 * connection: disposing the scope removes its handlers and never closes it; `close()` and
 * `open()` act on it for everyone. `connection` may be a ref or a getter: another
 * connection moves the refs to it.
 */
export function useConnection<In = unknown, Out = unknown>(
  connection: MaybeRefOrGetter<Connection<In, Out>>,
  options?: MaybeRefOrGetter<UseConnectionOptions<In> | undefined>,
): UseWebSocketReturn<In, Out> {
  return bind('useConnection', observe<In, Out>, () => toValue(connection), options)
}
