/** One reliable broadcast as every instance reads it from Redis. */
export interface FeedEntry {
  /** Its number: one counter in Redis orders every reliable broadcast of the cluster. */
  readonly seq: number
  readonly room: string | null
  readonly to: string | null
  readonly exceptKeys: readonly string[] | null
  readonly text: string
}

/** `<seq>\n<json [room, to, exceptKeys, text]>`, as the publish script keeps it. */
export function parseEntry(raw: string): FeedEntry | undefined {
  const newline = raw.indexOf('\n')
  const seq = Number(raw.slice(0, newline))
  if (newline < 0 || !Number.isSafeInteger(seq)) return undefined
  try {
    const [room, to, exceptKeys, text] = JSON.parse(raw.slice(newline + 1)) as [
      string | null,
      string | null,
      string[] | null,
      string,
    ]
    return { seq, room, to, exceptKeys, text }
  } catch {
    return undefined
  }
}

export interface FeedHost {
  /** Reliable broadcasts from `from` on: the number of the first one there, and the entries. */
  fetch(from: number): Promise<{ from: number; entries: string[] }>
  apply(entry: FeedEntry): void
  /** Broadcasts Redis no longer had when this instance asked for them. */
  lost(count: number): void
  report(error: unknown): void
}

/**
 * The reliable broadcasts of the cluster, applied on this instance once each and in their
 * order. PUB/SUB only rings the doorbell (its message carries the entry, to save a round
 * trip): a number that skips ahead, a resubscribe or a periodic poll makes it read the gap
 * from the log in Redis, which is the truth.
 */
export class Feed {
  /** The last broadcast applied here. */
  processed = 0
  private readonly pending = new Map<number, FeedEntry>()
  private holds = 0
  private fetching = false

  constructor(
    private readonly host: FeedHost,
    /** Entries waiting for a gap to be filled, at most: past it they are read from the log again. */
    private readonly maxPending: number,
  ) {}

  /** Entries received ahead of a gap, waiting for it to be filled. */
  get waiting(): number {
    return this.pending.size
  }

  offer(raw: string): void {
    const entry = parseEntry(raw)
    if (entry === undefined || entry.seq <= this.processed) return
    if (this.pending.size >= this.maxPending) this.pending.clear()
    this.pending.set(entry.seq, entry)
    this.drain()
  }

  /** Broadcasts `from` to `to` from the log: `from` in the answer is later when Redis no longer had the first ones. */
  async read(from: number, to: number): Promise<{ from: number; entries: FeedEntry[] }> {
    const { from: first, entries } = await this.host.fetch(from)
    const parsed: FeedEntry[] = []
    for (const raw of entries) {
      const entry = parseEntry(raw)
      if (entry !== undefined && entry.seq <= to) parsed.push(entry)
    }
    return { from: first, entries: parsed }
  }

  /**
   * Redis lost its data and numbers broadcasts from `processed` on again: what waited for a
   * gap under the old numbering would be taken for the new broadcasts of the same numbers.
   */
  restart(processed: number): void {
    this.pending.clear()
    this.processed = processed
  }

  /** Looks for broadcasts the doorbell did not ring for. */
  poll(): void {
    this.fill()
  }

  /** Nothing is applied until the returned function is called: a session being taken over catches up first. */
  hold(): () => void {
    this.holds++
    let released = false
    return () => {
      if (released) return
      released = true
      this.holds--
      this.drain()
    }
  }

  private drain(refill = true): void {
    if (this.holds > 0) return
    for (;;) {
      const next = this.pending.get(this.processed + 1)
      if (next === undefined) break
      this.pending.delete(next.seq)
      this.processed = next.seq
      try {
        this.host.apply(next)
      } catch (error) {
        this.host.report(error)
      }
    }
    if (refill && this.pending.size > 0) this.fill()
  }

  private fill(): void {
    if (this.fetching) return
    this.fetching = true
    this.host.fetch(this.processed + 1).then(
      ({ from, entries }) => {
        this.fetching = false
        if (from > this.processed + 1 && this.holds === 0) {
          this.host.lost(from - this.processed - 1)
          this.processed = from - 1
        }
        let found = false
        for (const raw of entries) {
          const entry = parseEntry(raw)
          if (entry && entry.seq > this.processed) {
            this.pending.set(entry.seq, entry)
            found = true
          }
        }
        // A gap the log has nothing for (a doorbell from before Redis lost its data) is
        // asked about again by the next doorbell or poll, not at once in a loop.
        this.drain(found)
      },
      (error: unknown) => {
        this.fetching = false
        this.host.report(error)
      },
    )
  }
}
