import { noop } from './listen'

/**
 * Where connections hear of the page and the network: `resume` when the network is back or
 * the page is shown again (reconnect now, or probe an open socket), `offline` when the
 * network went (retries wait for `resume`). Returns the remover.
 */
export type PageSignals = (resume: () => void, offline: () => void) => () => void

/**
 * The browser's: `online` and `offline` on `window`, `visibilitychange` on `document`;
 * none where there is no page (Node, a worker, React Native).
 */
export const browserSignals: PageSignals = (resume, offline) => {
  if (typeof document === 'undefined') return noop
  const onVisible = () => {
    if (!document.hidden) resume()
  }
  const toggle = (method: 'addEventListener' | 'removeEventListener') => {
    self[method]('online', resume)
    self[method]('offline', offline)
    document[method]('visibilitychange', onVisible)
  }
  toggle('addEventListener')
  return () => toggle('removeEventListener')
}

/** The page signals connections use when they start (what `setPageSignals` last set). */
export let watchPage = browserSignals

/**
 * Swaps the page signals of every connection started from now on, as TanStack Query's
 * `onlineManager.setEventListener` does: React Native's NetInfo and AppState, an Electron
 * window, a test driving them by hand. `setPageSignals(browserSignals)` restores them.
 */
export const setPageSignals = (signals: PageSignals): void => {
  watchPage = signals
}
