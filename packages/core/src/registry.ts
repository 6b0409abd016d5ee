import { createConnection } from './connection'
import type { Connection, ConnectionOptions, UrlSource } from './types'

/** How long a shared socket outlives its last user, so a remount or a route change keeps it. */
export const DEFAULT_LINGER = 1_000

interface Entry {
  connection: Connection<never, never>
  users: number
  timer: ReturnType<typeof setTimeout> | undefined
}

const shared = new Map<string, Entry>()
const providerIds = new WeakMap<object, number>()
let providers = 0

/** The sharing key: url (a provider by identity) + protocols + query parameters. */
export function shareKey(
  url: Exclude<UrlSource, null>,
  options: Pick<ConnectionOptions, 'protocols' | 'queryParams'>,
): string {
  let id: string
  if (typeof url === 'function') {
    let n = providerIds.get(url)
    if (n === undefined) providerIds.set(url, (n = ++providers))
    id = `fn:${n}`
  } else {
    id = String(url)
  }
  const protocols = ([] as string[]).concat(options.protocols ?? []).join(',')
  return `${id}\n${protocols}\n${options.queryParams ? JSON.stringify(options.queryParams) : ''}`
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
): Lease<In, Out> {
  const key = shareKey(url, options)
  let entry = shared.get(key)
  if (entry) {
    clearTimeout(entry.timer)
    entry.timer = undefined
  } else {
    entry = {
      connection: createConnection(url, options) as Connection<never, never>,
      users: 0,
      timer: undefined,
    }
    shared.set(key, entry)
  }
  const held = entry
  held.users++
  let released = false
  return {
    connection: held.connection as Connection<In, Out>,
    release() {
      if (released) return
      released = true
      if (--held.users > 0) return
      held.timer = setTimeout(() => {
        if (shared.get(key) === held) shared.delete(key)
        held.connection.dispose()
      }, linger)
    },
  }
}

/** Sockets shared right now, lingering ones included. For tests and devtools. */
export function sharedConnectionCount(): number {
  return shared.size
}
