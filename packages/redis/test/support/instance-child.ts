// Spawns support/instance-process.ts: one instance of a cluster in a process of its own, for
// tests that SIGKILL or SIGSTOP it. Killed after the test if still alive.
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { onCleanup, within } from '../../../server/test/helpers'

const root = fileURLToPath(new URL('../../../../', import.meta.url))
const entry = fileURLToPath(new URL('./instance-process.ts', import.meta.url))
const loader = pathToFileURL(`${root}node_modules/tsx/dist/loader.mjs`).href

export interface Child {
  readonly process: ChildProcess
  readonly port: number
  /** Its adapter's `instanceId`. */
  readonly instance: string
  /** The messages of its server's `error` events. */
  readonly errors: string[]
}

export async function child(
  redisUrl: string,
  prefix: string,
  delivery: 'plain' | 'reliable',
  lease: number,
): Promise<Child> {
  const proc = spawn(
    process.execPath,
    ['--conditions=@tethered/source', '--import', loader, entry],
    {
      cwd: root,
      env: {
        ...process.env,
        REDIS_URL: redisUrl,
        PREFIX: prefix,
        DELIVERY: delivery,
        LEASE: String(lease),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  )
  onCleanup(() => {
    if (proc.exitCode === null && proc.signalCode === null && proc.pid) {
      // A stopped process gets SIGKILL all the same.
      process.kill(proc.pid, 'SIGKILL')
    }
  })
  const errors: string[] = []
  const started = await within(
    new Promise<{ port: number; instance: string }>((resolve, reject) => {
      proc.on('message', (message: { port?: number; instance?: string; error?: string }) => {
        if (message.error !== undefined) errors.push(message.error)
        if (message.port !== undefined) {
          resolve({ port: message.port, instance: message.instance ?? '' })
        }
      })
      proc.once('exit', (code) => reject(new Error(`instance exited with ${String(code)}`)))
    }),
    // Each process compiles the sources with tsx first: slow on a loaded machine.
    'an instance process',
    45_000,
  )
  return { process: proc, ...started, errors }
}
