import { redisAdapter } from '@tethered/redis'
import type { HubOptions } from './hub'

/**
 * How long an instance of `pnpm cluster` holds its lease: a killed instance's identities are
 * released this long after the kill. A session moves to a survivor at once, without waiting.
 */
export const CLUSTER_LEASE = 5_000

/**
 * The adapters of a cluster's hubs, on one Redis: each endpoint is a cluster of its own (its
 * own prefix), since a plain and a reliable server never share clients or sessions.
 */
export function clusterAdapter(url: string): NonNullable<HubOptions['adapter']> {
  return (path) => redisAdapter({ url, prefix: `playground${path}:`, lease: CLUSTER_LEASE })
}
