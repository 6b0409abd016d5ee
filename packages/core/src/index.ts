// The wire contract the hooks' users need, from @tethered/protocol so they need not add it.
export {
  CloseCode,
  type DataArgs,
  type Envelope,
  type EnvelopeKeys,
  type EventMap,
  type InData,
  type InType,
  type OutData,
  type OutType,
  PROTOCOL_VERSION,
  RELIABLE,
  type RequestData,
  type RequestMap,
  type RequestReply,
  type RequestType,
} from '@tethered/protocol'
export { backoffDelay } from './backoff'
export type { Bindable, BindableMethods } from './bindable'
export { browserSignals, type PageSignals, setPageSignals } from './browser'
export { defaultShouldReconnect } from './close-policy'
export { createConnection } from './connection'
export { createSocket, type Socket, type SocketOptions } from './create-socket'
export { TetheredError, type TetheredErrorCode } from './errors'
export {
  type ConnectionObserver,
  type ConnectionObserverOptions,
  createConnectionObserver,
  createWebSocketObserver,
  IDLE_SNAPSHOT,
  type ObserverOptions,
  type WebSocketObserver,
} from './observer'
export { ReadyState } from './ready-state'
export { acquireShared, DEFAULT_LINGER, type Lease, sharedConnectionCount } from './registry'
export { type ReliableSession, reliable } from './reliable'
export * from './socket-observer'
export type * from './types'
