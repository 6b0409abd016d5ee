import { TetheredError } from './errors'
import { createWebSocketObserver, type ObserverOptions } from './observer'
import {
  decodeEnvelope,
  type Envelope,
  type EnvelopeKeys,
  encodeEnvelope,
  resolveEnvelopeKeys,
} from './protocol'
import { requestsOf } from './requests'
import type { Connection, Snapshot, Unsubscribe, UrlSource } from './types'

/**
 * The events a socket speaks, written from the client's side; `@tethered/server` takes the
 * same type. `in`: server → client events; `out`: client → server events; `requests`:
 * what `request` may ask and the reply it gets.
 */
export interface SocketEvents {
  in: Record<string, unknown>
  out: Record<string, unknown>
  requests?: Record<string, { data: unknown; reply: unknown }>
}

export type InType<E extends SocketEvents> = keyof E['in'] & string
export type OutType<E extends SocketEvents> = keyof E['out'] & string
export type RequestMap<E extends SocketEvents> =
  E['requests'] extends Record<string, { data: unknown; reply: unknown }>
    ? E['requests']
    : Record<never, never>
export type RequestType<E extends SocketEvents> = keyof RequestMap<E> & string
export type RequestData<
  E extends SocketEvents,
  K extends RequestType<E>,
> = RequestMap<E>[K] extends { data: infer D } ? D : never
export type RequestReply<
  E extends SocketEvents,
  K extends RequestType<E>,
> = RequestMap<E>[K] extends { reply: infer R } ? R : never

/** A received event as a union over its types: narrowing on `type` narrows `data`. */
export type SocketMessage<E extends SocketEvents, T extends InType<E> = InType<E>> = {
  [K in T]: { type: K; data: E['in'][K] }
}[T]

/** `data` may be left out where its type allows `undefined`. */
export type DataArgs<D> = undefined extends D ? [data?: D] : [data: D]

export type SocketHandlers<E extends SocketEvents> = {
  [K in InType<E>]?: (data: E['in'][K], envelope: Envelope<K, E['in'][K]>) => void
}

export interface SocketSnapshot<E extends SocketEvents, T extends InType<E> = InType<E>>
  extends Omit<Snapshot<unknown>, 'lastMessage' | 'lastJsonMessage'> {
  /** The newest event of the chosen `types` (all when none are given). */
  readonly lastMessage: SocketMessage<E, T> | null
}

export interface SocketObserverOptions<E extends SocketEvents, T extends InType<E> = InType<E>>
  extends Omit<ObserverOptions<unknown, unknown>, 'filter' | 'parse' | 'serialize'> {
  /** Only these types move `lastMessage` (and so re-render). @default every type */
  types?: readonly T[]
  /** Handlers by event type; the latest object is used on every message. */
  on?: SocketHandlers<E>
  /** Envelope field names, for servers with their own. @default { type: 'type', data: 'data', id: 'id', error: 'error' } */
  keys?: Partial<EnvelopeKeys>
}

export interface RequestOptions {
  /** @default 10000 */
  timeout?: number
}

export interface SocketObserver<E extends SocketEvents, T extends InType<E> = InType<E>> {
  setOptions(url: UrlSource, options?: SocketObserverOptions<E, T>): void
  subscribe(listener: () => void): Unsubscribe
  getSnapshot(): SocketSnapshot<E, T>
  getServerSnapshot(): SocketSnapshot<E, T>
  /** `true` when sent now; otherwise queued until open. A payload that cannot be serialised is reported as an error. */
  emit<K extends OutType<E>>(type: K, ...data: DataArgs<E['out'][K]>): boolean
  /** Resolves with the reply; rejects on timeout, on an error reply and when the connection closes. */
  request<K extends RequestType<E>>(
    type: K,
    data: RequestData<E, K>,
    options?: RequestOptions,
  ): Promise<RequestReply<E, K>>
  /** Adds a handler for one event type; returns its remover. */
  on<K extends InType<E>>(
    type: K,
    handler: (data: E['in'][K], envelope: Envelope<K, E['in'][K]>) => void,
  ): Unsubscribe
  open(): void
  close(code?: number, reason?: string): void
  getWebSocket(): WebSocket | null
}

