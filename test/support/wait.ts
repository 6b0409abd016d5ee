/**
 * Reads `read()` every `poll` ms until its value passes `check`, and returns that value; after
 * `timeout` ms fails naming `label` and the last value (or error) seen. For state that has no
 * event to await: a page through playwright, a count in another process.
 */
export async function pollFor<T>(
  read: () => T | Promise<T>,
  check: (value: T) => boolean,
  timeout: number,
  label: string,
  poll = 5,
): Promise<T> {
  const deadline = performance.now() + timeout
  let last: T | undefined
  let failure: unknown
  for (;;) {
    try {
      last = await read()
      failure = undefined
      if (check(last)) return last
    } catch (error) {
      failure = error
    }
    if (performance.now() >= deadline) break
    await new Promise((resolve) => setTimeout(resolve, poll))
  }
  const seen = failure ? `error: ${String(failure)}` : `last value: ${JSON.stringify(last)}`
  throw new Error(`Timed out after ${timeout} ms waiting for ${label} (${seen})`)
}

/** Resolves with the ms it took once `condition()` holds; rejects naming `label` after `timeout` ms. */
export async function waitFor(
  condition: () => boolean,
  timeout: number,
  label: string,
  poll = 5,
): Promise<number> {
  const start = performance.now()
  await pollFor(condition, Boolean, timeout, label, poll)
  return performance.now() - start
}

type Subscribe<A extends unknown[]> = (handler: (...args: A) => void) => () => void

/**
 * The next event that `subscribe` delivers and `accept` takes, or a rejection naming
 * `label` after `timeout` ms.
 */
export function nextEvent<A extends unknown[]>(
  subscribe: Subscribe<A>,
  timeout: number,
  label: string,
  accept: (...args: A) => boolean = () => true,
): Promise<A> {
  return new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => {
      off()
      reject(new Error(`Timed out after ${timeout} ms waiting for ${label}`))
    }, timeout)
    const off = subscribe((...args) => {
      if (!accept(...args)) return
      clearTimeout(timer)
      off()
      resolve(args)
    })
  })
}

/** Counts of `process.getActiveResourcesInfo()` by kind (Timeout, TCPSocketWrap…). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}
