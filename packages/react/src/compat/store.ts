import {
  acquireShared,
  type CloseInfo,
  type Connection,
  type ConnectionOptions,
  type ConnectionView,
  createConnection,
  type Lease,
  type SendData,
  type Snapshot,
  type UrlSource,
} from '@tethered/core'
import { flushSync } from 'react-dom'
import { beatOf, drive, engineHeartbeat } from './heartbeat'
import { ReadyState } from './ready-state'
import type { Options, WebSocketHook } from './types'

export type State<T> = Pick<WebSocketHook<T>, 'lastMessage' | 'lastJsonMessage' | 'readyState'>

/** No socket asked for (server rendering, a `null` url, `connect` false before any socket). */
const IDLE: State<never> = {
  lastMessage: null,
  lastJsonMessage: null as never,
  readyState: ReadyState.UNINSTANTIATED,
}
/** No socket any more: react-use-websocket shows CLOSED once it has had one. */
const GONE: State<never> = { ...IDLE, readyState: ReadyState.CLOSED }

/** > 0 while React (its commit) or the app calls in: their renders are React's to schedule. */
let depth = 0
// Nothing under these throws: core reports its failures instead.
const quiet =
  <A extends unknown[], R>(fn: (...args: A) => R) =>
  (...args: A): R => {
    depth++
    const result = fn(...args)
    depth--
    return result
  }

// react-use-websocket renders every socket event at once (flushSync), so `lastMessage` is
// the newest message as soon as it arrived; so does this entry.
const batch = (flush: () => void) => (depth ? flush() : flushSync(flush))

const toEvent = (info: CloseInfo) =>
  typeof CloseEvent === 'function' ? new CloseEvent('close', info) : (info as CloseEvent)

// A component may not close or rewire a socket others use, as in react-use-websocket.
const guard = (ws: WebSocket) =>
  new Proxy(ws, {
    get: (target, key) => {
      const value = Reflect.get(target, key)
      return typeof value === 'function'
        ? () => console.error('shared socket: use sendMessage')
        : value
    },
    set: (target, key, value) => /^on/.test(String(key)) || Reflect.set(target, key, value),
  })

/**
 * One hook's connection, as a store for useSyncExternalStore: react-use-websocket's options
 * translated onto a core connection (private, or shared through core's registry). Core does
 * the connecting; this holds the lease, a view with the hook's `filter`, and handlers that
 * call the hook's latest callbacks with react-use-websocket's arguments.
 */
