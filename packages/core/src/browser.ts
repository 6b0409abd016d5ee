/**
 * The page's signals, where there is a page (not Node, a worker or React Native): `online`
 * and the page becoming visible call `resume`, `offline` calls `offline`. Returns the remover.
 */
export const watchPage = (resume: () => void, offline: () => void) => {
  const onVisible = () => {
    if (!document.hidden) resume()
  }
  const toggle = (method: 'addEventListener' | 'removeEventListener') => {
    window[method]('online', resume)
    window[method]('offline', offline)
    document[method]('visibilitychange', onVisible)
  }
  toggle('addEventListener')
  return () => toggle('removeEventListener')
}
