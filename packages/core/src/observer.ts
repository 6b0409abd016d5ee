import { createConnection } from './connection'
import { UNINSTANTIATED } from './ready-state'
import { acquireShared } from './registry'
import type {
  Connection,
  ConnectionOptions,
  ConnectionView,
  MessageFilter,
  SendData,
  Snapshot,
  Unsubscribe,
  UrlSource,
} from './types'

export interface ObserverOptions<In = unknown, Out = unknown> extends ConnectionOptions<In, Out> {
  /** One socket per url (a provider function by identity) + protocols + query parameters across every observer that shares. @default false */
  share?: boolean
  /** This observer's `lastMessage` only moves for messages it accepts; `onMessage` still sees all. */
  filter?: MessageFilter<In>
  /** How long a shared socket outlives its last user (ms). @default 1000 */
  linger?: number
}

/**
 * What a binding holds: a store over one connection (private or shared) that follows the
 * latest options. It connects on its first subscriber and lets go a macrotask after its
 * last, so a StrictMode double mount keeps the one socket.
 */
export interface WebSocketObserver<In = unknown, Out = unknown> {
  /** Restarts only when the url, `connect`, `share`, `protocols` or `queryParams` change. */
  setOptions(url: UrlSource, options?: ObserverOptions<In, Out>): void
  subscribe(listener: () => void): Unsubscribe
  getSnapshot(): Snapshot<In>
  getServerSnapshot(): Snapshot<In>
  sendMessage(data: SendData, keep?: boolean): boolean
  sendJsonMessage(message: Out, keep?: boolean): boolean
  /** Connects now, even with `connect: false`; with no subscriber, at the next subscribe. */
  open(): void
  close(code?: number, reason?: string): void
  getWebSocket(): WebSocket | null
  getConnection(): Connection<In, Out> | null
}

// What a connection that never connects shows, so the two cannot drift apart (and no second
// object literal of every field ships). Marked free of side effects, so a bundle without the
// observer drops it.
/* @__NO_SIDE_EFFECTS__ */
const idle = (): Snapshot<never> =>
  Object.freeze(
    createConnection<never>(null, { connect: false, browserEvents: false }).getSnapshot(),
  )
/** The snapshot of "no socket asked for": server rendering, a null url, `connect: false`. */
export const IDLE_SNAPSHOT: Snapshot<never> = idle()

// The callbacks an observer runs itself, by event: never handed to a connection (a shared
// one has many owners).
const CALLBACKS = {
  open: 'onOpen',
  message: 'onMessage',
  close: 'onClose',
  error: 'onError',
  'reconnect-stop': 'onReconnectStop',
} as const

type Callback = (a: unknown, b: unknown) => void

const identity = (
  url: UrlSource,
  o: Pick<ObserverOptions, 'protocols' | 'queryParams' | 'share' | 'connect'>,
) =>
  // JSON writes a URL as its href, and `undefined` in an array as null.
  JSON.stringify([
    typeof url === 'function' ? 0 : url,
    o.protocols,
    o.queryParams,
    !!o.share,
    o.connect !== false,
  ])

export function createWebSocketObserver<In = unknown, Out = unknown>(
  url: UrlSource,
  options: ObserverOptions<In, Out> = {},
): WebSocketObserver<In, Out> {
  let source = url
  let opts = options
  let key = identity(url, options)
  let forced = false
  let connection: Connection<In, Out> | null = null
  let view: ConnectionView<In> | null = null
  // What `detach` undoes: the handlers, the view, and the hold on the connection.
  let cleanup: Unsubscribe[] = []
  let stopTimer: ReturnType<typeof setTimeout> | undefined
  // The last subscriber left and the release waits a macrotask (for a StrictMode remount): its
  // owner is gone (an unmounted component), so its callbacks must not run meanwhile.
  let leaving = false
  const listeners = new Set<() => void>()
  // A private connection reads this object, refreshed in place, so new callbacks and
  // options apply without a reconnect.
  const live: Record<string, unknown> = {}

  const refresh = () => {
    // Reset, not deleted: deleting turns the object into a slow dictionary, read per message.
    for (const k in live) live[k] = undefined
    Object.assign(live, opts)
    for (const k of Object.values(CALLBACKS)) live[k] = undefined
    // Connections start idle; `attach` opens them once its handlers are wired, so `onError`
    // also hears what fails at once (an invalid url, no WebSocket constructor).
    live.connect = false
  }
  refresh()

  const notify = () => {
    for (const listener of listeners) listener()
  }

  // An inline url provider is a new function every render: call the latest, keep the socket.
  // A shared socket is keyed by the provider itself, so observers given one function share
  // (and its creator's newest provider is the one called).
  const latest = () => (source as () => string | URL | Promise<string | URL>)()

  const attach = () => {
    if (connection || source === null || (opts.connect === false && !forced)) return
    const target = typeof source === 'function' ? latest : source
    const { connection: c, release } = opts.share
      ? acquireShared<In, Out>(target, { ...live }, opts.linger, source)
      : { connection: createConnection<In, Out>(target, live), release: undefined }
    connection = c
    view = c.view((event, json) => !opts.filter || opts.filter(event, json))
    view.subscribe(notify)
    cleanup = Object.entries(CALLBACKS).map(([event, name]) =>
      c.on(event as 'message', (a, b) => leaving || (opts[name] as Callback | undefined)?.(a, b)),
    )
    cleanup.push(view.dispose, release ?? c.dispose)
    if (c.getSnapshot().readyState === UNINSTANTIATED) c.open()
    notify()
  }

  const detach = () => {
    if (!connection) return
    for (const undo of cleanup) undo()
    connection = view = null
    notify()
  }

  return {
    setOptions(nextUrl, nextOptions = {}) {
      source = nextUrl
      opts = nextOptions
      refresh()
      const next = identity(nextUrl, nextOptions)
      if (next === key) return
      key = next
      forced = false
      detach()
      if (listeners.size > 0) attach()
    },
    subscribe(listener) {
      listeners.add(listener)
      clearTimeout(stopTimer)
      leaving = false
      attach()
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0) {
          leaving = true
          stopTimer = setTimeout(() => listeners.size === 0 && detach())
        }
      }
    },
    getSnapshot: () => (view ? view.getSnapshot() : IDLE_SNAPSHOT),
    getServerSnapshot: () => IDLE_SNAPSHOT,
    sendMessage: (data, keep) => !!connection?.sendMessage(data, keep),
    sendJsonMessage: (message, keep) => !!connection?.sendJsonMessage(message, keep),
    open() {
      forced = true
      if (connection) connection.open()
      // Without a subscriber nobody would release it (a stale call after unmount, server
      // rendering): the next subscriber connects instead.
      else if (listeners.size > 0) attach()
    },
    close: (code, reason) => connection?.close(code, reason),
    getWebSocket: () => connection?.getWebSocket() ?? null,
    getConnection: () => connection,
  }
}
