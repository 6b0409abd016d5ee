// `@tethered/vue/compat`: VueUse's `useWebSocket`, on Tethered's engine.
export type {
  HeartbeatScheduler,
  UseWebSocketAutoReconnect,
  UseWebSocketHeartbeat,
  UseWebSocketOptions,
  UseWebSocketReturn,
  WebSocketHeartbeatMessage,
  WebSocketStatus,
} from './types'
export { useWebSocket } from './use-web-socket'
