export {
  CloseCode,
  DEFAULT_ENVELOPE_KEYS,
  type EnvelopeKeys,
  HEARTBEAT_DEFAULTS,
} from '@tethered/protocol'
export type {
  AdapterHost,
  AdapterMember,
  Broadcast,
  ClaimedSession,
  IdentityLocation,
  MaybePromise,
  SessionLog,
  SessionLogConfig,
  SessionLogStats,
  StateAdapter,
} from './adapter'
export { isPromiseLike, whenSettled } from './adapter'
export type { Client, ClientCloseInfo } from './client'
export { DEFAULTS } from './defaults'
export { RequestError, SocketServerError, type SocketServerErrorCode } from './errors'
export { memoryAdapter } from './memory-adapter'
export type {
  BackpressureOptions,
  HeartbeatSweepOptions,
  RateLimitOptions,
  ReliableOptions,
  SocketServerOptions,
  TextHeartbeatOptions,
} from './options-types'
export { ReplayBuffer } from './reliable/replay-buffer'
export { createSocketServer } from './server'
export type {
  BroadcastArgs,
  BroadcastOptions,
  CloseOptions,
  CloseResult,
  Except,
  IdentityTarget,
  RequestHandler,
  RoomTarget,
  ServerEvents,
  SocketServer,
} from './server-types'
export type { ServerStats, SessionStats } from './stats'
export type * from './types'
export { type AuthenticateResult, type Refusal, refuse, type UpgradeInfo } from './upgrade-types'
