export {
  CloseCode,
  DEFAULT_ENVELOPE_KEYS,
  type EnvelopeKeys,
  HEARTBEAT_DEFAULTS,
} from '@tethered/core/protocol'
export type { Client, ClientCloseInfo } from './client'
export { RequestError, SocketServerError, type SocketServerErrorCode } from './errors'
export type {
  AuthenticateResult,
  BackpressureOptions,
  HeartbeatSweepOptions,
  RateLimitOptions,
  ReliableOptions,
  SocketServerOptions,
  TextHeartbeatOptions,
  UpgradeInfo,
} from './options'
export type { SessionStats } from './reliable'
export {
  type BroadcastArgs,
  type BroadcastOptions,
  type CloseOptions,
  type CloseResult,
  createSocketServer,
  type Except,
  type RequestHandler,
  type RoomTarget,
  type ServerEvents,
  type SocketServer,
} from './server'
export type { ServerStats } from './stats'
export type * from './types'
export { type Refusal, refuse } from './upgrade'
