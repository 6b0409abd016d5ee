import type { RateLimitOptions } from './options-types'

/**
 * A token bucket: bursts up to `messages`, sustained `messages` per `interval`. Cheaper
 * per connection than a sliding window (two numbers) and without a fixed window's
 * double burst at the boundary.
 */
export class TokenBucket {
  private tokens: number
  private updatedAt: number
  private readonly capacity: number
  private readonly perMs: number

  constructor(limit: RateLimitOptions, now: number) {
    this.capacity = limit.messages
    this.perMs = limit.messages / limit.interval
    this.tokens = limit.messages
    this.updatedAt = now
  }

  /** Spends one token; `false` when the client is over its rate. */
  take(now: number): boolean {
    const elapsed = now - this.updatedAt
    if (elapsed > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.perMs)
      this.updatedAt = now
    }
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
