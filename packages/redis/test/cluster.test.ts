// Three instances of one cluster in this process, on one real redis-server.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../../../test/support/redis-server'
import { startTcpProxy } from '../../../test/support/tcp-proxy'
import { waitFor } from '../../../test/support/wait'
import { closed, connect, inbox, nextEvent, onCleanup, tryUpgrade } from '../../server/test/helpers'
import { cluster, dataFrames, eventually, hello, types } from './support/cluster'

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(() => redis?.stop())

type Instance = Awaited<ReturnType<typeof cluster>>[number]

/** alice connects to `a`, then to `b`: `b` takes her over, and `a` closes hers with 4409. */
async function moveAlice(a: Instance, b: Instance) {
  const first = await member(a.url, 'alice')
  const gone = closed(first.ws)
  await member(b.url, 'alice')
  expect((await gone).code).toBe(4409)
  await waitFor(() => !a.server.clients.has('alice'), 3_000, 'alice released on a')
}

/** One client of identity `name` on `url`, its messages' types as they arrive. */
async function member(url: string, name: string) {
  const ws = await connect(`${url}?token=${name}`)
  const box = inbox(ws)
  return { ws, box, got: () => box.messages.map((m) => (JSON.parse(m) as { type: string }).type) }
}

describe('across instances (plain delivery)', () => {
  it('a broadcast from one instance reaches the clients of every instance once, `except` honoured', async () => {
    const [a, b, c] = await cluster(3, redis.url)
    if (!a || !b || !c) throw new Error('three instances')
    const alice = await member(a.url, 'alice')
    const bob = await member(b.url, 'bob')
    const carol = await member(c.url, 'carol')
    const dave = await member(c.url, 'dave')
    a.server.broadcast('hello', undefined)
    // `except` by key reaches another instance; a local client object too.
    const ann = a.server.clients.get('alice')
    if (!ann) throw new Error('alice on a')
    a.server.broadcast('second', undefined, { except: [ann, 'dave'] })
    await bob.box.waitFor(2)
    await carol.box.waitFor(2)
    await dave.box.waitFor(1)
    await alice.box.waitFor(1)
    // A third broadcast, so anything late of the second would have arrived before it.
    c.server.broadcast('third', undefined)
    for (const x of [alice, bob, carol, dave]) await x.box.waitFor(x === bob || x === carol ? 3 : 2)
    expect(alice.got()).toEqual(['hello', 'third'])
    expect(bob.got()).toEqual(['hello', 'second', 'third'])
    expect(carol.got()).toEqual(['hello', 'second', 'third'])
    expect(dave.got()).toEqual(['hello', 'third'])
  })

  it('a room emit reaches its members on every instance, and no one else', async () => {
    const [a, b, c] = await cluster(3, redis.url)
    if (!a || !b || !c) throw new Error('three instances')
    const alice = await member(a.url, 'alice')
    const bob = await member(b.url, 'bob')
    const carol = await member(c.url, 'carol')
    a.server.clients.get('alice')?.join('lobby')
    b.server.clients.get('bob')?.join('lobby')
    c.server.to('lobby').emit('news', 1)
    // From the same instance: plain messages keep their order per sender.
    c.server.broadcast('end', undefined)
    await alice.box.waitFor(2)
    await bob.box.waitFor(2)
    await carol.box.waitFor(1)
    expect(alice.got()).toEqual(['news', 'end'])
    expect(bob.got()).toEqual(['news', 'end'])
    expect(carol.got()).toEqual(['end'])
  })

  it("duplicate: 'replace' closes the older connection with 4409 on whatever instance holds it", async () => {
    const [a, b] = await cluster(2, redis.url)
    if (!a || !b) throw new Error('two instances')
    await moveAlice(a, b)
    expect(b.server.clients.has('alice')).toBe(true)
    expect(await b.server.identity('alice').locate()).toEqual({
      instance: b.adapter.instanceId,
      present: true,
    })
  })

  it("duplicate: 'reject' answers 409 when the identity is connected on another instance", async () => {
    const [a, b] = await cluster(2, redis.url, { duplicate: 'reject' })
    if (!a || !b) throw new Error('two instances')
    const alice = await member(a.url, 'alice')
    expect((await tryUpgrade(b.port, '/?token=alice')).status).toBe(409)
    expect((await tryUpgrade(b.port, '/?token=bob')).status).toBe(101)
    alice.ws.close()
    await waitFor(() => !a.server.clients.has('alice'), 3_000, 'alice gone')
    // Released in Redis once the close completed there.
    await eventually(
      async () => (await b.server.identity('alice').locate()) === undefined,
      'alice released in Redis',
    )
    expect((await tryUpgrade(b.port, '/?token=alice')).status).toBe(101)
  })

  it('an identity that moved on while its old socket is half-open is reached where it is now', async () => {
    const [a, b] = await cluster(2, redis.url)
    if (!a || !b) throw new Error('two instances')
    // Alice's first socket goes through a network that dies: its close never completes.
    const network = await startTcpProxy(a.port)
    onCleanup(() => network.close())
    await member(network.url('/'), 'alice')
    network.blackhole(true)
    const alice = await member(b.url, 'alice')
    await eventually(
      async () => (await b.server.identity('alice').locate())?.instance === b.adapter.instanceId,
      'alice held on b',
    )
    await waitFor(() => !a.server.clients.has('alice'), 3_000, 'alice no longer listed on a')
    expect(await a.server.identity('alice').locate()).toEqual({
      instance: b.adapter.instanceId,
      present: true,
    })
    a.server.identity('alice').emit('direct', 'hi')
    await alice.box.waitFor(1, 'the direct message on b')
    expect(alice.box.messages).toEqual(['{"type":"direct","data":"hi"}'])
  })

  it('reaches one identity wherever it is connected, and says where', async () => {
    const [a, b] = await cluster(2, redis.url)
    if (!a || !b) throw new Error('two instances')
    const bob = await member(b.url, 'bob')
    expect(a.server.clients.has('bob')).toBe(false)
    expect(await a.server.identity('bob').locate()).toEqual({
      instance: b.adapter.instanceId,
      present: true,
    })
    expect(await a.server.identity('nobody').locate()).toBeUndefined()
    expect(a.server.identity('bob').emit('direct', 'hi')).toBe(0)
    await bob.box.waitFor(1)
    expect(bob.box.messages).toEqual(['{"type":"direct","data":"hi"}'])
  })
})

