// One instance of a cluster in a process of its own, for tests that SIGKILL or SIGSTOP it.
// Killed after the test if still alive.
import { onCleanup } from '../../../server/test/helpers'
import { type Child, spawnInstance } from './instance-spawn'

export type { Child }

export async function child(
  redisUrl: string,
  prefix: string,
  delivery: 'plain' | 'reliable',
  lease: number,
): Promise<Child> {
  const started = await spawnInstance({
    REDIS_URL: redisUrl,
    PREFIX: prefix,
    DELIVERY: delivery,
    LEASE: String(lease),
  })
  const proc = started.process
  onCleanup(() => {
    if (proc.exitCode === null && proc.signalCode === null && proc.pid) {
      // A stopped process gets SIGKILL all the same.
      process.kill(proc.pid, 'SIGKILL')
    }
  })
  return started
}
