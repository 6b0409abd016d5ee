import { describe, expect, it } from 'vitest'
import type { AdapterHost, StateAdapter } from '../src/index'

/** A member as the server hands it to an adapter: only what the interface promises. */
export interface TestMember {
  readonly id: string
  readonly key: string
  present: boolean
}

let next = 0
export const member = (key: string, present = true): TestMember => ({
  id: `member-${++next}`,
  key,
  present,
})

/** A host that records what the adapter asks of the server. */
export function recordingHost() {
  const replaced: TestMember[] = []
  const delivered: Array<{ member: TestMember; text: string }> = []
  const errors: unknown[] = []
  const host: AdapterHost<TestMember> = {
    replaced: (m) => {
      replaced.push(m)
    },
    end: (m) => {
      replaced.push(m)
    },
    deliver: (m, text) => {
      delivered.push({ member: m, text })
      return true
    },
    report: (error) => {
      errors.push(error)
    },
  }
  return { host, replaced, delivered, errors }
}

/**
 * What every `StateAdapter` must do, seen from one instance. Each test awaits every call,
 * so an adapter on a remote store (whose methods return promises) runs the same suite:
 * `describeStateAdapter('redis', () => redisAdapter({ url }))`.
 */
export function describeStateAdapter(
  name: string,
  create: () => StateAdapter<TestMember> | Promise<StateAdapter<TestMember>>,
): void {
  async function attached() {
    const adapter = await create()
    const recording = recordingHost()
    adapter.attach(recording.host)
    return { adapter, ...recording }
  }

  describe(`StateAdapter contract: ${name}`, () => {
    it('serves one server: a second attach throws, naming the fix', async () => {
      const { adapter } = await attached()
      expect(() => adapter.attach(recordingHost().host)).toThrow(/one adapter per server/)
      await adapter.close()
    })

    it('registers one holder per identity key; a newer one replaces the older through the host', async () => {
      const { adapter, replaced } = await attached()
      const first = member('alice')
      const second = member('alice')
      const bob = member('bob')
      await adapter.register(first)
      await adapter.register(bob)
      expect(replaced).toEqual([])
      await adapter.register(second)
      expect(replaced).toEqual([first])
      expect(adapter.clients.get('alice')).toBe(second)
      expect([...adapter.clients.keys()].sort()).toEqual(['alice', 'bob'])
      await adapter.close()
    })

    it('releases a key only for its holder', async () => {
      const { adapter } = await attached()
      const old = member('alice')
      const current = member('alice')
      await adapter.register(old)
      await adapter.register(current)
      // The replaced one's close completes later: it must not take the newer one's entry.
      await adapter.unregister(old)
      expect(adapter.clients.get('alice')).toBe(current)
      await adapter.unregister(current)
      expect(adapter.clients.has('alice')).toBe(false)
      await adapter.close()
    })

    it('says a key is connected only while a present member holds it', async () => {
      const { adapter } = await attached()
      expect(await adapter.isConnected('alice')).toBe(false)
      const alice = member('alice')
      await adapter.register(alice)
      expect(await adapter.isConnected('alice')).toBe(true)
      // A reliable session whose client is away is no duplicate.
      alice.present = false
      expect(await adapter.isConnected('alice')).toBe(false)
      alice.present = true
      await adapter.unregister(alice)
      expect(await adapter.isConnected('alice')).toBe(false)
      await adapter.close()
    })

    it('keeps room membership per room, and forgets a room once empty', async () => {
      const { adapter } = await attached()
      const a = member('a')
      const b = member('b')
      expect(adapter.members('lobby').size).toBe(0)
      await adapter.join('lobby', a)
      await adapter.join('lobby', b)
      await adapter.join('lobby', b)
      await adapter.join('ops', a)
      expect([...adapter.members('lobby')]).toEqual([a, b])
      expect([...adapter.members('ops')]).toEqual([a])
      await adapter.leave('lobby', a)
      await adapter.leave('lobby', a)
      expect([...adapter.members('lobby')]).toEqual([b])
      await adapter.leave('lobby', b)
      expect(adapter.members('lobby').size).toBe(0)
      expect([...adapter.members('ops')]).toEqual([a])
      await adapter.close()
    })

    it('broadcasts to every registered member or to a room, skips `except`, counts what was written', async () => {
      const { adapter } = await attached()
      const [a, b, c] = [member('a'), member('b'), member('c')]
      for (const m of [a, b, c]) await adapter.register(m)
      await adapter.join('lobby', a)
      await adapter.join('lobby', c)
      const reached: TestMember[] = []
      const deliver = (m: TestMember) => {
        reached.push(m)
        return m !== c
      }
      const all = {
        text: '{"type":"x"}',
        room: undefined,
        except: null,
        exceptKeys: null,
        reliable: false,
      }
      expect(adapter.broadcast(all, deliver)).toBe(2)
      expect(reached).toEqual([a, b, c])
      reached.length = 0
      const room = { ...all, room: 'lobby', except: new Set([a]), exceptKeys: [] }
      expect(adapter.broadcast(room, deliver)).toBe(0)
      expect(reached).toEqual([c])
      reached.length = 0
      expect(adapter.broadcast({ ...all, room: 'nobody-here' }, deliver)).toBe(0)
      expect(reached).toEqual([])
      await adapter.close()
    })

    it('locates an identity: whether its holder is present; nothing when nowhere', async () => {
      const { adapter } = await attached()
      expect(await adapter.locate('alice')).toBeUndefined()
      const alice = member('alice')
      await adapter.register(alice)
      expect(await adapter.locate('alice')).toEqual({
        instance: expect.any(String),
        present: true,
      })
      await adapter.unregister(alice)
      expect(await adapter.locate('alice')).toBeUndefined()
      await adapter.close()
    })

    it('sends to one identity only with `to`', async () => {
      const { adapter } = await attached()
      const [a, b] = [member('a'), member('b')]
      await adapter.register(a)
      await adapter.register(b)
      const reached: TestMember[] = []
      const message = {
        text: '{"type":"x"}',
        room: undefined,
        except: null,
        exceptKeys: null,
        reliable: false,
        to: 'b',
      }
      expect(adapter.broadcast(message, (m) => reached.push(m) > 0)).toBe(1)
      expect(reached).toEqual([b])
      await adapter.close()
    })

    it('keeps a session log: consecutive messages, trimmed by acks, bounded by bufferSize', async () => {
      const { adapter } = await attached()
      const owner = member('alice')
      const stats = { buffered: 0, bufferedBytes: 0, evicted: 0 }
      // As the server does: the log first, then the session that keeps it.
      const log = adapter.createLog('s1', { bufferSize: 3, maxAge: 60_000 }, stats)
      await adapter.addSession('s1', owner)
      for (const n of [1, 2, 3, 4]) await log.push(`p${n}`, 2, n)
      // The oldest went over `bufferSize`.
      expect([log.first, log.size, stats.evicted]).toEqual([2, 3, 1])
      expect([log.get(2), log.get(4)]).toEqual(['p2', 'p4'])
      log.acknowledge(3)
      expect([log.first, log.size, stats.buffered]).toEqual([4, 1, 1])
      // Nothing to take over from elsewhere for an id nobody holds.
      const claimed = await adapter.claimSession(
        'nobody',
        0,
        null,
        {
          bufferSize: 3,
          maxAge: 60_000,
        },
        stats,
        () => owner,
      )
      expect(claimed).toBeUndefined()
      log.clear()
      await adapter.removeSession('s1', owner)
      await adapter.close()
    })

    it('finds a session by id until its owner removes it', async () => {
      const { adapter } = await attached()
      const owner = member('alice')
      const other = member('alice')
      expect(await adapter.findSession('s1')).toBeUndefined()
      await adapter.addSession('s1', owner)
      expect(await adapter.findSession('s1')).toBe(owner)
      expect([...adapter.localSessions()]).toEqual([owner])
      await adapter.removeSession('s1', other)
      expect(await adapter.findSession('s1')).toBe(owner)
      await adapter.removeSession('s1', owner)
      expect(await adapter.findSession('s1')).toBeUndefined()
      expect([...adapter.localSessions()]).toEqual([])
      await adapter.close()
    })

    it('makes room for a new session by evicting the longest-away first, never a connected one', async () => {
      const { adapter } = await attached()
      const sessions = ['s1', 's2', 's3', 's4'].map((id) => ({ id, m: member(id) }))
      for (const { id, m } of sessions) await adapter.addSession(id, m)
      const [s1, s2, s3, s4] = sessions as [
        (typeof sessions)[0],
        (typeof sessions)[0],
        (typeof sessions)[0],
        (typeof sessions)[0],
      ]
      await adapter.away(s3.m)
      await adapter.away(s1.m)
      await adapter.away(s4.m)
      await adapter.back(s4.m)
      const evicted: TestMember[] = []
      // As the server does: evicting ends the session, which removes it.
      const evict = (m: TestMember) => {
        evicted.push(m)
        const entry = sessions.find((s) => s.m === m)
        if (entry) void adapter.removeSession(entry.id, m)
      }
      await adapter.makeRoom(4, evict)
      expect(evicted).toEqual([s3.m])
      await adapter.makeRoom(2, evict)
      expect(evicted).toEqual([s3.m, s1.m])
      // Only connected sessions are left (s2, s4): none is ended to make room.
      await adapter.makeRoom(1, evict)
      expect(evicted).toEqual([s3.m, s1.m])
      expect(await adapter.findSession(s2.id)).toBe(s2.m)
      await adapter.close()
    })
  })
}
