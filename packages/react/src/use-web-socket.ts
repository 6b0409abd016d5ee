import {
  createWebSocketObserver,
  type ObserverOptions,
  type SendData,
  type Snapshot,
  type UrlSource,
} from '@tethered/core'
import { useObserver } from './use-observer'

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
  return useObserver(createWebSocketObserver<In, Out>, url, {
    ...options,
    connect: connect && options.connect !== false,
  })
}
