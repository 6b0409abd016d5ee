import { describe, expect, it } from 'vitest'
import type { Client } from '../src/index'
import { connect, inbox, nextEvent, start } from './helpers'

type Events = { in: { news: { n: number } }; out: Record<string, unknown> }

async function setup(count: number) {
  const { server, url } = await start<Events>()
  const peers = []
  for (let i = 0; i < count; i++) {
    const connected = nextEvent(server, 'connection')
    const ws = await connect(url)
    const [client] = await connected
    peers.push({ ws, box: inbox(ws), client })
  }
  return { server, peers }
}

/** Sends a marker to everyone so a test can tell "got nothing" from "not yet". */
async function settle(
  server: Awaited<ReturnType<typeof setup>>['server'],
  peers: Awaited<ReturnType<typeof setup>>['peers'],
) {
  const before = peers.map((p) => p.box.messages.length)
  server.broadcast('news', { n: -1 })
  await Promise.all(peers.map((p, i) => p.box.waitFor(before[i]! + 1)))
  return peers.map((p) => p.box.messages.slice(0, -1).map((m) => JSON.parse(m)))
}

describe('rooms and broadcast', () => {
  it('broadcasts to everyone, serialized the same for all', async () => {
    const { server, peers } = await setup(3)
    expect(server.broadcast('news', { n: 1 })).toBe(3)
    for (const { box } of peers) expect(await box.next()).toEqual({ type: 'news', data: { n: 1 } })
  })

  it('broadcasts to a room only, and to(room) does the same', async () => {
    const { server, peers } = await setup(3)
    peers[0]!.client.join('a')
    peers[1]!.client.join('a')
    peers[1]!.client.join('b')
    expect(server.to('a').size).toBe(2)
    expect([...server.to('a').clients]).toEqual([peers[0]!.client, peers[1]!.client])
    expect(server.broadcast('news', { n: 1 }, { room: 'a' })).toBe(2)
    expect(server.to('b').emit('news', { n: 2 })).toBe(1)
    expect(server.to('nobody').emit('news', { n: 3 })).toBe(0)
    const got = await settle(server, peers)
    expect(got).toEqual([
      [{ type: 'news', data: { n: 1 } }],
      [
        { type: 'news', data: { n: 1 } },
        { type: 'news', data: { n: 2 } },
      ],
      [],
    ])
  })

  it('skips clients given in except, as clients or identity keys', async () => {
    const { server, peers } = await setup(3)
    for (const p of peers) p.client.join('r')
    const [a, b, c] = peers as [(typeof peers)[0], (typeof peers)[0], (typeof peers)[0]]
    expect(server.broadcast('news', { n: 1 }, { except: a.client })).toBe(2)
    expect(
      server.broadcast('news', { n: 2 }, { room: 'r', except: [a.client, b.client.key] }),
    ).toBe(1)
    expect(server.to('r').emit('news', { n: 3 }, { except: c.client.key })).toBe(2)
    const got = await settle(server, peers)
    expect(got.map((list) => list.map((m: { data: { n: number } }) => m.data.n))).toEqual([
      [3],
      [1, 3],
      [1, 2],
    ])
  })

  it('leave() and disconnect take a client out of its rooms; empty rooms go away', async () => {
    const { server, peers } = await setup(2)
    const [a, b] = peers as [(typeof peers)[0], (typeof peers)[0]]
    a.client.join('x')
    a.client.join('y')
    b.client.join('x')
    expect([...a.client.rooms]).toEqual(['x', 'y'])
    a.client.leave('y')
    expect([...a.client.rooms]).toEqual(['x'])
    expect(server.to('y').size).toBe(0)
    const gone = nextEvent(server, 'disconnect')
    b.ws.close()
    const [client] = await gone
    expect((client as Client<Events>).rooms.size).toBe(0)
    expect([...server.to('x').clients]).toEqual([a.client])
    // Joining after the close is a no-op rather than a leak.
    client.join('z')
    expect(server.to('z').size).toBe(0)
  })
})
