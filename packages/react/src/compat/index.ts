// `@tethered/react/compat`: react-use-websocket's `useWebSocket`, on Tethered's engine.
export { ReadyState } from './ready-state'
export type {
  HeartbeatOptions,
  Options,
  QueryParams,
  SendJsonMessage,
  SendMessage,
  WebSocketHook,
  WebSocketLike,
  WebSocketMessage,
} from './types'
export { useEventSource, useSocketIO } from './unsupported'
export { useWebSocket, useWebSocket as default } from './use-web-socket'