describe('across instances (reliable delivery)', () => {
  it('a session resumes on another instance with every message once, in order, room broadcasts sent while away included', async () => {
    const [a, b, c] = await cluster(3, redis.url, { delivery: 'reliable' })
    if (!a || !b || !c) throw new Error('three instances')
    const connected = nextEvent(a.server, 'connection')
    const first = await hello(`${a.url}?token=alice`)
    const [client] = await connected
    client.join('lobby')
    client.emit('one', 1)
    c.server.to('lobby').emit('two', 2)
    await first.box.waitFor(3, 'two messages on a')
    first.ws.send('a:1')
    // Let the ack reach Redis before the socket goes (acks are not awaited).
    await waitFor(() => (a.server.stats.sessions.buffered ?? 0) === 1, 3_000, 'ack on a')
    const away = nextEvent(a.server, 'error').catch(() => undefined)
    first.ws.terminate()
    await waitFor(() => a.server.stats.sessions.detached === 1, 3_000, 'detached on a')
    c.server.to('lobby').emit('three', 3)
    b.server.broadcast('four', 4)
    c.server.broadcast('not-lobby', 0, { room: 'elsewhere' })
    await waitFor(() => a.server.stats.sessions.buffered === 3, 3_000, 'kept on a while away')
    const moved = nextEvent(a.server, 'disconnect')
    const resumedOn = nextEvent(b.server, 'connection')
    const second = await hello(`${b.url}?token=alice`, { session: first.welcome.session, ack: 1 })
    expect(second.welcome).toMatchObject({ resumed: true, session: first.welcome.session })
    const [resumed] = await resumedOn
    expect(resumed.id).toBe(client.id)
    expect([...resumed.rooms]).toEqual(['lobby'])
    await second.box.waitFor(4, 'the missed messages on b')
    expect(dataFrames(second.box.messages).map(([seq]) => seq)).toEqual([2, 3, 4])
    expect(types(second.box.messages)).toEqual(['two', 'three', 'four'])
    // The instance it left lets go of it.
    expect((await moved)[1].code).toBe(4409)
    expect(a.server.stats.sessions.active).toBe(0)
    // And it goes on from b, in its rooms, numbered on.
    a.server.to('lobby').emit('five', 5)
    await second.box.waitFor(5, 'five on b')
    expect(dataFrames(second.box.messages).at(-1)).toEqual([5, '{"type":"five","data":5}'])
    void away
  })
})

describe('maxSessions across instances', () => {
  it('a session taken over from another instance makes room as a new one would: no instance holds more than maxSessions', async () => {
    const [a, b] = await cluster(2, redis.url, { delivery: 'reliable', maxSessions: 1 })
    if (!a || !b) throw new Error('two instances')
    const alice = await hello(`${a.url}?token=alice`)
    const bob = await hello(`${b.url}?token=bob`)
    alice.ws.terminate()
    bob.ws.terminate()
    await waitFor(() => a.server.stats.sessions.detached === 1, 3_000, 'alice away on a')
    await waitFor(() => b.server.stats.sessions.detached === 1, 3_000, 'bob away on b')
    const back = await hello(`${b.url}?token=alice`, { session: alice.welcome.session, ack: 0 })
    expect(back.welcome.resumed).toBe(true)
    // Bob's session was the longest away on b: it made room.
    expect(b.server.stats.sessions.active).toBe(1)
    expect(b.server.stats.sessions.evictedSessions).toBe(1)
  })
})

describe('what Redis keeps for an instance', () => {
  function admin(): Redis {
    const client = new Redis(redis.url)
    onCleanup(() => client.disconnect())
    return client
  }

  it('an identity that moved to another instance is no longer listed as held by the first', async () => {
    const [a, b] = await cluster(2, redis.url)
    if (!a || !b) throw new Error('two instances')
    await moveAlice(a, b)
    const db = admin()
    // What a reaper of a would walk: only the keys a still holds.
    await eventually(
      async () => (await db.keys(`*keys:${a.adapter.instanceId}`)).length === 0,
      'a holds no key any more',
    )
  })

  it('a session that expired while its client was away is no longer listed as owned by its instance', async () => {
    const [a] = await cluster(1, redis.url, { delivery: { reliable: { maxAge: 200 } } })
    if (!a) throw new Error('one instance')
    const alice = await hello(`${a.url}?token=alice`)
    const away = nextEvent(a.server, 'disconnect')
    alice.ws.terminate()
    await away
    expect(a.server.stats.sessions.expired).toBe(1)
    const db = admin()
    const [owned] = await db.keys(`*owned:${a.adapter.instanceId}`)
    // Its keys are gone (expired in Redis, removed here), and so is its listing.
    expect(await db.keys(`*s:${alice.welcome.session}`)).toEqual([])
    await eventually(
      async () => owned === undefined || (await db.sismember(owned, alice.welcome.session)) === 0,
      'the session no longer listed as owned',
    )
  })
})
