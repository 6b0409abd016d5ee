// What happens to a cluster when an instance dies, when Redis restarts (its data gone), when
// Redis drops the PUB/SUB connections, and while Redis cannot be reached.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../../../test/support/redis-server'
import { startTcpProxy } from '../../../test/support/tcp-proxy'
import { waitFor } from '../../../test/support/wait'
import {
  closed,
  connect,
  inbox,
  nextEvent,
  onCleanup,
  start,
  tryUpgrade,
  within,
} from '../../server/test/helpers'
import { redisAdapter } from '../src/index'
import {
  byToken,
  dataFrames,
  eventually,
  hello,
  instance,
  newPrefix,
  types,
} from './support/cluster'

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(() => redis?.stop())

/** A connection of its own to the test's redis-server. */
function admin(): Redis {
  const client = new Redis(redis.url)
  // It sees the restart too; the test reads what it needs after.
  client.on('error', () => {})
  onCleanup(() => client.disconnect())
  return client
}

/** An instance whose Redis is reached through a proxy the test can cut. */
async function cutOffInstance(prefix: string, options = {}) {
  const proxy = await startTcpProxy(redis.port)
  onCleanup(() => proxy.close())
  const node = await instance(`redis://127.0.0.1:${proxy.port}`, prefix, options, { lease: 600 })
  return { ...node, proxy }
}

describe('instance death', () => {
  it('a survivor releases the identities of an instance whose lease expired, and its session resumes elsewhere with what was sent meanwhile', async () => {
    const prefix = newPrefix()
    const a = await cutOffInstance(prefix, { delivery: 'reliable' })
    const b = await instance(redis.url, prefix, { delivery: 'reliable' }, { lease: 600 })
    const connected = nextEvent(a.server, 'connection')
    const first = await hello(`${a.url}?token=alice`)
    const [client] = await connected
    client.join('lobby')
    b.server.to('lobby').emit('one', 1)
    await first.box.waitFor(2, 'one on a')
    // A is gone as far as the cluster can tell: no Redis, no client.
    a.proxy.refuse(true)
    a.proxy.cut()
    first.ws.terminate()
    b.server.to('lobby').emit('two', 2)
    await eventually(
      async () => (await b.server.identity('alice').locate()) === undefined,
      'alice released once the lease of a expired',
      5_000,
    )
    const second = await hello(`${b.url}?token=alice`, { session: first.welcome.session, ack: 0 })
    expect(second.welcome.resumed).toBe(true)
    await second.box.waitFor(3, 'both messages on b')
    expect(dataFrames(second.box.messages).map(([seq]) => seq)).toEqual([1, 2])
    expect(types(second.box.messages)).toEqual(['one', 'two'])
  })
})

describe('Redis restart', () => {
  it('the epoch changes: sessions are ended with 1012 and not resumed, and the instance carries on', async () => {
    const prefix = newPrefix()
    const a = await instance(redis.url, prefix, { delivery: 'reliable' })
    const connected = nextEvent(a.server, 'connection')
    const first = await hello(`${a.url}?token=alice`)
    const [client] = await connected
    client.emit('before', 1)
    await first.box.waitFor(2)
    const epoch = await admin().get(`${prefix}epoch`)
    const ended = closed(first.ws)
    await redis.restart()
    expect(await ended).toEqual({ code: 1012, reason: 'the shared store lost its data' })
    expect(a.errors.map((e) => e.message).join('\n')).toMatch(/Redis lost its data/)
    const again = await hello(`${a.url}?token=alice`, { session: first.welcome.session, ack: 1 })
    expect(again.welcome.resumed).toBe(false)
    expect(await admin().get(`${prefix}epoch`)).not.toBe(epoch)
    a.server.broadcast('after', 2)
    await again.box.waitFor(2, 'a broadcast on the new session')
    expect(dataFrames(again.box.messages)).toEqual([[1, '{"type":"after","data":2}']])
  })
})

