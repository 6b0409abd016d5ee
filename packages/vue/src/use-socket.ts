import {
  createSocketObserver,
  type InType,
  type SocketEvents,
  type SocketObserver,
  type SocketObserverOptions,
  type SocketSnapshot,
  type UrlSource,
} from '@tethered/core'
import type { MaybeRefOrGetter } from 'vue'
import {
  bind,
  getCurrentScope,
  type ImmediateOption,
  onScopeDispose,
  type ReadonlyRefs,
} from './bind'

/**
 * Every `useWebSocket` option except `filter`, `parse` and `serialize` (the envelope codec
 * owns those), plus the ones below.
 */
export interface UseSocketOptions<E extends SocketEvents, T extends InType<E> = InType<E>>
  extends SocketObserverOptions<E, T>,
    ImmediateOption {
  /** Only these types move `lastMessage` (and so update the component). @default every type */
  types?: readonly T[]
  /** Handlers by event type; the latest object is used for every message. @default {} */
  on?: NonNullable<SocketObserverOptions<E, T>['on']>
  /** One socket per url + protocols + query parameters across every component that shares. @default false */
  share?: boolean
  /** `false` starts closed; `open()` connects. @default true */
  connect?: boolean
}

export interface UseSocketReturn<E extends SocketEvents, T extends InType<E> = InType<E>>
  extends ReadonlyRefs<SocketSnapshot<E, T>> {
  /** Sends `{ type, data }`, typed by `Events['out']`; `true` when sent now, otherwise queued. */
  emit: SocketObserver<E, T>['emit']
  /** Id-correlated request; rejects on timeout, on an error reply and when the connection closes. */
  request: SocketObserver<E, T>['request']
  /** Adds a handler for one event type. Removed when the calling scope is disposed; returns its remover. */
  on: SocketObserver<E, T>['on']
  open: SocketObserver<E, T>['open']
  close: SocketObserver<E, T>['close']
  getWebSocket: SocketObserver<E, T>['getWebSocket']
}

/**
 * Typed events over a WebSocket tied to the current component: the same url and option
 * rules as `useWebSocket`, with the envelope, routing and requests of `@tethered/core`.
 */
export function useSocket<E extends SocketEvents, T extends InType<E> = InType<E>>(
  url: MaybeRefOrGetter<UrlSource>,
  options?: MaybeRefOrGetter<UseSocketOptions<E, T> | undefined>,
): UseSocketReturn<E, T> {
  return scoped(bind('useSocket', createSocketObserver<E, T>, url, options))
}

/** `on` handlers registered in setup (or any scope) go with that scope. */
export function scoped<S extends { on: (...args: never[]) => () => void }>(socket: S): S {
  const on = socket.on
  socket.on = ((...args: never[]) => {
    const off = on(...args)
    if (getCurrentScope()) onScopeDispose(off)
    return off
  }) as S['on']
  return socket
}