const toObserverOptions = <E extends SocketEvents, T extends InType<E>>(
  options: SocketObserverOptions<E, T>,
  keys: () => EnvelopeKeys,
  route: (json: unknown) => void,
  isEvent: (envelope: Envelope | null) => boolean,
): ObserverOptions<unknown, unknown> => {
  const { types, on: _handlers, keys: _keys, ...rest } = options
  return {
    ...rest,
    filter: (_event, json) => {
      const envelope = decodeEnvelope(json, keys())
      return isEvent(envelope) && (!types || types.includes(envelope?.type as T))
    },
    onMessage: (event, json) => {
      route(json)
      options.onMessage?.(event, json)
    },
  }
}

/** Typed events and requests over a `WebSocketObserver`: what `useSocket` binds. */
export function createSocketObserver<E extends SocketEvents, T extends InType<E> = InType<E>>(
  url: UrlSource,
  options: SocketObserverOptions<E, T> = {},
): SocketObserver<E, T> {
  let opts = options
  let keys = resolveEnvelopeKeys(options.keys)
  const extra = new Map<string, Set<(data: unknown, envelope: Envelope) => void>>()
  let lastInner: Snapshot<unknown> | null = null
  let snapshot: SocketSnapshot<E, T> | null = null

  const isEvent = (envelope: Envelope | null) => {
    const c = inner.getConnection()
    return (
      envelope !== null &&
      !(c && requestsOf(c as Connection<never, never>, keys).isReply(envelope.id))
    )
  }

  const route = (json: unknown) => {
    const envelope = decodeEnvelope(json, keys)
    if (!isEvent(envelope) || !envelope) return
    const handler = (
      opts.on as Record<string, ((d: unknown, e: Envelope) => void) | undefined> | undefined
    )?.[envelope.type]
    // `hasOwn` keeps `__proto__` or `constructor` as a type name from reaching Object.prototype.
    if (handler && opts.on && Object.hasOwn(opts.on, envelope.type))
      handler(envelope.data, envelope)
    const set = extra.get(envelope.type)
    if (set) for (const fn of set) fn(envelope.data, envelope)
  }

  const inner = createWebSocketObserver<unknown, unknown>(
    url,
    toObserverOptions(options, () => keys, route, isEvent),
  )

  const derive = (s: Snapshot<unknown>): SocketSnapshot<E, T> => {
    if (s !== lastInner || !snapshot) {
      lastInner = s
      const envelope = decodeEnvelope(s.lastJsonMessage, keys)
      const { lastJsonMessage: _json, lastMessage: _message, ...state } = s
      snapshot = {
        ...state,
        lastMessage: envelope
          ? ({ type: envelope.type, data: envelope.data } as SocketMessage<E, T>)
          : null,
      }
    }
    return snapshot
  }

  const server = derive(inner.getServerSnapshot())

  return {
    setOptions(nextUrl, nextOptions = {}) {
      opts = nextOptions
      keys = resolveEnvelopeKeys(nextOptions.keys)
      inner.setOptions(
        nextUrl,
        toObserverOptions(nextOptions, () => keys, route, isEvent),
      )
    },
    subscribe: inner.subscribe,
    getSnapshot: () => derive(inner.getSnapshot()),
    getServerSnapshot: () => server,
    emit: (type, ...data) => inner.sendJsonMessage(encodeEnvelope({ type, data: data[0] }, keys)),
    request(type, data, { timeout = 10_000 } = {}) {
      const c = inner.getConnection()
      if (!c) {
        return Promise.reject(
          new TetheredError(
            'REQUEST_CLOSED',
            `request("${type}"): there is no connection (the url is null or connect is false)`,
          ),
        )
      }
      return requestsOf(c as Connection<never, never>, keys).request(type, data, timeout) as never
    },
    on(type, handler) {
      let set = extra.get(type)
      if (!set) extra.set(type, (set = new Set()))
      const fn = handler as (data: unknown, envelope: Envelope) => void
      set.add(fn)
      return () => {
        set.delete(fn)
      }
    },
    open: inner.open,
    close: inner.close,
    getWebSocket: inner.getWebSocket,
  }
}
