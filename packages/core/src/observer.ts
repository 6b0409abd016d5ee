import { createConnection } from './connection'
import { ReadyState } from './ready-state'
import { acquireShared, type Lease } from './registry'
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
  /** One socket per url + protocols + query parameters across every observer that shares. @default false */
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

/** The snapshot of "no socket asked for": server rendering, a null url, `connect: false`. */
export const IDLE_SNAPSHOT: Snapshot<never> = Object.freeze({
  readyState: ReadyState.UNINSTANTIATED,
  lastMessage: null,
  lastJsonMessage: null,
  reconnectAttempt: 0,
  nextReconnectAt: null,
  error: null,
  resumed: null,
})

// Handled by the observer itself, never handed to a connection (a shared one has many owners).
const OWN = new Set([
  'share',
  'filter',
  'linger',
  'connect',
  'onOpen',
  'onMessage',
  'onClose',
  'onError',
  'onReconnectStop',
])

const identity = (
  url: UrlSource,
  o: Pick<ObserverOptions, 'protocols' | 'queryParams' | 'share' | 'connect'>,
) =>
  JSON.stringify([
    typeof url === 'function' ? 0 : url === null ? null : String(url),
    o.protocols ?? null,
    o.queryParams ?? null,
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
  let lease: Lease<In, Out> | null = null
  let view: ConnectionView<In> | null = null
  let offs: Unsubscribe[] = []
  let stopTimer: ReturnType<typeof setTimeout> | undefined
  // The last subscriber left and the release waits a macrotask (for a StrictMode remount): its
  // owner is gone (an unmounted component), so its callbacks must not run meanwhile.
  let leaving = false
  const listeners = new Set<() => void>()
  // A private connection reads this object, refreshed in place, so new callbacks and
  // options apply without a reconnect.
  const live: ConnectionOptions<In, Out> = {}

  const refresh = () => {
    for (const k of Object.keys(live)) delete live[k as keyof typeof live]
    for (const [k, v] of Object.entries(opts)) {
      if (!OWN.has(k)) (live as Record<string, unknown>)[k] = v
    }
    // Connections start idle; `attach` opens them once its handlers are wired, so `onError`
    // also hears what fails at once (an invalid url, no WebSocket constructor).
    live.connect = false
  }
  refresh()

  const notify = () => {
    for (const listener of listeners) listener()
  }

  // An inline url provider is a new function every render: call the latest, keep the socket.
  const latest = () => (source as () => string | URL | Promise<string | URL>)()

  const attach = () => {
    if (lease || source === null || (opts.connect === false && !forced)) return
    const target = typeof source === 'function' ? latest : source
    if (opts.share) {
      lease = acquireShared(target, { ...live }, opts.linger)
    } else {
      const connection = createConnection<In, Out>(target, live)
      lease = { connection, release: connection.dispose }
    }
    const c = lease.connection
    view = c.view((event, json) => !opts.filter || opts.filter(event, json))
    view.subscribe(notify)
    offs = [
      c.on('open', (e) => leaving || opts.onOpen?.(e)),
      c.on('message', (e, json) => leaving || opts.onMessage?.(e, json)),
      c.on('close', (info) => leaving || opts.onClose?.(info)),
      c.on('error', (e) => leaving || opts.onError?.(e)),
      c.on('reconnect-stop', (info) => leaving || opts.onReconnectStop?.(info)),
    ]
    if (c.getSnapshot().readyState === ReadyState.UNINSTANTIATED) c.open()
    notify()
  }

  const detach = () => {
    if (!lease) return
    for (const off of offs) off()
    offs = []
    view?.dispose()
    view = null
    lease.release()
    lease = null
    notify()
  }

  const connection = () => lease?.connection ?? null

  return {
    setOptions(nextUrl, nextOptions = {}) {
      source = nextUrl
      opts = nextOptions
      refresh()
      const next = identity(nextUrl, nextOptions)
      if (next === key) return
      key = next
      forced = false
      if (lease) detach()
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
          clearTimeout(stopTimer)
          stopTimer = setTimeout(() => listeners.size === 0 && detach())
        }
      }
    },
    getSnapshot: () => (view ? view.getSnapshot() : IDLE_SNAPSHOT),
    getServerSnapshot: () => IDLE_SNAPSHOT,
    sendMessage: (data, keep) => connection()?.sendMessage(data, keep) ?? false,
    sendJsonMessage: (message, keep) => connection()?.sendJsonMessage(message, keep) ?? false,
    open() {
      forced = true
      if (lease) lease.connection.open()
      // Without a subscriber nobody would release it (a stale call after unmount, server
      // rendering): the next subscriber connects instead.
      else if (listeners.size > 0) attach()
    },
    close: (code, reason) => connection()?.close(code, reason),
    getWebSocket: () => connection()?.getWebSocket() ?? null,
    getConnection: connection,
  }
}
