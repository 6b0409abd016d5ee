// An instance that is alive but stalled past its lease (SIGSTOP: an event loop blocked, a
// renewal that comes late) is reaped by a survivor. When it runs again it still owns its
// sessions: its clients keep them, on the same socket, and lose nothing.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../../../test/support/redis-server'
import { onCleanup } from '../../server/test/helpers'
import { dataFrames, eventually, hello, instance, newPrefix, types } from './support/cluster'
import { child } from './support/instance-child'

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(() => redis?.stop())

/** Short, so that the stall outlives it within a test. */
const LEASE = 600

describe('an instance stalled past its lease', () => {
  it('keeps its sessions once it runs again: no message lost, no session ended', async () => {
    const prefix = newPrefix()
    const stalled = await child(redis.url, prefix, 'reliable', LEASE)
    const survivor = await instance(redis.url, prefix, { delivery: 'reliable' }, { lease: LEASE })
    const admin = new Redis(redis.url)
    onCleanup(() => admin.disconnect())
    const isListed = async () =>
      (await admin.sismember(`${prefix}instances`, stalled.instance)) === 1

    const first = await hello(`ws://127.0.0.1:${stalled.port}/`)
    const { session } = first.welcome
    survivor.server.to('feed').emit('one', 1)
    await first.box.waitFor(2, 'one, before the stall')

    const pid = stalled.process.pid as number
    process.kill(pid, 'SIGSTOP')
    try {
      // The survivor sees the lease expire and reaps the instance.
      await eventually(async () => !(await isListed()), 'the stalled instance reaped', 10_000)
    } finally {
      process.kill(pid, 'SIGCONT')
    }
    await eventually(isListed, 'the instance renewed its lease', 10_000)

    survivor.server.to('feed').emit('two', 2)
    await first.box.waitFor(3, 'two, after the stall').catch((error: Error) => {
      throw new Error(`${error.message}; the stalled instance said: ${stalled.errors.join('; ')}`)
    })
    expect(dataFrames(first.box.messages).map(([seq]) => seq)).toEqual([1, 2])
    expect(types(first.box.messages)).toEqual(['one', 'two'])
    expect(first.ws.readyState).toBe(first.ws.OPEN)
    // Its session is kept again (no expiry) and listed as held here, for a later reaper.
    await eventually(
      async () =>
        (await admin.pttl(`${prefix}s:${session}`)) === -1 &&
        (await admin.sismember(`${prefix}owned:${stalled.instance}`, session)) === 1,
      'the session kept again in Redis',
      5_000,
    )
    // Told, so that whoever runs it can raise the lease; nothing else went wrong.
    expect(stalled.errors.length).toBeGreaterThan(0)
    for (const message of stalled.errors) expect(message).toMatch(/taken for dead/)
    expect(survivor.errors).toEqual([])
  }, 60_000)
})
