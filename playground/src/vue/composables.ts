import {
  computed,
  onScopeDispose,
  type Ref,
  type ShallowRef,
  shallowRef,
  toValue,
  watchEffect,
} from 'vue'
import type { InspectedSnapshot } from '../shared/socket-watch'

/** The current time, refreshed every `interval` ms while `active` (for countdowns). */
export function useNow(active: () => boolean, interval = 100): Readonly<Ref<number>> {
  const now = shallowRef(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  watchEffect((onCleanup) => {
    if (!toValue(active)) return
    now.value = Date.now()
    timer = setInterval(() => {
      now.value = Date.now()
    }, interval)
    onCleanup(() => clearInterval(timer))
  })
  return now
}

/** A framework-free store (ChatFeed, FaultTracker) as a shallow ref, like React's useSyncExternalStore. */
export function useExternal<T>(
  subscribe: (listener: () => void) => () => void,
  read: () => T,
): Readonly<ShallowRef<T>> {
  const value = shallowRef(read())
  onScopeDispose(
    subscribe(() => {
      value.value = read()
    }),
  )
  return value
}

type Refs<S> = { readonly [K in keyof S]: Readonly<Ref<S[K]>> }

/**
 * A hook's snapshot refs as one plain object that follows them, plus `open` and `close`:
 * what the status line and the snapshot inspector read.
 */
export function useSnapshot(
  socket: Refs<InspectedSnapshot> & { open(): void; close(): void },
): Readonly<Ref<InspectedSnapshot & { open(): void; close(): void }>> {
  return computed(() => ({
    readyState: socket.readyState.value,
    status: socket.status.value,
    stopped: socket.stopped.value,
    reconnectAttempt: socket.reconnectAttempt.value,
    nextReconnectAt: socket.nextReconnectAt.value,
    error: socket.error.value,
    resumed: socket.resumed.value,
    open: () => socket.open(),
    close: () => socket.close(),
  }))
}
