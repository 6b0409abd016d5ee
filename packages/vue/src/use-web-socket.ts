import {
  createWebSocketObserver,
  type ObserverOptions,
  type Snapshot,
  type UrlSource,
  type WebSocketObserver,
} from '@tethered/core'
import type { MaybeRefOrGetter } from 'vue'
import { bind, type ImmediateOption, type ReadonlyRefs } from './bind'

/**
 * Every `@tethered/core` connection option (`WebSocket`, `protocols`, `queryParams`,
 * `heartbeat`, `reconnect*`, `queueSize`, `parse`, `serialize`, `batch`…) plus the ones below.
 */
export interface UseWebSocketOptions<In = unknown, Out = unknown>
  extends ObserverOptions<In, Out>,
    ImmediateOption {
  /** `false` starts closed; `open()` connects. Switching it in a reactive options getter connects or closes. @default true */
  connect?: boolean
  /** One socket per url + protocols + query parameters across every component that shares. @default false */
  share?: boolean
  /** Only messages it accepts move this component's `lastMessage`; `onMessage` still sees all. @default every message */
  filter?: NonNullable<ObserverOptions<In, Out>['filter']>
  /** How long a shared socket outlives its last user (ms), so a remount or route change keeps it. @default 1000 */
  linger?: number
}

export interface UseWebSocketReturn<In = unknown, Out = unknown>
  extends ReadonlyRefs<Snapshot<In>> {
  /** `true` when sent now; otherwise queued until open (`keep`, the default) or dropped. */
  sendMessage: WebSocketObserver<In, Out>['sendMessage']
  /** Serialises with `serialize` (JSON by default); a failure is reported in `error`. */
  sendJsonMessage: WebSocketObserver<In, Out>['sendJsonMessage']
  getWebSocket: WebSocketObserver<In, Out>['getWebSocket']
  /** Connects now (even with `connect: false`); while waiting to reconnect, reconnects now. */
  open: WebSocketObserver<In, Out>['open']
  /** Manual close: no reconnect until `open()`. */
  close: WebSocketObserver<In, Out>['close']
}

/**
 * A WebSocket tied to the current component (or effect scope). `url` may be a ref or a
 * getter: a new value reconnects, `null` closes (or releases a shared socket). Options may
 * be a ref or a getter too; only a change of url, `connect`, `share`, `protocols` or
 * `queryParams` reconnects, other options and callbacks apply as they are.
 */
export function useWebSocket<In = unknown, Out = unknown>(
  url: MaybeRefOrGetter<UrlSource>,
  options?: MaybeRefOrGetter<UseWebSocketOptions<In, Out> | undefined>,
): UseWebSocketReturn<In, Out> {
  return bind('useWebSocket', createWebSocketObserver<In, Out>, url, options)
}
