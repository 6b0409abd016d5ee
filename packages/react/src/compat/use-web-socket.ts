import type { UrlSource } from '@tethered/core'
import { useEffect, useLayoutEffect, useState, useSyncExternalStore } from 'react'
import { createStore } from './store'
import type { Options, SendJsonMessage, SendMessage, WebSocketHook } from './types'

// As in the main entry: the latest options right after commit, before any socket event;
// the server gets the silent useEffect.
const useIsomorphicLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect

/** The one error of what this entry leaves out: what, and where it still is. */
export const unsupported = (what: string) =>
  new Error(`${what}: not in @tethered/react/compat; keep react-use-websocket for it`)

/**
 * react-use-websocket's `useWebSocket`, option for option, on Tethered's engine. The store
 * opens nothing until React subscribes, so a StrictMode double render and server rendering
 * never touch the network.
 */
export function useWebSocket<T = unknown>(
  url: UrlSource,
  options: Options = {},
  connect = true,
): WebSocketHook<T> {
  if (options.fromSocketIO) throw unsupported('fromSocketIO')
  if (options.eventSourceOptions) throw unsupported('eventSourceOptions')
  const [store] = useState(() => createStore<T>(url, options, connect))
  useIsomorphicLayoutEffect(() => store.set(url, options, connect))
  // A new object every render, as react-use-websocket returns; the methods keep their identity.
  return {
    ...useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot),
    sendMessage: store.sendMessage as SendMessage,
    sendJsonMessage: store.sendJsonMessage as SendJsonMessage,
    getWebSocket: store.getWebSocket,
  }
}