describe('Redis restart with a broadcast gap open', () => {
  it('what waited for the gap under the old numbering is dropped, not applied in place of a new broadcast', async () => {
    const prefix = newPrefix()
    const a = await instance(redis.url, prefix, { delivery: 'reliable' })
    a.server.broadcast('old', 1)
    await eventually(async () => (await admin().get(`${prefix}bseq`)) === '1', 'one broadcast')
    // A doorbell whose gap (2) was never filled when Redis lost its data.
    const stale = `3\n${JSON.stringify([null, null, null, '{"type":"stale"}'])}`
    await admin().publish(`${prefix}bell`, stale)
    const epoch = await admin().get(`${prefix}epoch`)
    await redis.restart()
    await waitFor(
      () => a.errors.some((e) => /lost its data/.test(e.message)),
      5_000,
      'the loss seen',
    )
    expect(await admin().get(`${prefix}epoch`)).not.toBe(epoch)
    const fresh = await hello(`${a.url}?token=alice`)
    for (const n of [1, 2, 3]) a.server.broadcast('new', n)
    await fresh.box.waitFor(4, 'three new broadcasts')
    expect(types(fresh.box.messages)).toEqual(['new', 'new', 'new'])
  })
})

describe('PUB/SUB dropped by Redis', () => {
  it('reliable broadcasts published while an instance was not subscribed are read from the log, in order', async () => {
    const prefix = newPrefix()
    const a = await instance(redis.url, prefix, { delivery: 'reliable' })
    const b = await instance(redis.url, prefix, { delivery: 'reliable' })
    const connected = nextEvent(b.server, 'connection')
    const bob = await hello(`${b.url}?token=bob`)
    await connected
    const control = admin()
    await control.call('CLIENT', 'KILL', 'TYPE', 'pubsub')
    // Nobody hears the doorbell for these: only the log has them.
    expect(await control.call('PUBSUB', 'NUMSUB', `${prefix}bell`)).toEqual([`${prefix}bell`, 0])
    for (const n of [1, 2, 3]) a.server.broadcast('news', n)
    await bob.box.waitFor(4, 'three broadcasts on b')
    expect(dataFrames(bob.box.messages)).toEqual([
      [1, '{"type":"news","data":1}'],
      [2, '{"type":"news","data":2}'],
      [3, '{"type":"news","data":3}'],
    ])
  })
})

