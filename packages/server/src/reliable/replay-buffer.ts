import type { SessionLog, SessionLogConfig, SessionLogStats } from '../adapter'

export const byteLength = (payload: string | Buffer) =>
  typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length

/**
 * What a session sent and the client has not acknowledged, oldest first. Sequence numbers
 * in it are consecutive (every message sent is pushed, only the head is ever removed), so
 * only the first one is stored. A broadcast's payload is one string shared by every
 * session that keeps it.
 */
export class ReplayBuffer implements SessionLog {
  private payloads: Array<string | Buffer> = []
  private sizes: number[] = []
  private times: number[] = []
  private head = 0
  /** Sequence number of the oldest message kept (one past the newest when empty). */
  first = 1

  constructor(
    private readonly config: SessionLogConfig,
    private readonly stats: SessionLogStats,
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
