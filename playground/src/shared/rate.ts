/** Counts events and turns them into a rate per second each time it is sampled. */
export class RateMeter {
  private count = 0
  private sampledCount = 0
  private sampledAt: number
  private current = 0

  constructor(now: number = performance.now()) {
    this.sampledAt = now
  }

  tick(n = 1): void {
    this.count += n
  }

  get total(): number {
    return this.count
  }

  get rate(): number {
    return this.current
  }

  /** The rate since the previous sample, per second. */
  sample(now: number = performance.now()): number {
    const elapsed = now - this.sampledAt
    if (elapsed > 0) this.current = ((this.count - this.sampledCount) * 1000) / elapsed
    this.sampledCount = this.count
    this.sampledAt = now
    return this.current
  }
}

/** The two rates the dashboard shows side by side. */
export interface Rates {
  messages: number
  renders: number
}

/** Events per second over the last `window` ms, exact at any moment (for low rates). */
export class WindowRate {
  private readonly times: number[] = []

  constructor(private readonly window = 1000) {}

  tick(now: number = performance.now()): void {
    this.times.push(now)
    this.trim(now)
  }

  rate(now: number = performance.now()): number {
    this.trim(now)
    return (this.times.length * 1000) / this.window
  }

  private trim(now: number): void {
    while (this.times.length > 0 && (this.times[0] as number) <= now - this.window)
      this.times.shift()
  }
}
