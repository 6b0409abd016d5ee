import {
  createWebSocketObserver,
  type ObserverOptions,
  type SendData,
  type Snapshot,
  type UrlSource,
} from '@tethered/core'
import { useMemo, useState, useSyncExternalStore } from 'react'
import { useIsomorphicLayoutEffect } from './use-isomorphic-layout-effect'

/** Every core connection option, plus `share`, `filter`, `linger` and the callbacks. */
export type UseWebSocketOptions<In = unknown, Out = unknown> = ObserverOptions<In, Out>

export interface WebSocketHook<In = unknown, Out = unknown> extends Snapshot<In> {
  /** `true` when sent now; otherwise queued until open (`keep`, the default) or dropped. */
  sendMessage(data: SendData, keep?: boolean): boolean
  sendJsonMessage(message: Out, keep?: boolean): boolean
  /** Connect now (even with `connect = false`); while waiting to retry, retry now. */
  open(): void
  /** Manual close: no reconnect until `open()`. */
  close(code?: number, reason?: string): void
  getWebSocket(): WebSocket | null
}

/**
 * A WebSocket as React state. The connection lives in a core observer: this hook only hands
 * it the latest options and reads its snapshot through `useSyncExternalStore`.
 *
 * `connect` is the third argument, as in react-use-websocket; `false` (or a `null` url)
 * closes the socket, or releases a shared one.
 */
export function useWebSocket<In = unknown, Out = unknown>(
  url: UrlSource,
  options: UseWebSocketOptions<In, Out> = {},
  connect = true,
): WebSocketHook<In, Out> {
  const merged: UseWebSocketOptions<In, Out> = {
    ...options,
    connect: connect && options.connect !== false,
  }
  // Lazy: the observer opens nothing until its first subscriber, so the instance a StrictMode
  // double render throws away, and server rendering, never touch the network.
  const [observer] = useState(() => createWebSocketObserver<In, Out>(url, merged))

  // Every commit: new callbacks and option objects are taken as they are; the observer
  // restarts the socket only when the url, connect, share, protocols or queryParams values change.
  useIsomorphicLayoutEffect(() => {
    observer.setOptions(url, merged)
  })

  const snapshot = useSyncExternalStore(
    observer.subscribe,
    observer.getSnapshot,
    observer.getServerSnapshot,
  )

  return useMemo(
    () => ({
      ...snapshot,
      sendMessage: observer.sendMessage,
      sendJsonMessage: observer.sendJsonMessage,
      open: observer.open,
      close: observer.close,
      getWebSocket: observer.getWebSocket,
    }),
    [observer, snapshot],
  )
}
