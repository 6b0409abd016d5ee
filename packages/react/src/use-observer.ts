import type { Bindable, BindableMethods as Methods } from '@tethered/core'
import { useEffect, useLayoutEffect, useMemo, useState, useSyncExternalStore } from 'react'

// A layout effect hands the latest options to the observer right after commit, before any
// socket event (a macrotask) can reach a stale callback. On the server effects never run, and
// React 18 warns about useLayoutEffect there, so the server gets the silent useEffect.
const useIsomorphicLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect

/**
 * A core observer as React state: its snapshot plus its methods.
 *
 * The observer is made once and opens nothing until its first subscriber, so the instance a
 * StrictMode double render throws away, and server rendering, never touch the network. It
 * gets the latest url and options after every commit: new callbacks and option objects are
 * taken as they are, and the socket restarts only when the url, `connect`, `share`,
 * `protocols` or `queryParams` values change.
 */
export function useObserver<S, O, St extends Bindable<S, O>>(
  create: (source: S, options: O) => St,
  url: S,
  options: O,
): ReturnType<St['getSnapshot']> & Methods<St> {
  const [[observer, methods]] = useState(() => {
    const made = create(url, options)
    const { setOptions, subscribe, getSnapshot, getServerSnapshot, getConnection, ...rest } = made
    return [made, rest] as const
  })

  useIsomorphicLayoutEffect(() => {
    observer.setOptions(url, options)
  })

  const snapshot = useSyncExternalStore(
    observer.subscribe,
    observer.getSnapshot,
    observer.getServerSnapshot,
  )

  return useMemo(
    () => ({ ...snapshot, ...methods }) as ReturnType<St['getSnapshot']> & Methods<St>,
    [snapshot, methods],
  )
}
