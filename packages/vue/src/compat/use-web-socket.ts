import {
  acquireShared,
  type CloseInfo,
  type ConnectionOptions,
  createConnection,
  defaultShouldReconnect,
  type Lease,
  type WebSocketConstructor,
} from '@tethered/core'
import {
  getCurrentScope,
  type MaybeRefOrGetter,
  onScopeDispose,
  shallowRef,
  toValue,
  watch,
} from 'vue'
import type {
  UseWebSocketAutoReconnect,
  UseWebSocketHeartbeat,
  UseWebSocketOptions,
  UseWebSocketReturn,
  WebSocketStatus,
} from './types'

/** The longest timer there is: with a `scheduler`, the probes come from it, not from core. */
const NEVER = 2 ** 31 - 1

const STATUS: Record<number, WebSocketStatus> = { 0: 'CONNECTING', 1: 'OPEN' }

const tryOnScopeDispose = (fn: () => void) => getCurrentScope() && onScopeDispose(fn)

/**
 * VueUse's `useWebSocket`, option for option, as a mapping onto a core connection: the engine
 * decides everything (heartbeat deadline, backoff, queue, sharing), this file only translates
 * names, argument shapes and defaults.
 */
// biome-ignore lint/suspicious/noExplicitAny: VueUse's own default, so `JSON.parse(data.value)` keeps type-checking
export function useWebSocket<Data = any>(
  url: MaybeRefOrGetter<string | URL | undefined>,
  options: UseWebSocketOptions = {},
): UseWebSocketReturn<Data> {
  const {
    onConnected,
    onDisconnected,
    onError,
    onMessage,
    immediate = true,
    autoConnect = true,
    autoClose = true,
    protocols = [],
    share = false,
  } = options
  const retry: UseWebSocketAutoReconnect | false =
    options.autoReconnect === true ? {} : options.autoReconnect || false
  const beat: UseWebSocketHeartbeat | false =
    options.heartbeat === true ? {} : options.heartbeat || false
  const { retries = -1, delay, onFailed } = retry || {}

  const data = shallowRef<Data | null>(null)
  const status = shallowRef<WebSocketStatus>('CLOSED')
  const ws = shallowRef<WebSocket | undefined>()
  // The socket the callbacks are about: the newest one, kept after it closes (VueUse's `ws`).
  let socket = undefined as unknown as WebSocket
  // The socket `close()` let go of: `ws` no longer shows it, even while it finishes closing.
  let gone: WebSocket | undefined
  let target: string | URL | null = null
  let ping: unknown
  // `immediate: false` makes a private connection that waits for `open()`, so what is sent
  // before is kept, as VueUse's buffer keeps it.
  let connect = immediate
  const client = typeof window !== 'undefined' || 'WorkerGlobalScope' in globalThis

  // Made per attempt by core: `ws` shows each new socket at once, and the socket gets the url
  // as written (core hands over its parsed form, `ws://host/` for `ws://host`).
  function Socket(href: string, list?: string | string[]) {
    const written = String(target)
    const Native = (globalThis as { WebSocket: WebSocketConstructor }).WebSocket
    const made = new Native(
      new URL(written, globalThis.location?.href).href === href ? written : href,
      list,
    ) as unknown as WebSocket
    ws.value = socket = made
    return made
  }

  // The scheduler's probe only runs while a socket is open; core skips it while one waits.
  const scheduler = beat ? beat.scheduler?.(() => lease?.connection.probe()) : undefined

  // Callbacks are handlers on the connection, not options: a shared one has many users.
  const settings = (): ConnectionOptions<never, never> => ({
    WebSocket: Socket as unknown as WebSocketConstructor,
    protocols,
    connect,
    // VueUse's `data` is the raw `event.data`, and its refs move with every event.
    parse: false,
    batch: 'sync',
    reconnect: !!retry,
    reconnectAttempts: typeof retries === 'number' && retries >= 0 ? retries : Infinity,
    ...(typeof retries === 'function' && {
      shouldReconnect: (info: CloseInfo) =>
        defaultShouldReconnect(info) &&
        retries((lease as Lease<never, never>).connection.getSnapshot().reconnectAttempt),
    }),
    ...(delay !== undefined && { reconnectInterval: delay }),
    heartbeat: beat && {
      // Read once per open; the reply defaults to the probe itself, as in VueUse.
      get message() {
        return (ping = toValue(beat.message ?? 'ping')) as string
      },
      get returnMessage() {
        return (beat.responseMessage === undefined ? ping : toValue(beat.responseMessage)) as string
      },
      interval: beat.scheduler ? NEVER : (beat.interval ?? 1_000),
      timeout: beat.pongTimeout ?? 1_000,
    },
  })

  let lease: Lease<never, never> | undefined
  let undo: Array<() => void> = []

  const sync = () => {
    const c = lease?.connection
    status.value = STATUS[c ? c.getSnapshot().readyState : -1] ?? 'CLOSED'
    // A shared socket made for another component shows here once it moves.
    const now = c?.getWebSocket()
    if (now && now !== gone) ws.value = socket = now
  }

  const detach = () => {
    for (const off of undo) off()
    undo = []
    lease = undefined
  }

  const attach = () => {
    detach()
    target = toValue(url) ?? null
    if (target !== null) {
      const mine = share ? undefined : createConnection(target, settings())
      lease = mine ? { connection: mine, release: mine.dispose } : acquireShared(target, settings())
      const c = lease.connection
      undo = [
        c.subscribe(sync),
        c.on('open', () => {
          scheduler?.resume()
          onConnected?.(socket)
        }),
        c.on('close', (info, event) => {
          scheduler?.pause()
          onDisconnected?.(
            socket,
            event ??
              (typeof CloseEvent === 'function'
                ? new CloseEvent('close', info)
                : (info as CloseEvent)),
          )
        }),
        // The socket's own error events; core's other reports (timeouts) show as a close.
        c.on('error', (e) => e.code === 'SOCKET' && e.cause && onError?.(socket, e.cause as Event)),
        c.on('message', (event) => {
          data.value = event.data
          onMessage?.(socket, event)
        }),
        c.on('reconnect-stop', () => onFailed?.()),
        lease.release,
      ]
    }
    sync()
  }

  const close: WebSocket['close'] = (code = 1000, reason) => {
    if (!client) return
    const current = lease?.connection.getWebSocket()
    gone = current ?? undefined
    ws.value = undefined
    // The socket gets the code and reason as given, as VueUse's does; core then stops
    // reconnecting and lets the socket go (at once if it was still connecting).
    current?.close(code, reason)
    lease?.connection.close(code, reason)
  }

  const open = () => {
    if (!client) return
    // A shared socket is not closed under the others: a new url moves to another one.
    if (!share) close()
    connect = true
    const c = lease?.connection
    if (!c || toValue(url) !== target) return attach()
    const state = c.getSnapshot().readyState
    if (state !== 0 && state !== 1) c.open()
  }

  if (client) {
    if (immediate || !share) attach()
    if (autoClose) {
      const unload = () => close()
      const page = typeof window !== 'undefined' ? window : undefined
      page?.addEventListener('beforeunload', unload, { passive: true })
      // A private socket closes now, a shared one a second after its last user leaves.
      tryOnScopeDispose(() => {
        detach()
        page?.removeEventListener('beforeunload', unload)
      })
    }
  }
  if (autoConnect) watch(() => toValue(url), open)

  return {
    data,
    status,
    ws,
    close,
    open,
    send: (message, useBuffer = true) => !!lease?.connection.sendMessage(message, useBuffer),
  }
}
