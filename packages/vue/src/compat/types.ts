import type { MaybeRefOrGetter, ShallowRef } from 'vue'

// VueUse's `useWebSocket` types (v14), so code written against them type-checks unchanged.

export type WebSocketStatus = 'OPEN' | 'CONNECTING' | 'CLOSED'
export type WebSocketHeartbeatMessage = string | ArrayBuffer | Blob

/** What a heartbeat `scheduler` returns: VueUse's `useIntervalFn` (a `Pausable`) fits. */
export interface HeartbeatScheduler {
  pause(): void
  resume(): void
}

export interface UseWebSocketHeartbeat {
  /** Sent as the probe; read when the socket opens. @default 'ping' */
  message?: MaybeRefOrGetter<WebSocketHeartbeatMessage>
  /** The reply, consumed (never `data`); any message at all counts as an answer. @default message */
  responseMessage?: MaybeRefOrGetter<WebSocketHeartbeatMessage>
  /**
   * Probe after this much silence (ms), not at a fixed cadence. Deprecated in VueUse 14 in
   * favour of `scheduler`, still honoured here. @default 1000
   */
  interval?: number
  /** No traffic within this (ms) after a probe: the socket is dead, abandoned at once. @default 1000 */
  pongTimeout?: number
  /** Your own probe cadence: called once with the probe; resumed on open, paused on close. */
  scheduler?: (probe: () => void) => HeartbeatScheduler
}

export interface UseWebSocketAutoReconnect {
  /** Retries in a row (`-1`: no limit), or a predicate given the retries made so far. @default -1 */
  retries?: number | ((retried: number) => boolean)
  /** Delay (ms), or one per retry number. @default jittered exponential backoff (at most 1 s, then 2 s, 4 s… capped at 30 s) */
  delay?: number | ((retries: number) => number)
  /** Called when it stops retrying: retries used up, or a close the close-code policy does not retry. */
  onFailed?: () => void
}

export interface UseWebSocketOptions {
  onConnected?: (ws: WebSocket) => void
  /** `event`: the socket's close event; a `CloseEvent` made from code 1006 for a socket declared dead. */
  onDisconnected?: (ws: WebSocket, event: CloseEvent) => void
  /** The socket's error event. */
  onError?: (ws: WebSocket, event: Event) => void
  onMessage?: (ws: WebSocket, event: MessageEvent) => void
  /** `true` uses the defaults. @default false */
  heartbeat?: boolean | UseWebSocketHeartbeat
  /** @default false */
  autoReconnect?: boolean | UseWebSocketAutoReconnect
  /** Connect at once. @default true */
  immediate?: boolean
  /** Reconnect when the url changes. @default true */
  autoConnect?: boolean
  /** Close on `beforeunload`, and let the socket go when the calling scope is disposed. @default true */
  autoClose?: boolean
  /** @default [] */
  protocols?: string[]
  /**
   * Tethered's own: one socket per url + protocols for every component that shares (the
   * last to leave closes it, after a second). @default false
   */
  share?: boolean
}

// biome-ignore lint/suspicious/noExplicitAny: VueUse's own default, so `JSON.parse(data.value)` keeps type-checking
export interface UseWebSocketReturn<T = any> {
  /** The newest message's `data` (heartbeat replies left out). */
  data: ShallowRef<T | null>
  status: ShallowRef<WebSocketStatus>
  /** Manual close: no reconnect until `open()`. */
  close: WebSocket['close']
  /** Closes the current socket, if any, and opens a new one on the current url. */
  open: () => void
  /** `true` when sent now; otherwise kept until open (`useBuffer`, bounded: the oldest of 1,000 is dropped) or dropped. */
  send: (data: string | ArrayBuffer | Blob, useBuffer?: boolean) => boolean
  /** The current socket; `undefined` after `close()`. */
  ws: ShallowRef<WebSocket | undefined>
}
