import type { Redis } from 'ioredis'

export interface RedisAdapterOptions {
  /** Where Redis is, e.g. `redis://127.0.0.1:6379`. Leave it out when you pass `client`. */
  url?: string | undefined
  /**
   * An ioredis client you made (its options, TLS, auth are yours). The adapter makes one more
   * connection from it (`client.duplicate()`) for PUB/SUB, and leaves yours open on close.
   */
  client?: Redis | undefined
  /** Every key and channel starts with it: one prefix per cluster. @default 'tethered:' */
  prefix?: string | undefined
  /**
   * How long an instance stays alive in Redis without renewing (every third of it): after
   * that a survivor releases its identities and its sessions expire after `maxAge` unless
   * resumed elsewhere. An instance only stalled past it keeps them. @default 10000
   */
  lease?: number | undefined
  /**
   * Reliable broadcasts kept in Redis for instances that missed the doorbell and for sessions
   * taken over after their instance died: keep at least `maxAge` worth. @default 10000
   */
  broadcastLog?: number | undefined
}

export interface ResolvedRedisOptions {
  url: string | undefined
  client: Redis | undefined
  prefix: string
  lease: number
  broadcastLog: number
}

const fail = (problem: string, fix: string) => new TypeError(`redisAdapter(): ${problem}. ${fix}`)

const count = (name: string, value: unknown, fallback: number, min: number) => {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw fail(
      `\`${name}\` must be an integer of at least ${min}, got ${String(value)}`,
      `Pass e.g. \`${name}: ${fallback}\`.`,
    )
  }
  return value
}

export function resolveRedisOptions(
  options: RedisAdapterOptions | undefined,
): ResolvedRedisOptions {
  const { url, client, prefix = 'tethered:' } = options ?? {}
  if (url !== undefined && client !== undefined) {
    throw fail('pass `url` or `client`, not both', 'Keep `client` to use your own connection.')
  }
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//.test(url))) {
    throw fail(
      `\`url\` must be a redis:// or rediss:// URL, got ${JSON.stringify(url)}`,
      "Pass e.g. `url: 'redis://127.0.0.1:6379'`.",
    )
  }
  if (client !== undefined && typeof (client as { duplicate?: unknown }).duplicate !== 'function') {
    throw fail('`client` must be an ioredis client', "Pass `new Redis(...)` from 'ioredis'.")
  }
  if (typeof prefix !== 'string') {
    throw fail(`\`prefix\` must be a string, got ${typeof prefix}`, "Pass e.g. `prefix: 'chat:'`.")
  }
  return {
    url,
    client,
    prefix,
    lease: count('lease', options?.lease, 10_000, 100),
    broadcastLog: count('broadcastLog', options?.broadcastLog, 10_000, 1),
  }
}
