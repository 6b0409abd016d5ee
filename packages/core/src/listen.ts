/** Any handler or callback: each is called with its event's own arguments. */
export type Handler = (a: never, b: never) => void

// A throwing user handler must not stop the engine mid-message; rethrown on its own so it
// still reaches the console and error trackers. What it returns is passed on (a filter's
// verdict); a throw returns undefined, which a filter reads as no match.
export const call = (fn: Handler | undefined, a?: unknown, b?: unknown): unknown => {
  try {
    return fn?.(a as never, b as never)
  } catch (e) {
    setTimeout(() => {
      throw e
    })
  }
}

/** Adds `fn` to the set kept under `key` and returns its remover. */
export const listen = <K, F>(map: Map<K, Set<F>>, key: K, fn: F): (() => void) => {
  let set = map.get(key)
  if (!set) map.set(key, (set = new Set()))
  set.add(fn)
  return () => set.delete(fn)
}

/** The handler that does nothing, for a slot that must hold one. */
export const noop = () => {}