export function createStore<T>(url: UrlSource, user: Options, connect: boolean) {
  let key = ''
  let lease: Lease<T, unknown> | undefined
  let view: ConnectionView<T> | undefined
  let undo: Array<() => void> = []
  let listener: (() => void) | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  // Subscribed in this task: an unsubscribe now is StrictMode's, which keeps the socket.
  let fresh = false
  let had = false
  // Errors since the socket opened (`retryOnError`), and a failing url function: its
  // retries show as CONNECTING and its failures call no `onClose`, as in react-use-websocket.
  let errored = false
  let urlFailed = false
  let from: Snapshot<T> | undefined
  let state: State<T> = IDLE

  const notify = () => listener?.()
  // What restarts the socket, as react-use-websocket's effect has it: the url, `connect`
  // and the query.
  const identity = () =>
    JSON.stringify([typeof url === 'function' ? 0 : url, connect, user.queryParams])

  const attach = () => {
    if (lease || url === null || !connect) return
    const beat = beatOf(user.heartbeat)
    const back = beat?.returnMessage
    // Core takes an option left undefined as unset; it reads these when it needs them.
    const settings = {
      connect: false,
      batch,
      protocols: user.protocols,
      queryParams: user.queryParams,
      parse: user.disableJson ? false : undefined,
      // Read at every open: a message function is called for it then.
      get heartbeat() {
        return !!beat && engineHeartbeat(beat)
      },
      shouldReconnect: (info: CloseInfo) =>
        (errored && !!user.retryOnError) || (!urlFailed && !!user.shouldReconnect?.(toEvent(info))),
      reconnectAttempts: user.reconnectAttempts ?? 20,
      // react-use-websocket numbers retries from 0.
      reconnectInterval: (step: number) => {
        const interval = user.reconnectInterval
        return typeof interval === 'function' ? interval(step - 1) : (interval ?? 5_000)
      },
    } as ConnectionOptions<T, unknown>
    // An inline url function is a new one every render: call the latest, keep the socket. A
    // shared socket others still use keeps the one it last had once this hook moved on.
    let fn = url as () => string
    const target =
      typeof url === 'function'
        ? () => (lease?.connection === c ? (fn = url as () => string) : fn)()
        : url
    const c: Connection<T, unknown> = user.share
      ? (lease = acquireShared(target, settings, 0, url)).connection
      : createConnection<T, unknown>(target, settings)
    lease ??= { connection: c, release: c.dispose }
    view = c.view((event) => (!user.filter || user.filter(event)) && event.data !== back)
    undo = [
      view.subscribe(notify),
      c.on('open', (event) => {
        errored = urlFailed = false
        user.onOpen?.(event)
      }),
      c.on('message', (event) => user.onMessage?.(event)),
      c.on('close', (info, event) => {
        if (!urlFailed) user.onClose?.(event ?? toEvent(info))
        errored = false
      }),
      c.on('error', (error) => {
        const code = error.code
        urlFailed = code === 'URL_PROVIDER'
        // SOCKET, URL_PROVIDER, CONNECT_TIMEOUT: what react-use-websocket sees as an error.
        errored ||= /^(SO|UR|CO)/.test(code)
        // A socket error's cause is the socket's error event.
        if (code === 'SOCKET') user.onError?.(error.cause as Event)
      }),
      c.on('reconnect-stop', (info) => {
        // Used up, `attempts` is `reconnectAttempts`.
        if (info.reason === 'attempts') user.onReconnectStop?.(info.attempts)
      }),
      view.dispose,
      lease.release,
    ]
    drive(c, beat)
    had = true
    // Opened once the handlers are on, so they hear what fails at once (an invalid url).
    if (c.getSnapshot().readyState === ReadyState.UNINSTANTIATED) c.open()
    notify()
  }

  const detach = () => {
    for (const off of undo) off()
    undo = []
    lease = view = undefined
    notify()
  }

  key = identity()

  return {
    /** After every commit: the latest callbacks at once; a new socket when `identity` changes. */
    set: quiet((nextUrl: UrlSource, next: Options, nextConnect: boolean) => {
      url = nextUrl
      user = next
      connect = nextConnect
      const k = identity()
      if (k === key) return
      key = k
      detach()
      if (listener) attach()
    }),
    subscribe: quiet((next: () => void) => {
      listener = next
      clearTimeout(timer)
      attach()
      fresh = true
      queueMicrotask(() => {
        fresh = false
      })
      // A real unmount closes the socket now, as react-use-websocket does; StrictMode's
      // remount in the same task finds it still there.
      return quiet(() => {
        listener = undefined
        if (fresh) timer = setTimeout(detach)
        else detach()
      })
    }),
    getSnapshot: (): State<T> => {
      const s = view?.getSnapshot()
      if (!s) return had ? GONE : IDLE
      if (s !== from) {
        from = s
        state = {
          lastMessage: s.lastMessage,
          lastJsonMessage: s.lastJsonMessage as T,
          readyState: (urlFailed && s.status === 'reconnecting'
            ? ReadyState.CONNECTING
            : s.readyState) as ReadyState,
        }
      }
      return state
    },
    getServerSnapshot: (): State<T> => IDLE,
    sendMessage: (message: SendData, keep?: boolean) =>
      lease?.connection.sendMessage(message, keep),
    sendJsonMessage: (message: unknown, keep?: boolean) =>
      lease?.connection.sendJsonMessage(message, keep),
    getWebSocket: () => {
      const ws = lease?.connection.getWebSocket() ?? null
      return ws && user.share ? guard(ws) : ws
    },
  }
}
