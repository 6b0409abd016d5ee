/** Resolves when `condition()` holds; rejects with `label` if it does not within `timeout` ms. */
export async function waitFor(
  condition: () => boolean,
  timeout: number,
  label: string,
  poll = 5,
): Promise<number> {
  const start = performance.now()
  while (!condition()) {
    const elapsed = performance.now() - start
    if (elapsed > timeout) throw new Error(`Timed out after ${timeout} ms waiting for ${label}`)
    await new Promise((resolve) => setTimeout(resolve, poll))
  }
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
