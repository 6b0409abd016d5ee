// Spawns support/instance-process.ts: one instance of a cluster in a process of its own, with
// its settings in the environment (REDIS_URL, PREFIX, DELIVERY, LEASE, ADAPTER). No test
// framework here, so the benches use it too; tests take `child` (instance-child.ts), which
// also kills it after the test.
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('../../../../', import.meta.url))
const entry = fileURLToPath(new URL('./instance-process.ts', import.meta.url))
const loader = pathToFileURL(`${root}node_modules/tsx/dist/loader.mjs`).href

export interface Child {
  readonly process: ChildProcess
  readonly port: number
  /** Its adapter's `instanceId` ('' on the memory adapter). */
  readonly instance: string
  /** The messages of its server's `error` events. */
  readonly errors: string[]
}

/**
 * Resolves once the instance listens. Each process compiles the sources with tsx first,
 * which is slow on a loaded machine: hence the long default bound.
 */
export function spawnInstance(env: Record<string, string>, timeout = 45_000): Promise<Child> {
  const proc = spawn(
    process.execPath,
    ['--conditions=@tethered/source', '--import', loader, entry],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  )
  const errors: string[] = []
  return new Promise<Child>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`Timed out after ${timeout} ms waiting for an instance process`))
    }, timeout)
    proc.on('message', (message: { port?: number; instance?: string; error?: string }) => {
      if (message.error !== undefined) errors.push(message.error)
      if (message.port === undefined) return
      clearTimeout(timer)
      resolve({ process: proc, port: message.port, instance: message.instance ?? '', errors })
    })
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`instance exited with ${String(code)}`))
    })
  })
}
