import { createSessionStats, type SessionStats } from './reliable'
import type { RefusalReason } from './types'

/** Counters since the server started; `connections` is the number open now. */
export interface ServerStats {
  /** Open now (replaced connections count until their close completes). */
  connections: number
  /** Accepted since start. */
  connectionsTotal: number
  /** Upgrades turned away, by reason (with reliable delivery, `duplicate` also counts hellos closed with 4410). */
  refused: Record<RefusalReason, number>
  /** Messages received (text heartbeats excluded). */
  messagesIn: number
  /** Messages written to sockets (text heartbeat answers excluded). */
  messagesOut: number
  /** Text heartbeats answered. */
  heartbeats: number
  /** Messages not sent to a client because its buffer was over `maxBufferedBytes`. */
  drops: number
  /** Sockets destroyed without a closing handshake: dead peers and `close()` timeouts. */
  terminations: number
  /** Clients closed with 1008 for going over `rateLimit`. */
  rateLimited: number
  /** Clients closed with 1013 by the `close` backpressure policy. */
  slowConsumersClosed: number
  /** Messages that were not envelopes (bad JSON, no `type`, binary) or requests whose id is not a safe integer. */
  malformed: number
  /** Requests whose handler threw or rejected (or had no handler). */
  requestErrors: number
  /** Reliable delivery (the `delivery` option): sessions and their replay buffers; zeros without it. */
  sessions: SessionStats
}

export function createStats(): ServerStats {
  return {
    connections: 0,
    connectionsTotal: 0,
    refused: {
      handshake: 0,
      path: 0,
      origin: 0,
      capacity: 0,
      'shutting-down': 0,
      authenticate: 0,
      'upgrade-error': 0,
      duplicate: 0,
    },
    messagesIn: 0,
    messagesOut: 0,
    heartbeats: 0,
    drops: 0,
    terminations: 0,
    rateLimited: 0,
    slowConsumersClosed: 0,
    malformed: 0,
    requestErrors: 0,
    sessions: createSessionStats(),
  }
}

/** A copy, so callers can keep it and compare with a later one. */
export function snapshotStats(stats: ServerStats): ServerStats {
  return { ...stats, refused: { ...stats.refused }, sessions: { ...stats.sessions } }
}
