export { backoffDelay } from './backoff'
export { defaultShouldReconnect } from './close-policy'
export { createConnection } from './connection'
export { createSocket, type Socket, type SocketOptions } from './create-socket'
export { TetheredError, type TetheredErrorCode } from './errors'
export {
  createWebSocketObserver,
  IDLE_SNAPSHOT,
  type ObserverOptions,
  type WebSocketObserver,
} from './observer'
export { CloseCode, type Envelope, type EnvelopeKeys, PROTOCOL_VERSION, RELIABLE } from './protocol'
export { ReadyState } from './ready-state'
export { acquireShared, DEFAULT_LINGER, type Lease, sharedConnectionCount } from './registry'
export { type ReliableSession, reliable } from './reliable'
export * from './socket-observer'
export type * from './types'
