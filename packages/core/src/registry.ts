import { createConnection } from './connection'
import type { Connection, ConnectionOptions, UrlSource } from './types'

/** How long a shared socket outlives its last user, so a remount or a route change keeps it. */
export const DEFAULT_LINGER = 1_000

/** Hands out one more lease on a shared connection. */
type Acquire = (linger: number) => Lease<never, never>

const shared = new Map<string, Acquire>()
const providerIds = new WeakMap<object, number>()
let providers = 0

/** The sharing key: url (a provider by identity) + protocols + query parameters. */
export function shareKey(
  url: Exclude<UrlSource, null>,
  options: Pick<ConnectionOptions, 'protocols' | 'queryParams'>,
): string {
  let id: string | number | undefined = String(url)
  if (typeof url === 'function') {
    id = providerIds.get(url)
    if (id === undefined) providerIds.set(url, (id = ++providers))
  }
  // A protocol as a string or in an array is the same.
  return JSON.stringify([id, `${options.protocols ?? ''}`, options.queryParams])
}

export interface Lease<In, Out> {
  connection: Connection<In, Out>
  /** Once per lease; the socket closes `linger` ms after the last release. */
  release(): void
}

/**
 * A ref-counted connection shared by everyone who asks with the same key. The first
 * caller's options create it; later callers get the same socket.
 */
export function acquireShared<In, Out>(
  url: Exclude<UrlSource, null>,
  options: ConnectionOptions<In, Out>,
  linger = DEFAULT_LINGER,
  /** What the share key is made of, when `url` stands in for it (a provider's wrapper). */
  keyUrl: Exclude<UrlSource, null> = url,
): Lease<In, Out> {
  const key = shareKey(keyUrl, options)
  let acquire = shared.get(key)
  if (!acquire) {
    const connection = createConnection(url, options) as Connection<never, never>
    let users = 0
    let timer: ReturnType<typeof setTimeout> | undefined
    acquire = (wait) => {
      clearTimeout(timer)
      users++
      // A new user connects as a mount of its own would, whatever stopped the socket before
      // (CLOSING is a manual close still under way).
      const { status } = connection.getSnapshot()
      if (status === 'stopped' || status === 'closing') connection.open()
      let released = false
      return {
        connection,
        release() {
          if (released) return
          released = true
          if (--users > 0) return
          timer = setTimeout(() => {
            shared.delete(key)
            connection.dispose()
          }, wait)
        },
      }
    }
    shared.set(key, acquire)
  }
  return acquire(linger) as Lease<never, never> as Lease<In, Out>
}

/** Sockets shared right now, lingering ones included. For tests and devtools. */
export function sharedConnectionCount(): number {
  return shared.size
}
