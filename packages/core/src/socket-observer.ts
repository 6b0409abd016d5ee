import {
  type DataArgs,
  type Envelope,
  type EnvelopeKeys,
  type EventMap,
  encodeEnvelope,
  type InData,
  type InType,
  type OutData,
  type OutType,
  type RequestData,
  type RequestReply,
  type RequestType,
  resolveEnvelopeKeys,
} from '@tethered/protocol'
import { call, listen } from './listen'
import {
  type ConnectionObserverOptions,
  createConnectionObserver,
  createWebSocketObserver,
  IDLE_SNAPSHOT,
  type ObserverOptions,
} from './observer'
import { decode, isReply, type RequestOptions, request } from './requests'

export type { RequestOptions }

import type { Connection, Snapshot, Unsubscribe, UrlSource } from './types'

/**
 * The events a socket speaks: the event map of `@tethered/protocol`, the same type that
 * `@tethered/server` takes, under the name the bindings have always used.
 */
export type SocketEvents = EventMap

/** A received event as a union over its types: narrowing on `type` narrows `data`. */
export type SocketMessage<E extends SocketEvents, T extends InType<E> = InType<E>> = {
  [K in T]: { type: K; data: InData<E, K> }
}[T]

export type SocketHandlers<E extends SocketEvents> = {
  [K in InType<E>]?: (data: InData<E, K>, envelope: Envelope<K, InData<E, K>>) => void
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

export interface SocketObserver<E extends SocketEvents, T extends InType<E> = InType<E>> {
  setOptions(url: UrlSource, options?: SocketObserverOptions<E, T>): void
  subscribe(listener: () => void): Unsubscribe
  getSnapshot(): SocketSnapshot<E, T>
  getServerSnapshot(): SocketSnapshot<E, T>
  /** `true` when sent now; otherwise queued until open. A payload that cannot be serialised is reported as an error. */
  emit<K extends OutType<E>>(type: K, ...data: DataArgs<OutData<E, K>>): boolean
  /** Resolves with the reply; rejects on timeout, on an error reply and when the connection closes. */
  request<K extends RequestType<E>>(
    type: K,
    data: RequestData<E, K>,
    options?: RequestOptions,
  ): Promise<RequestReply<E, K>>
  /** Adds a handler for one event type; returns its remover. */
  on<K extends InType<E>>(
    type: K,
    handler: (data: InData<E, K>, envelope: Envelope<K, InData<E, K>>) => void,
  ): Unsubscribe
  open(): void
  close(code?: number, reason?: string): void
  getWebSocket(): WebSocket | null
  /** The connection while there is one: from the first subscriber (or `open()` with one) until a macrotask after the last. */
  getConnection(): Connection<unknown, unknown> | null
}

type Handler = (data: unknown, envelope: Envelope) => void

/** What a socket observer asks of the observer under it (a url's, or a connection's). */
interface Inner<Src> {
  setOptions(source: Src, options: ObserverOptions): void
  subscribe(listener: () => void): Unsubscribe
  getSnapshot(): Snapshot<unknown>
  getServerSnapshot(): Snapshot<unknown>
  sendMessage(data: never, keep?: boolean): boolean
  sendJsonMessage(message: unknown, keep?: boolean): boolean
  open(): void
  close(code?: number, reason?: string): void
  getWebSocket(): WebSocket | null
  getConnection(): Connection<unknown, unknown> | null
}

/** Typed events and requests over a `WebSocketObserver`: what `useSocket` binds. */
export function createSocketObserver<E extends SocketEvents, T extends InType<E> = InType<E>>(
  url: UrlSource,
  options: SocketObserverOptions<E, T> = {},
): SocketObserver<E, T> {
  return typed(createWebSocketObserver, url, options)
}

/** `useConnectionSocket`'s options: the typed layer's, and this component's own callbacks. */
export interface ConnectionSocketObserverOptions<
  E extends SocketEvents,
  T extends InType<E> = InType<E>,
> extends Omit<ConnectionObserverOptions<unknown>, 'filter'>,
    Pick<SocketObserverOptions<E, T>, 'types' | 'on' | 'keys'> {}

/** The typed layer on a connection made elsewhere: what `useConnectionSocket` binds. */
export interface ConnectionSocketObserver<E extends SocketEvents, T extends InType<E> = InType<E>>
  extends Omit<SocketObserver<E, T>, 'setOptions' | 'getConnection'> {
  /** Another connection moves the view to it; the old one is left as it is. */
  setOptions(
    connection: Connection<unknown, unknown>,
    options?: ConnectionSocketObserverOptions<E, T>,
  ): void
  getConnection(): Connection<unknown, unknown>
}

/**
 * Typed events and requests over a connection someone else made (a module, a store): this
 * subscriber's own `types`, `on` handlers and `lastMessage`; like `useConnection`, it never
 * opens, closes or disposes the connection by itself.
 */
export function createConnectionSocketObserver<
  E extends SocketEvents,
  T extends InType<E> = InType<E>,
>(
  connection: Connection<unknown, unknown>,
  options: ConnectionSocketObserverOptions<E, T> = {},
): ConnectionSocketObserver<E, T> {
  return typed(createConnectionObserver, connection, options) as never
}

function typed<Src, E extends SocketEvents, T extends InType<E>>(
  create: (source: Src, options: ObserverOptions) => Inner<Src>,
  url: Src,
  options: SocketObserverOptions<E, T>,
): Omit<SocketObserver<E, T>, 'setOptions'> & {
  setOptions(source: Src, options?: SocketObserverOptions<E, T>): void
} {
  // Set by `adapt`, so it always matches the options the inner observer holds.
  let keys: EnvelopeKeys
  const handlers = new Map<string, Set<Handler>>()
  let lastInner: Snapshot<unknown> | undefined
  let snapshot: SocketSnapshot<E, T>

  /** The message's envelope if it is an event: not a reply to a request made on this connection. */
  const eventOf = (json: unknown) => {
    const envelope = decode(json, keys)
    return !isReply(inner.getConnection(), envelope?.id) && envelope
  }

  const adapt = (o: SocketObserverOptions<E, T>): ObserverOptions => {
    keys = resolveEnvelopeKeys(o.keys)
    return {
      ...o,
      filter: (_event, json) => {
        const envelope = eventOf(json)
        return !!envelope && o.types?.includes(envelope.type as T) !== false
      },
      onMessage: (event, json) => {
        const envelope = eventOf(json)
        if (envelope) {
          const { type, data } = envelope
          const on = (o.on ?? {}) as Record<string, Handler | undefined>
          // `hasOwn` keeps `__proto__` or `constructor` as a type name from reaching Object.prototype.
          if (Object.hasOwn(on, type)) call(on[type], data, envelope)
          for (const fn of handlers.get(type) ?? []) call(fn, data, envelope)
        }
        call(o.onMessage as Handler | undefined, event, json)
      },
    }
  }

  const inner = create(url, adapt(options))

  const derive = (s: Snapshot<unknown>): SocketSnapshot<E, T> => {
    if (s !== lastInner) {
      lastInner = s
      const { lastJsonMessage, ...state } = s
      const envelope = decode(lastJsonMessage, keys)
      snapshot = {
        ...state,
        lastMessage:
          envelope && ({ type: envelope.type, data: envelope.data } as SocketMessage<E, T>),
      }
    }
    return snapshot
  }

  const server = derive(IDLE_SNAPSHOT)
  // The untyped senders stay inside; the rest of the inner observer passes through.
  const { sendMessage, sendJsonMessage, ...passed } = inner

  return {
    ...passed,
    setOptions: (next: Src, nextOptions = {}) => inner.setOptions(next, adapt(nextOptions)),
    getSnapshot: () => derive(inner.getSnapshot()),
    getServerSnapshot: () => server,
    emit: (type, data?: unknown) => sendJsonMessage(encodeEnvelope({ type, data }, keys)),
    request: (type, data, options) =>
      request(
        inner.getConnection() as Connection<never, never> | null,
        keys,
        type,
        data,
        options,
      ) as never,
    on: (type, handler) => listen(handlers, type, handler as Handler),
  }
}
