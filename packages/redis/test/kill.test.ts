// Instances in child processes behind a round-robin balancer; one is SIGKILLed while a room
// is being fed. Reliable clients resume on a survivor and lose nothing, double nothing, in
// order; plain clients reconnect to a survivor.
import { type Connection, createConnection, reliable, type SessionInfo } from '@tethered/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { type RedisServer, startRedis } from '../../../test/support/redis-server'
import { waitFor } from '../../../test/support/wait'
import { onCleanup } from '../../server/test/helpers'
import { instance, newPrefix } from './support/cluster'
import { type Child, child as spawnChild } from './support/instance-child'
import { startRoundRobin } from './support/round-robin'

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(() => redis?.stop())

/**
 * Long enough that a survivor stalled by a loaded machine keeps its lease (one that loses it
 * keeps its sessions but reports it, and the test expects no errors from the survivors).
 * Resuming on a survivor needs no lease to expire: the session is taken over at once.
 */
const LEASE = 5_000

/** One instance in its own process. */
const child = (prefix: string, delivery: 'plain' | 'reliable'): Promise<Child> =>
  spawnChild(redis.url, prefix, delivery, LEASE)

function client(url: string, delivery: typeof reliable | undefined) {
  const c: Connection<unknown, string> = createConnection(url, {
    WebSocket,
    batch: 'sync',
    reconnectInterval: 20,
    parse: false,
    ...(delivery ? { delivery } : {}),
  })
  onCleanup(() => c.dispose())
  const received: number[] = []
  const sessions: SessionInfo[] = []

  c.on('message', (event) =>
    received.push((JSON.parse(String(event.data)) as { data: number }).data),
  )
  c.on('session', (info) => sessions.push(info))
  return { c, received, sessions }
}

const kill = (victim: Child) =>
  new Promise<void>((resolve) => {
    victim.process.once('exit', () => resolve())
    if (victim.process.pid) process.kill(victim.process.pid, 'SIGKILL')
  })

describe('an instance SIGKILLed mid-stream', () => {
  it('reliable: every client gets every message once, in order, resuming on a survivor', async () => {
    const prefix = newPrefix()
    const children = await Promise.all([1, 2, 3].map(() => child(prefix, 'reliable')))
    const balancer = await startRoundRobin(children.map((c) => c.port))
    onCleanup(() => balancer.close())
    // The publisher: an instance of the cluster in this process, with no clients.
    const publisher = await instance(redis.url, prefix, { delivery: 'reliable' }, { lease: LEASE })
    const clients = Array.from({ length: 6 }, () => client(balancer.url(), reliable))
    await waitFor(() => clients.every((x) => x.sessions.length === 1), 10_000, 'six sessions')
    // Each instance holds two of them: the first one is killed.
    const victim = children[0] as Child
    const total = 300
    for (let n = 1; n <= total; n++) {
      publisher.server.to('feed').emit('news', n)
      if (n === total / 2) await kill(victim)
      if (n % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await waitFor(
      () => clients.every((x) => x.received.length >= total),
      20_000,
      'every message on every client',
    ).catch((error: Error) => {
      const counts = clients.map((x) => `${x.received.length} (${x.sessions.length} sessions)`)
      throw new Error(`${error.message}: received ${counts.join(', ')}`)
    })
    const all = Array.from({ length: total }, (_, i) => i + 1)
    for (const x of clients) expect(x.received).toEqual(all)
    // Two clients lost their instance and resumed on another one.
    const moved = clients.filter((x) => x.sessions.length > 1)
    expect(moved.length).toBeGreaterThanOrEqual(2)
    for (const x of moved) expect(x.sessions.slice(1).every((s) => s.resumed === true)).toBe(true)
    expect(publisher.errors).toEqual([])
    for (const survivor of children.slice(1)) expect(survivor.errors).toEqual([])
  }, 120_000)

  it('plain: its clients reconnect to a survivor and get what is sent from then on', async () => {
    const prefix = newPrefix()
    const children = await Promise.all([1, 2].map(() => child(prefix, 'plain')))
    const balancer = await startRoundRobin(children.map((c) => c.port))
    onCleanup(() => balancer.close())
    const publisher = await instance(redis.url, prefix)
    const opens: number[] = []
    const clients = Array.from({ length: 2 }, (_, i) => {
      const x = client(balancer.url(), undefined)
      x.c.on('open', () => opens.push(i))
      return x
    })
    await waitFor(() => opens.length === 2, 10_000, 'two clients open')
    await kill(children[0] as Child)
    await waitFor(() => opens.length === 3, 10_000, 'the cut-off client reconnected')
    // Both are on the survivor now: a broadcast reaches both.
    await waitFor(
      () => {
        publisher.server.to('feed').emit('news', 1)
        return clients.every((x) => x.received.length > 0)
      },
      5_000,
      'a broadcast on both',
      50,
    )
  }, 120_000)
})
