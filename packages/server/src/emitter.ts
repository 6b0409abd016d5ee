/**
 * A minimal typed emitter. Unlike Node's EventEmitter, an `error` with no listener does
 * not throw: a bad message from one client must never take the server down.
 */
export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly listeners = new Map<keyof Events, Set<(...args: never[]) => void>>()

  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    let set = this.listeners.get(event)
    if (!set) {
      set = new Set()
      this.listeners.set(event, set)
    }
    const stored = listener as unknown as (...args: never[]) => void
    set.add(stored)
    return () => {
      set.delete(stored)
    }
  }

  has(event: keyof Events): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0
  }

  /** Calls every listener; one that throws is passed to `onThrow` and the rest still run. */
  emit<K extends keyof Events>(event: K, args: Events[K], onThrow: (error: unknown) => void): void {
    const set = this.listeners.get(event)
    if (!set) return
    for (const listener of [...set]) {
      try {
        ;(listener as unknown as (...args: Events[K]) => void)(...args)
      } catch (error) {
        onThrow(error)
      }
    }
  }
}
