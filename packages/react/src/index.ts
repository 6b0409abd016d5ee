// The hooks, and what a user of them needs from core without adding it as a dependency.
export {
  type Batch,
  CloseCode,
  type CloseInfo,
  type Connection,
  type ConnectionStatus,
  type Envelope,
  type EnvelopeKeys,
  type HeartbeatOptions,
  type InType,
  type MessageFilter,
  type OutType,
  ReadyState,
  type ReconnectStopInfo,
  type RequestOptions,
  reliable,
  type SendData,
  type SessionInfo,
  type Snapshot,
  type SocketEvents,
  type SocketMessage,
  type SocketSnapshot,
  type StopInfo,
  TetheredError,
  type TetheredErrorCode,
  type UrlSource,
  type WebSocketConstructor,
} from '@tethered/core'
export { type UseConnectionOptions, useConnection } from './use-connection'
export {
  type UseConnectionSocketOptions,
  useConnectionSocket,
} from './use-connection-socket'
export { type SocketHook, type UseSocketOptions, useSocket } from './use-socket'
export { type UseWebSocketOptions, useWebSocket, type WebSocketHook } from './use-web-socket'
