import { onScopeDispose, type Ref, type ShallowRef, shallowRef, toValue, watchEffect } from 'vue'

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
