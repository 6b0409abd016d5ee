import { HEARTBEAT_DEFAULTS } from '@tethered/protocol'

/**
 * Every default of `createSocketServer`, stated once: the options' JSDoc points here, and
 * the examples in option errors are these values.
 */
export const DEFAULTS = {
  path: '/',
  authenticateTimeout: 10_000,
  headersTimeout: 10_000,
  duplicate: 'replace',
  maxConnections: Number.POSITIVE_INFINITY,
  maxSessions: 10_000,
  maxPayload: 1024 * 1024,
  maxPendingRequests: 100,
  heartbeatInterval: 30_000,
  textHeartbeat: {
    message: HEARTBEAT_DEFAULTS.message,
    returnMessage: HEARTBEAT_DEFAULTS.returnMessage,
  },
  rateLimit: { messages: 1000, interval: 10_000 },
  maxBufferedBytes: 1024 * 1024,
  backpressurePolicy: 'drop',
  closeTimeout: 5_000,
  delivery: 'plain',
  reliable: { bufferSize: 1_000, maxAge: 120_000, helloTimeout: 10_000 },
  /** `server.close()`: going away, which clients retry (to another instance if there is one). */
  closeCode: 1001,
  closeReason: 'server shutting down',
} as const
