// biome-ignore assist/source/organizeImports: bundlers lay the modules out in this order, which gzips the engine smallest of the orders tried (`pnpm size`: the sorted order is 11 B larger)
import { TetheredError, wrap } from './errors'
import { watchPage } from './browser'
import { listenMessages, type NodeSocket } from './node-socket'
import { createViews, STATUS } from './views'
import { call, type Handler, listen, noop } from './listen'
import { openSocket } from './open-socket'
import { type Heartbeat, heartbeat, PROBE } from './heartbeat'
import { assertClientClose } from '@tethered/protocol'
import { retryDelay } from './backoff'
import { defaultShouldReconnect } from './close-policy'
import { CLOSE_GRACE, CONNECT_TIMEOUT, QUEUE_SIZE, STABLE_AFTER } from './defaults'
import { CLOSED, CLOSING, CONNECTING, OPEN, type ReadyState, UNINSTANTIATED } from './ready-state'
import type {
  CloseInfo,
  Connection,
  ConnectionEvents,
  ConnectionOptions,
  ConnectionStatus,
  SendData,
  StopInfo,
  UrlSource,
  WebSocketLike,
} from './types'

type Timer = ReturnType<typeof setTimeout> | undefined

/**
 * The connection engine. Options are read when used, not copied, so an owner may update
 * the options object in place and the next use sees the new value.
 */
