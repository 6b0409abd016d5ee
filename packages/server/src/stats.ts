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

/** The gauges and counters of `server.stats.sessions`, updated in place. */
export interface SessionStats {
  /** Sessions alive now, with a socket or waiting for their client to come back. */
  active: number
  /** Of those, the ones without a socket now (they expire `maxAge` after it went). */
  detached: number
  /** Messages kept for replay now, over every session. */
  buffered: number
  /** Their payload bytes (a broadcast kept by many sessions counts once for each). */
  bufferedBytes: number
  /** Sessions started since the server started. */
  started: number
  /** Reconnects that resumed their session. */
  resumed: number
  /** Reconnects that presented a session that could not be resumed (expired, unknown, or missing messages). */
  notResumed: number
  /** Sessions that ended because their client did not come back within `maxAge`. */
  expired: number
  /** Sessions ended before `maxAge`, the longest-detached first, to start new ones within `maxSessions`. */
  evictedSessions: number
  /** Messages sent again after a resume. */
  replayed: number
  /** Client messages dropped because they had already been handed to handlers. */
  duplicates: number
  /** Unacknowledged messages dropped from a buffer by `bufferSize` or `maxAge`. */
  evicted: number
}

export function createSessionStats(): SessionStats {
  return {
    active: 0,
    detached: 0,
    buffered: 0,
    bufferedBytes: 0,
    started: 0,
    resumed: 0,
    notResumed: 0,
    expired: 0,
    evictedSessions: 0,
    replayed: 0,
    duplicates: 0,
    evicted: 0,
  }
}
