import { backoffDelay } from './backoff'
import { assertClose, defaultShouldReconnect } from './close-policy'
import { TetheredError } from './errors'
import { createHeartbeat, type Heartbeat, resolveHeartbeat } from './heartbeat'
import { ReadyState } from './ready-state'
import { toScheduler } from './scheduler'
import type {
  CloseInfo,
  Connection,
  ConnectionEvents,
  ConnectionOptions,
  ConnectionView,
  MessageFilter,
  ReconnectStopInfo,
  SendData,
  Snapshot,
  UrlSource,
  WebSocketConstructor,
  WebSocketLike,
} from './types'
import { describe, resolveUrl } from './url'

/** How long a manual close waits for the closing handshake before it lets the socket go. */
const CLOSE_GRACE = 3_000

type Timer = ReturnType<typeof setTimeout> | undefined

interface ViewState<In> {
  filter: MessageFilter<In> | undefined
  listeners: Set<() => void>
  snap: Snapshot<In> | null
  message: MessageEvent | null
  json: In | null
  dirty: boolean
}

type Handler = (a?: unknown, b?: unknown) => void

const CALLBACKS = {
  open: 'onOpen',
  message: 'onMessage',
  close: 'onClose',
  error: 'onError',
  'reconnect-stop': 'onReconnectStop',
} as const

const noop = () => {}

// A throwing user handler must not stop the engine mid-message; rethrown on its own so it
// still reaches the console and error trackers.
const rethrow = (error: unknown) =>
  setTimeout(() => {
    throw error
  })

/**
 * The connection engine. Options are read when used, not copied, so an owner may update
 * the options object in place and the next use sees the new value.
 */
