import type { MetricName } from '../src/shared/protocol'

/** Made-up but lively service metrics: slow waves, a random walk, and the odd spike. */
export function createMetricSource(): (t: number) => Record<MetricName, number> {
  let walk = 0
  let memory = 52
  let spike = 0
  const noise = (size: number) => (Math.random() - 0.5) * size
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))

  return (t) => {
    const s = t / 1000
    walk = clamp(walk + noise(1.6), -15, 15)
    // Memory climbs until a "garbage collection" drops it back.
    memory += 0.02 + noise(0.05)
    if (memory > 74) memory = 50 + Math.random() * 4
    if (spike > 0) spike -= 1
    else if (Math.random() < 0.004) spike = 12
    const cpu = clamp(38 + 18 * Math.sin(s / 6) + walk + noise(3) + (spike > 0 ? 25 : 0), 1, 99)
    const rps = Math.max(
      0,
      900 + 320 * Math.sin(s / 9 + 1) + walk * 12 + noise(60) + (spike > 0 ? 500 : 0),
    )
    const latency = Math.max(5, 28 + rps / 45 + noise(6) + (spike > 0 ? 60 : 0))
    return { cpu, memory, rps, latency }
  }
}
