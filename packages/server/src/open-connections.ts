import type { ServerStats } from './stats'

/**
 * Every socket not yet closed, replaced ones included, kept in step with
 * `stats.connections`: `close()` waits for this to drain.
 */
export class OpenConnections<C> implements Iterable<C> {
  private readonly open = new Set<C>()
  private drained: (() => void) | undefined

  constructor(private readonly stats: ServerStats) {}

  get size(): number {
    return this.open.size
  }

  has(connection: C): boolean {
    return this.open.has(connection)
  }

  [Symbol.iterator](): Iterator<C> {
    return this.open[Symbol.iterator]()
  }

  add(connection: C): void {
    this.open.add(connection)
    this.stats.connections++
    this.stats.connectionsTotal++
  }

  /** Its socket closed (or, for a reliable session, went away). */
  delete(connection: C): boolean {
    if (!this.open.delete(connection)) return false
    this.stats.connections--
    if (this.open.size === 0) this.drained?.()
    return true
  }

  /** One socket, one entry: the socket `from` took the hello on now belongs to `to`'s session. */
  transfer(from: C, to: C): void {
    this.open.delete(from)
    if (this.open.has(to)) this.stats.connections--
    else this.open.add(to)
  }

  /** Resolves once every socket is closed, or after `ms`. */
  drain(ms: number): Promise<void> {
    if (this.open.size === 0) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const timer = setTimeout(finish, ms)
      function finish() {
        clearTimeout(timer)
        resolve()
      }
      this.drained = finish
    })
  }
}