describe('Redis unavailable', () => {
  it('local clients are still served and each failure is an error event; a reliable message that cannot be stored ends its session loudly', async () => {
    const prefix = newPrefix()
    const plain = await cutOffInstance(prefix)
    const local = await connect(`${plain.url}?token=carol`)
    const box = inbox(local)
    plain.proxy.refuse(true)
    plain.proxy.cut()
    await waitFor(() => plain.errors.length > 0, 3_000, 'the outage reported')
    expect(plain.errors[0]?.message).toMatch(/Redis connection failed/)
    expect(plain.server.broadcast('still', 1)).toBe(1)
    await box.waitFor(1)
    expect(box.messages).toEqual(['{"type":"still","data":1}'])

    const reliable = await cutOffInstance(newPrefix(), { delivery: 'reliable' })
    const connected = nextEvent(reliable.server, 'connection')
    const dave = await hello(`${reliable.url}?token=dave`)
    const [client] = await connected
    reliable.proxy.refuse(true)
    reliable.proxy.cut()
    const gone = closed(dave.ws)
    client.emit('unsaved', 1)
    expect((await gone).code).toBe(1011)
    expect(dataFrames(dave.box.messages)).toEqual([])
    expect(reliable.errors.map((e) => e.message).join('\n')).toMatch(
      /could not be stored, so it was not sent/,
    )
  })

  it('an instance started while Redis was unreachable serves reliable sessions once it is back', async () => {
    const prefix = newPrefix()
    const proxy = await startTcpProxy(redis.port)
    onCleanup(() => proxy.close())
    proxy.refuse(true)
    const adapter = redisAdapter({ url: `redis://127.0.0.1:${proxy.port}`, prefix, lease: 600 })
    const { server, url } = await start({ authenticate: byToken, delivery: 'reliable', adapter })
    const errors: Error[] = []
    server.on('error', (error) => errors.push(error))
    // Long enough for its first commands to fail (three retries), not just wait in a queue.
    await waitFor(
      () => errors.some((e) => /max retries/i.test(String(e.cause ?? e.message))),
      5_000,
      'a command given up',
    )
    proxy.refuse(false)
    await within(adapter.ready, 'ready once Redis is back', 5_000)
    const alice = await hello(`${url}?token=alice`)
    expect(alice.welcome.resumed).toBe(false)
    // Subscribed too: a reliable broadcast of another instance reaches it.
    const other = await instance(redis.url, prefix, { delivery: 'reliable' })
    other.server.broadcast('news', 1)
    await alice.box.waitFor(2, 'a broadcast from the other instance')
    expect(types(alice.box.messages)).toEqual(['news'])
  })

  it('a Redis that stops answering (a black hole): a reliable message waits at most the lease, then its session ends loudly, and the connection is made again', async () => {
    const node = await cutOffInstance(newPrefix(), { delivery: 'reliable' })
    const connected = nextEvent(node.server, 'connection')
    const dave = await hello(`${node.url}?token=dave`)
    const [client] = await connected
    const accepted = node.proxy.accepted
    node.proxy.blackhole(true)
    const gone = closed(dave.ws)
    client.emit('unanswered', 1)
    // The lease is 600 ms: by then the cluster takes this instance for dead anyway.
    expect((await within(gone, 'the session ended', 3_000)).code).toBe(1011)
    expect(dataFrames(dave.box.messages)).toEqual([])
    expect(node.errors.map((e) => e.message).join('\n')).toMatch(/could not be stored/)
    // What waited on the dead connection is released with it: a new one is tried.
    await waitFor(() => node.proxy.accepted > accepted, 3_000, 'a new connection to Redis')
  })

  it('a hello while Redis cannot be reached is closed with 1011, to be tried again, not left waiting for a welcome', async () => {
    const node = await cutOffInstance(newPrefix(), { delivery: 'reliable' })
    node.proxy.refuse(true)
    node.proxy.cut()
    await waitFor(() => node.errors.length > 0, 3_000, 'the outage reported')
    // A new session (the store writes it down) and a resume from elsewhere (the store takes it over).
    for (const session of [null, '00000000-0000-4000-8000-000000000000']) {
      const ws = await connect(`${node.url}?token=erin`)
      const gone = closed(ws)
      ws.send(`h:${JSON.stringify({ v: 1, session, ack: 0 })}`)
      expect((await within(gone, 'the socket closed', 3_000)).code).toBe(1011)
    }
    expect(node.server.stats.sessions.active).toBe(0)
  })

  it('a session whose socket closed while the instance was still reaching Redis is not left in Redis', async () => {
    const prefix = newPrefix()
    const proxy = await startTcpProxy(redis.port)
    onCleanup(() => proxy.close())
    // Redis does not answer yet: commands wait (up to the lease) instead of failing.
    proxy.blackhole(true)
    const adapter = redisAdapter({ url: `redis://127.0.0.1:${proxy.port}`, prefix, lease: 3_000 })
    const { server, url } = await start({ authenticate: byToken, delivery: 'reliable', adapter })
    const ws = await connect(`${url}?token=frank`)
    ws.send(`h:${JSON.stringify({ v: 1, session: null, ack: 0 })}`)
    await waitFor(() => server.stats.sessions.started === 1, 3_000, 'a session started')
    ws.terminate()
    await waitFor(() => server.stats.sessions.active === 0, 3_000, 'the session ended here')
    proxy.blackhole(false)
    await within(adapter.ready, 'ready once Redis answers', 5_000)
    const db = admin()
    await eventually(async () => (await db.keys(`${prefix}s:*`)).length === 0, 'no session kept')
    expect(await db.keys(`${prefix}owned:*`)).toEqual([])
  })

  it("an identity that left while Redis was down is released once it is back: duplicate: 'reject' lets it in elsewhere", async () => {
    const prefix = newPrefix()
    const a = await cutOffInstance(prefix, { duplicate: 'reject' })
    const b = await instance(redis.url, prefix, { duplicate: 'reject' })
    const alice = await connect(`${a.url}?token=alice`)
    await eventually(
      async () => (await b.server.identity('alice').locate()) !== undefined,
      'alice registered',
    )
    a.proxy.refuse(true)
    a.proxy.cut()
    alice.close()
    await waitFor(() => !a.server.clients.has('alice'), 3_000, 'alice gone from a')
    // Its release could not be written.
    await waitFor(
      () => a.errors.some((e) => /max retries/i.test(String(e.cause ?? e.message))),
      5_000,
      'the release given up',
    )
    a.proxy.refuse(false)
    await eventually(
      async () => (await b.server.identity('alice').locate()) === undefined,
      'alice released in Redis once a is back',
      5_000,
    )
    expect((await tryUpgrade(b.port, '/?token=alice')).status).toBe(101)
  })
})
