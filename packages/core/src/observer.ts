import { createConnection } from './connection'
import { UNINSTANTIATED } from './ready-state'
import { acquireShared } from './registry'
import type {
  Connection,
  ConnectionCallbacks,
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

type Provider = () => string | URL | Promise<string | URL>

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

  const attach = () => {
    if (connection || source === null || (opts.connect === false && !forced)) return
    // An inline url provider is a new function every render: call the latest, keep the socket.
    // A shared socket is keyed by the provider itself, so observers given one function share
    // (and its creator's newest provider is the one called). Once the creator has moved on
    // (a null url, another one), the socket others still use keeps the provider it last had.
    let provider = source as Provider
    const target =
      typeof source === 'function'
        ? (): ReturnType<Provider> =>
            (connection === c ? (provider = source as Provider) : provider)()
        : source
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

/** A component's own part of a connection it does not own: its `filter` and callbacks. */
export interface ConnectionObserverOptions<In = unknown> extends ConnectionCallbacks<In> {
  /** This component's `lastMessage` only moves for messages it accepts; `onMessage` still sees all. */
  filter?: MessageFilter<In>
}

/** What a binding holds for a connection made elsewhere: `useConnection`'s store. */
export interface ConnectionObserver<In = unknown, Out = unknown>
  extends Omit<WebSocketObserver<In, Out>, 'setOptions' | 'getConnection'> {
  /** Another connection moves the view to it; the old one is left as it is. */
  setOptions(connection: Connection<In, Out>, options?: ConnectionObserverOptions<In>): void
  getConnection(): Connection<In, Out>
}

/**
 * A per-subscriber view on a connection someone else made (a module, a store): its own
 * `filter`, `lastMessage` and callbacks while it has subscribers. It never opens, closes or
 * disposes the connection by itself: the last unsubscribe only removes its view and handlers.
 */
export function createConnectionObserver<In = unknown, Out = unknown>(
  connection: Connection<In, Out>,
  options: ConnectionObserverOptions<In> = {},
): ConnectionObserver<In, Out> {
  let target = connection
  let opts = options
  let view: ConnectionView<In> | null = null
  let cleanup: Unsubscribe[] = []
  // Before the first subscriber (a first render) the connection's state, without the
  // messages that came before: a view's `lastMessage` only holds messages from its start.
  let seen: Snapshot<In> | undefined
  let unbound: Snapshot<In> | undefined
  const listeners = new Set<() => void>()

  const check = (c: Connection<In, Out>) => {
    if (typeof c?.view !== 'function') {
      throw new TypeError(
        `useConnection: expected a connection from createConnection(), got ${c === null ? 'null' : typeof c}`,
      )
    }
  }
  check(connection)

  const notify = () => {
    for (const listener of listeners) listener()
  }

  const attach = () => {
    const c = target
    const v = (view = c.view((event, json) => !opts.filter || opts.filter(event, json)))
    cleanup = Object.entries(CALLBACKS).map(([event, name]) =>
      c.on(event as 'message', (a, b) => (opts[name] as Callback | undefined)?.(a, b)),
    )
    cleanup.push(v.subscribe(notify), v.dispose)
  }

  const detach = () => {
    for (const undo of cleanup) undo()
    view = null
  }

  return {
    setOptions(next, nextOptions = {}) {
      opts = nextOptions
      if (next === target) return
      check(next)
      target = next
      if (view) {
        detach()
        attach()
        notify()
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      if (!view) attach()
      return () => {
        // A StrictMode remount subscribes again in the same task: a view costs no socket.
        if (listeners.delete(listener) && listeners.size === 0) detach()
      }
    },
    getSnapshot() {
      if (view) return view.getSnapshot()
      const s = target.getSnapshot()
      if (s !== seen) {
        seen = s
        unbound = { ...s, lastMessage: null, lastJsonMessage: null }
      }
      return unbound as Snapshot<In>
    },
    getServerSnapshot: () => IDLE_SNAPSHOT,
    sendMessage: (data, keep) => target.sendMessage(data, keep),
    sendJsonMessage: (message, keep) => target.sendJsonMessage(message, keep),
    open: () => target.open(),
    close: (code, reason) => target.close(code, reason),
    getWebSocket: () => target.getWebSocket(),
    getConnection: () => target,
  }
}