export function createConnection<In = unknown, Out = unknown>(
  url: UrlSource,
  options: ConnectionOptions<In, Out> = {},
): Connection<In, Out> {
  const o = options
  let socket: WebSocketLike | null = null
  let state: ReadyState = ReadyState.UNINSTANTIATED
  let error: TetheredError | null = null
  let retries = 0
  let nextAt: number | null = null
  let manual = false
  let disposed = false
  let paused = false
  let attempt = 0
  let scheduled = false
  let retryTimer: Timer
  let connectTimer: Timer
  let stableTimer: Timer
  let closeTimer: Timer
  let heartbeat: Heartbeat | null = null
  let pong: string | null = null
  let resumed: boolean | null = null
  let welcomed = false
  let pendingOpen: Event | null = null
  const queue: SendData[] = []
  const handlers = new Map<string, Set<Handler>>()
  const views = new Set<ViewState<In>>()
  const schedule = toScheduler(o.batch)

  const dispatch = (
    set: Set<Handler> | undefined,
    callback: Handler | undefined,
    a?: unknown,
    b?: unknown,
  ) => {
    if (set) {
      for (const handler of set) {
        try {
          handler(a, b)
        } catch (e) {
          rethrow(e)
        }
      }
    }
    if (callback) {
      try {
        callback(a, b)
      } catch (e) {
        rethrow(e)
      }
    }
  }

  const emit = (event: keyof ConnectionEvents<In>, a?: unknown, b?: unknown) => {
    const key = CALLBACKS[event as keyof typeof CALLBACKS]
    dispatch(handlers.get(event), key && (o[key] as Handler | undefined), a, b)
  }

  const flush = () => {
    scheduled = false
    for (const view of views) {
      if (view.dirty) {
        view.dirty = false
        for (const listener of view.listeners) listener()
      }
    }
  }

  const notify = () => {
    if (!scheduled && !disposed) {
      scheduled = true
      schedule(flush)
    }
  }

  const changed = () => {
    for (const view of views) {
      view.snap = null
      view.dirty = true
    }
    notify()
  }

  const setState = (next: ReadyState) => {
    state = next
    changed()
  }

  const report = (e: TetheredError) => {
    error = e
    changed()
    emit('error', e)
  }

  // Reliable delivery is a plug-in, so apps that do not use it do not ship it.
  const reliable = o.delivery
    ? o.delivery(
        o.queueSize ?? 1_000,
        (frame) => socket?.readyState === 1 && socket.send(frame as never),
        report,
      )
    : null

  const snapshotOf = (view: ViewState<In>): Snapshot<In> => {
    if (!view.snap) {
      view.snap = {
        readyState: state,
        lastMessage: view.message,
        lastJsonMessage: view.json,
        reconnectAttempt: state === ReadyState.OPEN ? 0 : retries,
        nextReconnectAt: nextAt,
        error,
        resumed,
      }
    }
    return view.snap
  }

  const makeView = (filter?: MessageFilter<In>): ConnectionView<In> => {
    const view: ViewState<In> = {
      filter,
      listeners: new Set(),
      snap: null,
      message: null,
      json: null,
      dirty: false,
    }
    views.add(view)
    return {
      getSnapshot: () => snapshotOf(view),
      subscribe: (listener) => {
        view.listeners.add(listener)
        return () => {
          view.listeners.delete(listener)
        }
      },
      dispose: () => {
        views.delete(view)
      },
    }
  }

  const root = makeView()

  const clearTimers = () => {
    clearTimeout(retryTimer)
    clearTimeout(connectTimer)
    clearTimeout(stableTimer)
    clearTimeout(closeTimer)
    retryTimer = connectTimer = stableTimer = closeTimer = undefined
    heartbeat?.stop()
    heartbeat = null
    reliable?.pause()
  }

  /**
   * Lets the current socket go: no event of it reaches us again. A `dead` socket cannot
   * finish a closing handshake: where the implementation can (`ws`), it is terminated, or
   * it would keep its TCP socket and a 30 s close timer.
   */
  const drop = (dead?: boolean) => {
    attempt++
    clearTimers()
    const ws = socket as (WebSocketLike & { terminate?: () => void }) | null
    socket = null
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null
      // `ws` throws on an 'error' event nobody listens to, and closing a CONNECTING socket emits one.
      ws.onerror = noop
      try {
        if (dead && typeof ws.terminate === 'function') ws.terminate()
        else ws.close(1000)
      } catch {}
    }
  }

  const stop = (reason: ReconnectStopInfo['reason'], close: CloseInfo | null) => {
    nextAt = null
    changed()
    emit('reconnect-stop', { reason, attempts: retries, close })
  }

  const offline = () => typeof navigator !== 'undefined' && navigator.onLine === false

  const retry = (info: CloseInfo) => {
    if (retries >= (o.reconnectAttempts ?? Number.POSITIVE_INFINITY)) return stop('attempts', info)
    if (offline()) {
      // Attempts are not spent while the browser knows it has no network; `online` resumes.
      paused = true
      return
    }
    retries++
    const interval = o.reconnectInterval
    const delay = Math.max(
      0,
      typeof interval === 'number'
        ? interval
        : interval
          ? interval(retries)
          : backoffDelay(retries),
    )
    nextAt = Date.now() + delay
    changed()
    emit('reconnecting', { attempt: retries, delay })
    retryTimer = setTimeout(connect, delay)
  }

  const ended = (info: CloseInfo) => {
    clearTimers()
    socket = null
    setState(ReadyState.CLOSED)
    emit('close', info)
    if (manual || disposed || o.reconnect === false) return
    if (!(o.shouldReconnect ?? defaultShouldReconnect)(info)) return stop('policy', info)
    retry(info)
  }

  /** A failed attempt or a socket declared dead: never wait for its close event. */
  const fail = (e: TetheredError, terminal?: boolean) => {
    drop(true)
    report(e)
    if (terminal) {
      setState(ReadyState.CLOSED)
    } else {
      ended({ code: 1006, reason: e.message, wasClean: false })
    }
  }

  const sendNow = (data: SendData): boolean => {
    if (state === ReadyState.OPEN && socket?.readyState === 1) {
      socket.send(data as never)
      return true
    }
    return false
  }

  // With reliable delivery the socket is only open for the app once the server's welcome
  // says which session this is; connectTimeout bounds that handshake too.
  const opened = (event: Event) => {
    if (reliable) {
      pendingOpen = event
      socket?.send(reliable.hello() as never)
    } else {
      established(event)
    }
  }

  const established = (event: Event) => {
    clearTimeout(connectTimer)
    setState(ReadyState.OPEN)
    stableTimer = setTimeout(() => {
      retries = 0
    }, o.stableAfter ?? 5_000)
    const beat = resolveHeartbeat(o.heartbeat)
    pong = beat?.returnMessage ?? null
    if (beat) {
      heartbeat = createHeartbeat(beat, sendNow, () =>
        fail(
          new TetheredError(
            'HEARTBEAT_TIMEOUT',
            `No answer within the heartbeat timeout (${beat.timeout} ms)`,
          ),
        ),
      )
      heartbeat.start()
    }
    if (reliable) for (const frame of reliable.unacknowledged()) sendNow(frame)
    emit('open', event)
    // After the open handlers, so a message they send (auth) goes out before the queue.
    while (queue.length > 0 && sendNow(queue[0] as SendData)) queue.shift()
  }

  const received = (incoming: MessageEvent) => {
    heartbeat?.seen()
    let event = incoming
    let data: unknown = event.data
    if (pong !== null && data === pong) return
    if (reliable && typeof data === 'string') {
      const inbound = reliable.receive(data)
      if (inbound.kind === 'control') return
      if (inbound.kind === 'welcome') {
        const { session, resumed: ok } = inbound.welcome
        resumed = welcomed ? ok : null
        welcomed = true
        emit('session', { id: session, resumed })
        return established(pendingOpen ?? incoming)
      }
      if (inbound.kind === 'data') {
        data = inbound.payload
        event = { type: 'message', data, timeStamp: incoming.timeStamp } as MessageEvent
      }
    }
    let json: In | undefined
    const parse = o.parse
    if (parse !== false) {
      try {
        if (parse) {
          json = parse(data)
        } else if (typeof data === 'string') {
          json = JSON.parse(data)
        } else {
          throw new TetheredError(
            'PARSE',
            'Binary message, JSON text expected: pass `parse`, or `parse: false`',
          )
        }
      } catch (e) {
        report(
          e instanceof TetheredError
            ? e
            : new TetheredError(
                'PARSE',
                `Message is not JSON (${describe(e)}): pass \`parse\`, or \`parse: false\` for text`,
                e,
              ),
        )
      }
    }
    for (const view of views) {
      if (!view.filter || view.filter(event, json)) {
        view.message = event
        if (json !== undefined) view.json = json
        view.snap = null
        view.dirty = true
      }
    }
    notify()
    // The hot path: `emit` looks the callback up by a computed key, which costs about 40 ns a
    // message (a tenth of the receive budget); named here.
    dispatch(handlers.get('message'), o.onMessage as Handler | undefined, event, json)
  }

  const openSocket = (href: string) => {
    const Ctor: WebSocketConstructor | undefined =
      o.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
    if (!Ctor) {
      return fail(
        new TetheredError(
          'NO_WEBSOCKET',
          'No WebSocket here: pass one, e.g. { WebSocket } from "ws"',
        ),
        true,
      )
    }
    let ws: WebSocketLike
    try {
      ws = new Ctor(href, o.protocols)
    } catch (e) {
      return fail(new TetheredError('SOCKET', `new WebSocket() failed: ${describe(e)}`, e), true)
    }
    socket = ws
    if (o.binaryType) ws.binaryType = o.binaryType
    ws.onopen = ((e: Event) => ws === socket && opened(e)) as never
    ws.onmessage = ((e: MessageEvent) => ws === socket && received(e)) as never
    ws.onerror = ((e: { message?: string }) =>
      ws === socket &&
      report(new TetheredError('SOCKET', `WebSocket error ${e?.message ?? ''}`))) as never
    ws.onclose = ((e: CloseInfo) =>
      ws === socket && ended({ code: e.code, reason: e.reason, wasClean: e.wasClean })) as never
  }

  function connect() {
    if (disposed) return
    drop()
    nextAt = null
    paused = false
    if (url === null) return setState(ReadyState.UNINSTANTIATED)
    const id = attempt
    setState(ReadyState.CONNECTING)
    const timeout = o.connectTimeout ?? 10_000
    connectTimer = setTimeout(
      () =>
        fail(
          new TetheredError('CONNECT_TIMEOUT', `Not open within connectTimeout (${timeout} ms)`),
        ),
      timeout,
    )
    let target: string | Promise<string>
    try {
      target = resolveUrl(url, o.queryParams)
    } catch (e) {
      return fail(e as TetheredError, true)
    }
    if (typeof target === 'string') return openSocket(target)
    target.then(
      (href) => id === attempt && openSocket(href),
      (e: TetheredError) => id === attempt && fail(e, e.code === 'INVALID_URL'),
    )
  }

  const resume = () => {
    if (paused || nextAt !== null) connect()
    else if (state === ReadyState.OPEN) heartbeat?.probe()
  }

  let detachBrowser = noop
  if (typeof window !== 'undefined' && window.addEventListener && o.browserEvents !== false) {
    const onOffline = () => {
      if (nextAt !== null) {
        clearTimeout(retryTimer)
        nextAt = null
        paused = true
        changed()
      } else if (state === ReadyState.OPEN) {
        heartbeat?.probe()
      }
    }
    const onVisible = () => {
      if (document.visibilityState === 'visible') resume()
    }
    window.addEventListener('online', resume)
    window.addEventListener('offline', onOffline)
    document.addEventListener('visibilitychange', onVisible)
    detachBrowser = () => {
      window.removeEventListener('online', resume)
      window.removeEventListener('offline', onOffline)
      document.removeEventListener('visibilitychange', onVisible)
    }
  }

  const connection: Connection<In, Out> = {
    getSnapshot: root.getSnapshot,
    subscribe: root.subscribe,
    view: makeView,
    on(event, handler) {
      let set = handlers.get(event)
      if (!set) handlers.set(event, (set = new Set()))
      set.add(handler as Handler)
      return () => {
        set.delete(handler as Handler)
      }
    },
    sendMessage(data, keep = true) {
      if (disposed) return false
      if (reliable) {
        if (typeof data !== 'string') {
          report(
            new TetheredError(
              'SERIALIZE',
              'Reliable delivery carries text only: send a string, or drop the `delivery` option for binary',
            ),
          )
          return false
        }
        const open = state === ReadyState.OPEN
        if (!open && !keep) return false
        const frame = reliable.keep(data)
        return open && sendNow(frame)
      }
      if (sendNow(data)) return true
      if (keep) {
        queue.push(data)
        const size = o.queueSize ?? 1_000
        if (queue.length > size) {
          const dropped = queue.shift()
          report(
            new TetheredError(
              'QUEUE_OVERFLOW',
              `Queue full (queueSize ${size}): oldest message dropped`,
            ),
          )
          emit('drop', dropped)
        }
      }
      return false
    },
    sendJsonMessage(message, keep) {
      let text: string | undefined
      try {
        text = (o.serialize ?? JSON.stringify)(message)
        if (typeof text !== 'string') throw new TypeError(`it serialised to ${typeof text}`)
      } catch (e) {
        report(new TetheredError('SERIALIZE', `Cannot serialise the message (${describe(e)})`, e))
        return false
      }
      return connection.sendMessage(text, keep)
    },
    open() {
      if (disposed) return
      manual = false
      retries = 0
      if (state !== ReadyState.CONNECTING) connect()
      else changed()
    },
    close(code = 1000, reason = '') {
      assertClose(code, reason)
      if (disposed) return
      manual = true
      clearTimeout(retryTimer)
      nextAt = null
      paused = false
      const ws = socket
      if (ws && state === ReadyState.OPEN) {
        heartbeat?.stop()
        setState(ReadyState.CLOSING)
        ws.close(code, reason)
        closeTimer = setTimeout(() => {
          drop(true)
          ended({ code, reason, wasClean: false })
        }, CLOSE_GRACE)
      } else if (state === ReadyState.CONNECTING) {
        drop()
        ended({ code, reason, wasClean: true })
      } else {
        changed()
      }
    },
    dispose() {
      if (disposed) return
      const live = socket !== null
      manual = disposed = true
      drop()
      // Whoever waits on this socket (a pending request) learns it is gone.
      if (live) emit('close', { code: 1000, reason: 'disposed', wasClean: true })
      detachBrowser()
      handlers.clear()
      views.clear()
      queue.length = 0
    },
    getWebSocket: () => socket as WebSocket | null,
  }

  if (o.connect !== false) connect()
  return connection
}
