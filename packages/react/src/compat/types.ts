import type { ReadyState } from './ready-state'

// react-use-websocket's types (4.x), so code written against them type-checks unchanged.

export interface QueryParams {
  [key: string]: string | number
}

export type HeartbeatOptions = {
  /** Sent after `interval` of silence, then every `interval` while it lasts. A function is called per ping. @default 'ping' */
  message?: string | (() => string)
  /** The reply: `onMessage` sees it, `lastMessage` never does. */
  returnMessage?: string
  /** No message at all for this long (ms): the socket is dead, abandoned at once. @default 60000 */
  timeout?: number
  /** Silence (ms) before a ping. @default 25000 */
  interval?: number
}

export interface Options {
  /** Not supported: throws (socket.io speaks its own protocol over the socket). */
  fromSocketIO?: boolean
  /** Appended to the url, URL-encoded. */
  queryParams?: QueryParams
  protocols?: string | string[]
  /** One socket per url + protocols + query for every component that shares. @default false */
  share?: boolean
  onOpen?: (event: WebSocketEventMap['open']) => void
  /** The socket's close event; a `CloseEvent` of code 1006 for a socket declared dead. */
  onClose?: (event: WebSocketEventMap['close']) => void
  onMessage?: (event: WebSocketEventMap['message']) => void
  /** The socket's error events. */
  onError?: (event: WebSocketEventMap['error']) => void
  /** Called with `reconnectAttempts` when the retries are used up. */
  onReconnectStop?: (numAttempts: number) => void
  /** Without it, a closed socket stays closed. */
  shouldReconnect?: (event: WebSocketEventMap['close']) => boolean
  /** Delay before a retry, or one per retry (from 0). @default 5000 */
  reconnectInterval?: number | ((lastAttemptNumber: number) => number)
  /** @default 20 */
  reconnectAttempts?: number
  /** Only messages it accepts move `lastMessage`; `onMessage` sees every one. */
  filter?: (message: WebSocketEventMap['message']) => boolean
  /** Retry after an error (a socket error, a url function that throws). @default false */
  retryOnError?: boolean
  /** Not supported: throws (an EventSource is not a WebSocket). */
  eventSourceOptions?: EventSourceInit
  /** Accepted; the socket is never asserted. */
  skipAssert?: boolean
  /** `true`: `{ message: 'ping', interval: 25000, timeout: 60000 }`. */
  heartbeat?: boolean | HeartbeatOptions
  /** Leaves `lastJsonMessage` null and parses nothing. @default false */
  disableJson?: boolean
}

export type WebSocketMessage = string | ArrayBuffer | SharedArrayBuffer | Blob | ArrayBufferView

export type SendMessage = (message: WebSocketMessage, keep?: boolean) => void
export type SendJsonMessage = <T = unknown>(jsonMessage: T, keep?: boolean) => void

export type WebSocketLike = WebSocket | EventSource

export type WebSocketHook<T = unknown, P = WebSocketEventMap['message'] | null> = {
  sendMessage: SendMessage
  sendJsonMessage: SendJsonMessage
  lastMessage: P
  lastJsonMessage: T
  readyState: ReadyState
  getWebSocket: () => WebSocketLike | null
}
