import {
  ReplayBuffer,
  type SessionLog,
  type SessionLogConfig,
  type SessionLogStats,
} from '@tethered/server'

/** What a session log needs of its adapter: the store, and where failures go. */
export interface LogStore {
  /** The script's answer: the sequence number it gave, -1 not the owner, -2 out of step. */
  append(id: string, seq: number, entry: string, bufferSize: number, mark: number): Promise<number>
  ack(id: string, seq: number): void
  received(id: string, seq: number): void
}

/**
 * A session's log in Redis, with a copy on the instance that owns the session: the copy
 * answers reads (replay, flush) at once, Redis is written through. A push settles once
 * Redis has the message, so it is there before it reaches the socket; a push Redis refuses
 * (the session moved, or Redis lost it) rejects, and the server ends the session loudly.
 */
export class RedisSessionLog implements SessionLog {
  private readonly copy: ReplayBuffer
  /**
   * The last reliable broadcast this log has (the feed's numbering): a broadcast at or
   * below it is not pushed again, e.g. once a session taken over has caught up.
   */
  broadcast = 0
  /** Set by the feed for the push a broadcast makes: that broadcast's number. */
  mark = 0

  constructor(
    readonly id: string,
    readonly config: SessionLogConfig,
    stats: SessionLogStats,
    private readonly store: LogStore,
  ) {
    this.copy = new ReplayBuffer(config, stats)
  }

  get first(): number {
    return this.copy.first
  }

  get size(): number {
    return this.copy.size
  }

  /** Fills the copy of a session taken over: `entries` are messages `ack + 1` on. */
  restore(ack: number, entries: readonly string[], now: number): void {
    this.copy.first = ack + 1
    const wall = Date.now()
    for (const entry of entries) {
      const colon = entry.indexOf(':')
      const payload = entry.slice(colon + 1)
      const age = wall - Number(entry.slice(0, colon))
      this.copy.push(payload, Buffer.byteLength(payload), now - Math.max(0, age))
    }
  }

  push(payload: string | Buffer, bytes: number, now: number): Promise<void> {
    const seq = this.copy.first + this.copy.size
    const mark = this.mark
    this.mark = 0
    if (mark > 0) this.broadcast = mark
    this.copy.push(payload, bytes, now)
    const text = typeof payload === 'string' ? payload : payload.toString('utf8')
    return this.store
      .append(this.id, seq, `${Date.now()}:${text}`, this.config.bufferSize, mark)
      .then((given) => {
        if (given === seq) return
        throw new Error(
          given === -1
            ? `session log ${seq} not kept: this instance no longer owns the session (it moved, or Redis lost it)`
            : `session log ${seq} not kept: Redis numbered it ${given} (the log is out of step)`,
        )
      })
  }

  acknowledge(seq: number): void {
    const before = this.copy.first
    this.copy.acknowledge(seq)
    if (this.copy.first > before) this.store.ack(this.id, seq)
  }

  expire(now: number): void {
    this.copy.expire(now)
  }

  get(seq: number): string | Buffer {
    return this.copy.get(seq)
  }

  received(seq: number): void {
    this.store.received(this.id, seq)
  }

  clear(): void {
    this.copy.clear()
  }
}
