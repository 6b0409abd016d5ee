// What a user of the composables needs from core, with the same names as @tethered/react.
export {
  type Batch,
  CloseCode,
  type CloseInfo,
  type Connection,
  type ConnectionCallbacks,
  type ConnectionOptions,
  type ConnectionStatus,
  type DataArgs,
  type Envelope,
  type EnvelopeKeys,
  type HeartbeatOptions,
  type InType,
  type MessageFilter,
  type OutType,
  ReadyState,
  type ReconnectStopInfo,
  type RequestOptions,
  type RequestType,
  reliable,
  type SendData,
  type SessionInfo,
  type Snapshot,
  type SocketEvents,
  type SocketHandlers,
  type SocketMessage,
  type SocketSnapshot,
  type StopInfo,
  TetheredError,
  type TetheredErrorCode,
  type UrlSource,
  type WebSocketConstructor,
} from '@tethered/core'
export type { ImmediateOption, ReadonlyRefs } from './bind'
export { type UseConnectionOptions, useConnection } from './use-connection'
export {
  type UseConnectionSocketOptions,
  useConnectionSocket,
} from './use-connection-socket'
export { type UseSocketOptions, type UseSocketReturn, useSocket } from './use-socket'
export { type UseWebSocketOptions, type UseWebSocketReturn, useWebSocket } from './use-web-socket'
