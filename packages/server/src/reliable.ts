import { encodeData, type Hello, parseFrame } from '@tethered/core/protocol'

/** Acknowledged delivery and session resume, as resolved from the `delivery` option. */
export interface ReliableConfig {
  bufferSize: number
  maxAge: number
  helloTimeout: number
}

export const RELIABLE_DEFAULTS: ReliableConfig = {
  bufferSize: 1_000,
  maxAge: 120_000,
  helloTimeout: 10_000,
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

export const byteLength = (payload: string | Buffer) =>
  typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length

/**
 * What a session sent and the client has not acknowledged, oldest first. Sequence numbers
 * in it are consecutive (every message sent is pushed, only the head is ever removed), so
 * only the first one is stored. A broadcast's payload is one string shared by every
 * session that keeps it.
 */
export class ReplayBuffer {
  private payloads: Array<string | Buffer> = []
  private sizes: number[] = []
  private times: number[] = []
  private head = 0
  /** Sequence number of the oldest message kept (one past the newest when empty). */
  first = 1

  constructor(
    private readonly config: ReliableConfig,
    private readonly stats: SessionStats,
  ) {}

  get size(): number {
    return this.payloads.length - this.head
  }

  /**
   * Keeps message `first + size` (`bytes` long); the oldest go when over `bufferSize` or
   * older than `maxAge`.
   */
  push(payload: string | Buffer, bytes: number, now: number): void {
    this.payloads.push(payload)
    this.sizes.push(bytes)
    this.times.push(now)
    this.stats.buffered++
    this.stats.bufferedBytes += bytes
    if (this.size > this.config.bufferSize) this.evict(1)
    this.expire(now)
  }

  /** The client has everything up to `seq`. */
  acknowledge(seq: number): void {
    const n = Math.min(seq - this.first + 1, this.size)
    if (n > 0) this.shift(n)
  }

  /** Drops what is older than `maxAge`: a client back later is not resumed. */
  expire(now: number): void {
    const cutoff = now - this.config.maxAge
    let n = 0
    const times = this.times
    while (this.head + n < times.length && (times[this.head + n] as number) < cutoff) n++
    if (n > 0) this.evict(n)
  }

  /** The payload of message `seq`, which must be kept (`first <= seq < first + size`). */
  get(seq: number): string | Buffer {
    return this.payloads[this.head + seq - this.first] as string | Buffer
  }

  clear(): void {
    this.shift(this.size)
  }

  private evict(n: number): void {
    this.stats.evicted += n
    this.shift(n)
  }

  private shift(n: number): void {
    const { payloads, sizes, stats } = this
    for (let i = this.head; i < this.head + n; i++) {
      stats.bufferedBytes -= sizes[i] as number
      // Released now, not at the next compaction.
      payloads[i] = ''
    }
    stats.buffered -= n
    this.head += n
    this.first += n
    // Compact once the dead head is most of the array: amortised O(1) per message.
    if (this.head >= 1024 && this.head * 2 >= payloads.length) {
      this.payloads = payloads.slice(this.head)
      this.sizes = sizes.slice(this.head)
      this.times = this.times.slice(this.head)
      this.head = 0
    } else if (this.head === payloads.length) {
      payloads.length = 0
      sizes.length = 0
      this.times.length = 0
      this.head = 0
    }
  }
}

/**
 * `m:<seq>:<payload>`. Text stays text: `ws` writes a string straight into the socket, so a
 * broadcast serialized once costs each client a short prefix, not a Buffer of its own
 * (making one per message is most of what sequencing costs). A Buffer payload is copied
 * behind its prefix.
 */
export function dataFrame(seq: number, payload: string | Buffer): string | Buffer {
  if (typeof payload === 'string') return encodeData(seq, payload)
  const prefix = Buffer.from(encodeData(seq, ''), 'latin1')
  return Buffer.concat([prefix, payload], prefix.length + payload.length)
}

/** Reads a client's first frame; a string says what is wrong with it (a close reason). */
export function parseHello(text: string): Hello | string {
  const frame = parseFrame(text)
  if (frame?.kind === 'hello') return frame.hello
  return frame?.kind === 'malformed' && frame.frame === 'hello'
    ? `reliable delivery: ${frame.message}`
    : 'reliable delivery: expected a hello (h:{...}) as the first message'
}

/** Per-session state of a client with reliable delivery; it outlives the client's sockets. */
export class Session {
  /** The last client message handed to handlers: anything at or below it is a duplicate. */
  inSeq = 0
  /** The last message sequence given out. */
  outSeq = 0
  /**
   * The last one written to the current socket. Behind `outSeq` while the client is away or
   * reads slower than the server sends: the rest waits in the buffer and goes out as the
   * client's acks show it catching up.
   */
  sent = 0
  /** Client messages handed to handlers since the last ack sent. */
  unacked = 0
  ackTimer: ReturnType<typeof setTimeout> | undefined
  expiryTimer: ReturnType<typeof setTimeout> | undefined
  /** The server ended it (`client.close()`, shutdown, replaced): its socket closing ends it for good. */
  ending = false
  readonly buffer: ReplayBuffer

  constructor(
    /** The secret the client presents to resume; never shown to application code. */
    readonly id: string,
    config: ReliableConfig,
    stats: SessionStats,
  ) {
    this.buffer = new ReplayBuffer(config, stats)
  }

  /** Whether a client that received everything up to `ack` can get the rest from the buffer. */
  canResume(ack: number, now: number): boolean {
    // Ending (closed by the server, its close handshake still under way): over already.
    if (this.ending) return false
    this.buffer.expire(now)
    return ack <= this.outSeq && ack >= this.buffer.first - 1
  }

  stopTimers(): void {
    clearTimeout(this.ackTimer)
    clearTimeout(this.expiryTimer)
    this.ackTimer = this.expiryTimer = undefined
  }
}
