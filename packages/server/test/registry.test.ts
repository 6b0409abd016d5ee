import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { CloseCode } from '../src/index'
import { closed, connect, inbox, nextEvent, start, tryUpgrade } from './helpers'

type User = { id: string; name: string }
type AnyEvents = { in: Record<string, unknown>; out: Record<string, unknown> }

const byToken = (_req: unknown, info: { token: string | undefined }): User | null =>
  info.token ? { id: info.token.split('-')[0]!, name: info.token } : null

describe('registry by identity', () => {
  it('keys clients by identity and forgets them on disconnect', async () => {
    const { server, url } = await start<AnyEvents, User>({ authenticate: byToken })
    const a = await connect(`${url}?token=alice-1`)
    await connect(`${url}?token=bob-1`)
    expect([...server.clients.keys()].sort()).toEqual(['alice', 'bob'])
    expect(server.clients.get('alice')?.identity).toEqual({ id: 'alice', name: 'alice-1' })
    const gone = nextEvent(server, 'disconnect')
    a.close(1000)
    const [client, info] = await gone
    expect(client.key).toBe('alice')
    expect(info.code).toBe(1000)
    expect([...server.clients.keys()]).toEqual(['bob'])
  })

  it('gives each anonymous connection its own identity', async () => {
    const { server, url } = await start()
    await connect(url)
    await connect(url)
    const clients = [...server.clients.values()]
    expect(clients).toHaveLength(2)
    expect(clients[0]?.identity).toBe(clients[0]?.id)
    expect(clients[0]?.key).toBe(clients[0]?.id)
    expect(clients[0]?.id).not.toBe(clients[1]?.id)
  })

  it('keys by identityKey when given', async () => {
    const { server, url } = await start<AnyEvents, User>({
      authenticate: byToken,
      identityKey: (user) => user.name.toUpperCase(),
    })
    await connect(`${url}?token=carol-7`)
    expect([...server.clients.keys()]).toEqual(['CAROL-7'])
  })

  it('replace: closes the old connection with 4409 and keeps the new one', async () => {
    const { server, url } = await start<AnyEvents, User>({ authenticate: byToken })
    const first = await connect(`${url}?token=alice-tab1`)
    const firstClient = server.clients.get('alice')!
    firstClient.join('lobby')
    const firstClosed = closed(first)
    const oldGone = nextEvent(server, 'disconnect')
    await connect(`${url}?token=alice-tab2`)
    // Out of its rooms at once, before its close completes.
    expect(firstClient.rooms.size).toBe(0)
    expect(server.to('lobby').size).toBe(0)
    expect(await firstClosed).toEqual({
      code: CloseCode.REPLACED,
      reason: 'replaced by a newer connection',
    })
    const [old] = await oldGone
    expect(old).toBe(firstClient)
    expect(server.clients.get('alice')?.identity.name).toBe('alice-tab2')
    expect(server.clients.size).toBe(1)
    expect(server.stats.connections).toBe(1)
  })

  it('reject: answers a second connection with 409 and keeps the first', async () => {
    const { server, url, port } = await start<AnyEvents, User>({
      authenticate: byToken,
      duplicate: 'reject',
    })
    const first = await connect(`${url}?token=alice-1`)
    const res = await tryUpgrade(port, '/?token=alice-2')
    expect(res.status).toBe(409)
    expect(res.body).toBe('Already connected with this identity')
    expect(first.readyState).toBe(WebSocket.OPEN)
    expect(server.stats.refused.duplicate).toBe(1)
    const gone = nextEvent(server, 'disconnect')
    first.close()
    await gone
    expect((await tryUpgrade(port, '/?token=alice-3')).status).toBe(101)
  })

  it('identity(key): emits to the client holding a key and locates it; nowhere is undefined', async () => {
    const { server, url } = await start<AnyEvents, User>({ authenticate: byToken })
    const alice = await connect(`${url}?token=alice-1`)
    const box = inbox(alice)
    expect(server.identity('alice').emit('notice', 'hi')).toBe(1)
    expect(server.identity('bob').emit('notice', 'hi')).toBe(0)
    await box.waitFor(1)
    expect(box.messages).toEqual(['{"type":"notice","data":"hi"}'])
    expect(await server.identity('alice').locate()).toEqual({ instance: 'local', present: true })
    expect(await server.identity('bob').locate()).toBeUndefined()
    expect(() => server.identity('')).toThrow(/the key must be a non-empty string.*client\.key/)
  })
})