export function createConnection<In = unknown, Out = unknown>(
  url: UrlSource,
  options?: ConnectionOptions<In, Out>,
): Connection<In, Out>
export function createConnection<In, Out>(
  url: UrlSource,
  o: ConnectionOptions<In, Out> = {},
): Connection<In, Out> {
  let socket: WebSocketLike | null = null
  let state: ReadyState = UNINSTANTIATED
  let error: TetheredError | null = null
  // The retry's number, from 1 after every open; and the backoff's step, which only starts
  // over once a connection held for `stableAfter` (flap damping).
  let retries = 0
  let step = 0
  let nextAt: number | null = null
  // Flags start unset, which reads as false: an initializer would cost bytes.
  let manual: boolean | undefined
  // Why it stopped; read only while CLOSED with neither a retry nor the network to wait for.
  let stop!: StopInfo
  let disposed: boolean | undefined
  let paused: boolean | undefined
  let attempt = 0
  // The timer of the current phase: the retry wait (CLOSED), the connect timeout
  // (CONNECTING), the heartbeat (OPEN) or the closing handshake's grace (CLOSING).
  let timer: Timer
  let stableTimer: Timer
  // The socket's open event, for the open handlers once the socket is open for the app.
  let opening: Event | undefined
  // Removes the current socket's `ws` message listener, where it has one.
  let unlisten = noop
  let resumed: boolean | null = null
  // The heartbeat of the socket open last, if it has one.
  let beat: Heartbeat | undefined
  const queue: SendData[] = []
  // The message handlers are looked up once: per message, a lookup is a measurable share.
  const onMessage = new Set<Handler>()
  const handlers = new Map<string, Set<Handler>>([['message', onMessage]])
  /** Starts the current phase's timer, in place of the last phase's. */
  const later = (fn: () => void, ms: number) => {
    clearTimeout(timer)
    timer = setTimeout(fn, ms)
  }

  const emit = (event: keyof ConnectionEvents<In>, a: unknown, callback?: Handler, b?: unknown) => {
    for (const handler of handlers.get(event) ?? []) call(handler, a, b)
    call(callback, a, b)
  }

  // A view's snapshot: the connection's state, with the view's own newest message.
  const [makeView, changed, record] = createViews(o, (message, json) => {
    const i = state === CLOSED ? (nextAt !== null ? 4 : paused ? 5 : 6) : state + 1
    return {
      readyState: state,
      status: STATUS[i] as ConnectionStatus,
      stopped: i > 5 ? stop : null,
      lastMessage: message,
      lastJsonMessage: json,
      reconnectAttempt: retries,
      nextReconnectAt: nextAt,
      error,
      resumed,
    }
  })

  const setState = (next: ReadyState) => {
    state = next
    changed()
  }

  const report = (e: TetheredError) => {
    error = e
    changed()
    emit('error', e, o.onError)
  }

  /** Sends on the current socket if it is open; whether it did. */
  const put = (data: SendData): boolean => {
    // Only called once the socket has opened, so it cannot be CONNECTING: a socket that does
    // not say it is closing or closed is trusted (a test double may have no readyState).
    if (!socket || socket.readyState > 1) return false
    socket.send(data as never)
    return true
  }

  // Reliable delivery is a plug-in with hooks of its own, so apps that do not use it do
  // not ship it.
  const delivery = o.delivery?.(o.queueSize ?? QUEUE_SIZE, put, report, (session) => {
    resumed = session.resumed
    emit('session', session)
    established()
  })

  const root = makeView()

  /**
   * Lets the current socket go: no event of it reaches us again. A `dead` socket cannot
   * finish a closing handshake: where the implementation can (`ws`), it is terminated, or
   * it would keep its TCP socket and a 30 s close timer.
   */
  const drop = (dead?: boolean) => {
    attempt++
    clearTimeout(timer)
    clearTimeout(stableTimer)
    delivery?.pause()
    const ws = socket as (WebSocketLike & { terminate?: () => void }) | null
    socket = null
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null
      unlisten()
      // `ws` throws on an 'error' event nobody listens to, and closing a CONNECTING socket emits one.
      ws.onerror = noop
      try {
        if (dead && ws.terminate) ws.terminate()
        else ws.close(1000)
      } catch {}
    }
  }

  // What comes next is decided before the state changes, so no snapshot (the close
  // handlers' included) shows a socket that will retry as stopped.
  const ended = (close: CloseInfo, event?: CloseEvent) => {
    drop()
    const id = attempt
    // '': retry; a reason: stop; 0: neither, as asked (`close()`, `dispose()`) or while the
    // browser knows it has no network (attempts are not spent then; `online` resumes).
    const reason = manual
      ? 0
      : o.reconnect === false || !(o.shouldReconnect ?? defaultShouldReconnect)(close)
        ? 'policy'
        : // Unset, it compares false: unlimited.
          step >= (o.reconnectAttempts as number)
          ? 'attempts'
          : (paused = globalThis.navigator?.onLine === false)
            ? 0
            : ''
    let delay!: number
    if (reason === '') {
      retries++
      delay = retryDelay(o.reconnectInterval, ++step)
      nextAt = Date.now() + delay
      later(connect, delay)
    } else if (reason) stop = { reason, code: close.code }
    setState(CLOSED)
    emit('close', close, o.onClose, event)
    // Unless a close handler has called open() or close() meanwhile.
    if (id !== attempt || manual) return
    if (reason) emit('reconnect-stop', { reason, attempts: step, close }, o.onReconnectStop)
    else if (reason === '') emit('reconnecting', { attempt: retries, delay })
  }

  /**
   * A failed attempt or a socket declared dead: never wait for its close event. With `code`,
   * a socket given up for what it received, whose close (already sent) the app sees.
   */
  const fail = (e: TetheredError, terminal?: boolean, code?: number) => {
    drop(!code)
    const id = attempt
    report(e)
    // An error handler that called open() has its new socket: this one is over already.
    if (id !== attempt) return
    if (terminal) {
      stop = { reason: 'error', code: null }
      setState(CLOSED)
    } else ended({ code: code ?? 1006, reason: e.message, wasClean: false })
  }

  const sendNow = (data: SendData): boolean => state === OPEN && put(data)

  /** Open for the app: with reliable delivery, only once the server's welcome came. */
  const established = () => {
    clearTimeout(timer)
    retries = 0
    setState(OPEN)
    stableTimer = setTimeout(() => (step = 0), o.stableAfter ?? STABLE_AFTER)
    beat = heartbeat(o.heartbeat, later, sendNow, fail)
    delivery?.resume()
    emit('open', opening, o.onOpen)
    // After the open handlers, so a message they send (auth) goes out before the queue.
    while (queue.length && sendNow(queue[0] as SendData)) queue.shift()
  }

  const received = (incoming: MessageEvent) => {
    // Only a bare answer is consumed: the same text in a reliable data frame is the app's.
    if (incoming.data === beat?.(state === OPEN)) return
    let event: MessageEvent | null
    try {
      event = delivery ? delivery.receive(incoming) : incoming
    } catch (e) {
      // The server broke the protocol: 1002, which the default policy does not retry. A
      // browser refuses to send it: `drop` then closes with 1000, and the app sees 1002.
      try {
        socket!.close(1002)
      } catch {}
      return fail(wrap(e, 'PROTOCOL', 'Protocol error'), false, 1002)
    }
    if (!event) return
    const data: unknown = event.data
    let json: In | undefined
    const parse = o.parse
    if (parse !== false) {
      try {
        if (!parse && typeof data !== 'string') throw 'binary message'
        json = (parse || JSON.parse)(data as string)
      } catch (e) {
        report(wrap(e, 'PARSE', 'Message not JSON (pass `parse` or `parse: false`)'))
      }
    }
    record(event, json)
    for (const handler of onMessage) call(handler, event, json)
    call(o.onMessage as Handler | undefined, event, json)
  }

  /** Opens a socket on the resolved url; a bad url or no WebSocket is not worth a retry. */
  const open = (target: string | URL) => {
    let ws: NodeSocket
    try {
      ws = openSocket(target, o)
    } catch (e) {
      return fail(wrap(e, 'SOCKET', 'new WebSocket() failed'), true)
    }
    socket = ws
    if (o.binaryType) ws.binaryType = o.binaryType
    ws.onopen = ((e: Event) => {
      if (ws !== socket) return
      opening = e
      if (delivery) delivery.open()
      else established()
    }) as never
    unlisten = listenMessages(ws, (e) => ws === socket && received(e))
    // `ws` closes the socket itself over a frame it refuses (1009 too big, 1007 not UTF-8,
    // 1002), with the code on the error under its `status-code` symbol (its only one); its
    // close event would say 1006, retried into the same refusal, and may come 30 s later.
    // So the socket is given up now, under that code.
    ws.onerror = ((e: { message?: string; error?: Record<symbol, number> }) => {
      const err = e?.error
      // The event is the cause, for whoever needs the socket's own (a compat layer).
      const error = new TetheredError('SOCKET', `WebSocket error ${e?.message ?? ''}`, e)
      const code = err?.[Object.getOwnPropertySymbols(err)[0]!]
      if (ws === socket) code! > 999 ? fail(error, false, code) : report(error)
    }) as never
    ws.onclose = ((e: CloseEvent) =>
      ws === socket && ended({ code: e.code, reason: e.reason, wasClean: e.wasClean }, e)) as never
  }

  // Never after dispose(): its timer is cleared, open() refuses, the page's events detached.
  function connect() {
    drop()
    nextAt = null
    paused = false
    if (url === null) return setState(UNINSTANTIATED)
    const id = attempt
    setState(CONNECTING)
    const timeout = o.connectTimeout ?? CONNECT_TIMEOUT
    later(
      () =>
        fail(new TetheredError('CONNECT_TIMEOUT', `Not open in connectTimeout (${timeout} ms)`)),
      timeout,
    )
    // A url provider is called before every attempt; a plain url opens without a tick.
    let target: string | URL | Promise<string | URL>
    try {
      target = typeof url === 'function' ? url() : url
    } catch (e) {
      target = Promise.reject(e)
    }
    if (!(target as Promise<unknown>).then) return open(target as string | URL)
    ;(target as Promise<string | URL>).then(
      (resolved) => id === attempt && open(resolved),
      (e) => id === attempt && fail(wrap(e, 'URL_PROVIDER', 'Url provider failed')),
    )
  }

  const probeIfOpen = () => state === OPEN && beat?.(PROBE)

  const resume = () => (paused || nextAt !== null ? connect() : probeIfOpen())

  const onOffline = () => {
    if (nextAt === null) return probeIfOpen()
    // Offline while waiting to retry: wait for `online` instead, spending no attempt.
    clearTimeout(timer)
    nextAt = null
    paused = true
    changed()
  }
  const detach = o.browserEvents !== false ? watchPage(resume, onOffline) : noop

  const connection: Connection<In, Out> = {
    // The root view's `getSnapshot` and `subscribe`; its `dispose` is replaced below.
    ...root,
    view: makeView,
    on: (event, handler) => listen(handlers, event, handler as Handler),
    sendMessage(data, keep = true) {
      if (disposed) return false
      if (delivery) return delivery.send(data, state === OPEN, keep)
      if (sendNow(data)) return true
      const size = o.queueSize ?? QUEUE_SIZE
      if (keep && queue.push(data) > size) {
        const dropped = queue.shift()
        report(
          new TetheredError('QUEUE_OVERFLOW', `queueSize ${size} reached: oldest message dropped`),
        )
        emit('drop', dropped)
      }
      return false
    },
    sendJsonMessage(message, keep) {
      let text: unknown
      try {
        text = (o.serialize ?? JSON.stringify)(message)
        if (typeof text !== 'string') throw `it serialised to ${typeof text}`
      } catch (e) {
        report(wrap(e, 'SERIALIZE', 'Cannot serialise the message'))
        return false
      }
      return connection.sendMessage(text as string, keep)
    },
    open() {
      if (disposed) return
      manual = false
      retries = step = 0
      if (state === CONNECTING) changed()
      else connect()
    },
    close(code = 1000, reason = '') {
      assertClientClose(code, reason)
      if (disposed) return
      manual = true
      stop = { reason: 'manual', code }
      nextAt = null
      paused = false
      if (state === OPEN) {
        setState(CLOSING)
        socket?.close(code, reason)
        // The grace replaces the heartbeat's timer: no probe while closing.
        later(() => {
          drop(true)
          ended({ code, reason, wasClean: false })
        }, CLOSE_GRACE)
      } else if (state === CONNECTING) ended({ code, reason, wasClean: true })
      else {
        // Waiting to retry: stop. While CLOSING the timer is the handshake's grace: keep it.
        if (state !== CLOSING) clearTimeout(timer)
        changed()
      }
    },
    dispose() {
      if (disposed) return
      const live = socket
      manual = disposed = true
      changed(true)
      drop()
      // Whoever waits on this socket (a pending request) learns it is gone.
      if (live) emit('close', { code: 1000, reason: 'disposed', wasClean: true }, o.onClose)
      detach()
      for (const set of [onMessage, handlers]) set.clear()
      queue.length = 0
    },
    getWebSocket: () => socket as WebSocket | null,
    probe: probeIfOpen,
  }

  if (o.connect !== false) connect()
  return connection
}
