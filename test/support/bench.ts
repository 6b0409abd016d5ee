import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { Worker } from 'node:worker_threads'

/** The `ws` server of the core benchmarks, in a worker thread (see core-flood-worker.mjs). */
export interface FloodServer {
  url: string
  /** Connections open on the server now. */
  clients(): Promise<number>
  /** Resolves once the server has no client left; throws after `timeout` ms. */
  drained(timeout?: number): Promise<void>
  close(): void
}

export async function startFloodServer(): Promise<FloodServer> {
  const worker = new Worker(new URL('../bench/core-flood-worker.mjs', import.meta.url))
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (m: { port: number }) => resolve(m.port))
    worker.once('error', reject)
  })
  const clients = () =>
    new Promise<number>((resolve) => {
      worker.once('message', (m: { clients: number }) => resolve(m.clients))
      worker.postMessage('clients')
    })
  return {
    url: `ws://127.0.0.1:${port}`,
    clients,
    async drained(timeout = 20_000) {
      const deadline = performance.now() + timeout
      while ((await clients()) > 0) {
        if (performance.now() > deadline) throw new Error('the bench server still has clients')
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    },
    close: () => worker.postMessage('close'),
  }
}

/**
 * Which @tethered/core this run measures. Through tsx the TypeScript sources are compiled
 * with esbuild's `keepNames`, which gives every closure a `name` property of its own
 * (about 250 bytes each): fine for throughput, but it inflates the memory figures, so the
 * memory benchmark should measure the build (`pnpm build`, no `@tethered/source` condition).
 */
export function coreBuild(): { from: 'source' | 'dist'; path: string } {
  const url = import.meta.resolve('@tethered/core')
  return { from: url.includes('/src/') ? 'source' : 'dist', path: new URL(url).pathname }
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export const machine = () => ({
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  loadAverage: Number((loadavg()[0] ?? 0).toFixed(2)),
})

/** Writes test/bench/results/<name>.json and says where. */
export function writeResults(name: string, data: object): void {
  const file = new URL(`../bench/results/${name}.json`, import.meta.url)
  // The folder is gitignored: a fresh clone has none.
  mkdirSync(new URL('.', file), { recursive: true })
  writeFileSync(
    file,
    `${JSON.stringify({ bench: name, date: new Date().toISOString(), ...machine(), ...data }, null, 2)}\n`,
  )
  console.log(`written ${file.pathname}`)
}
