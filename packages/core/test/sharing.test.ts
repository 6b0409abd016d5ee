import { describe, expect, it, vi } from 'vitest'
import { acquireShared, createWebSocketObserver, ReadyState, sharedConnectionCount } from '../src'
import { mockServer, TestSocket, tick, useFakeClock } from './support'

useFakeClock()
const base = { WebSocket: TestSocket, batch: 'sync' } as const

describe('shared connections', () => {
  it('hand one ref-counted socket to everyone with the same url + protocols', async () => {
    const server = mockServer()
    const a = acquireShared(server.url, base)
    const b = acquireShared(server.url, base)
    const other = acquireShared(server.url, { ...base, protocols: 'v2' })
    await tick()
    expect(a.connection).toBe(b.connection)
    expect(other.connection).not.toBe(a.connection)
    expect(server.clients).toHaveLength(2)
    a.release()
    a.release() // twice is once
    other.release()
    await tick(5_000)
    expect(b.connection.getSnapshot().readyState).toBe(ReadyState.OPEN)
    b.release()
    await tick(999)
    expect(b.connection.getSnapshot().readyState).toBe(ReadyState.OPEN)
    await tick(1)
    expect(b.connection.getWebSocket()).toBeNull()
    expect(sharedConnectionCount()).toBe(0)
  })

  it('keep the socket when a new user comes within the linger', async () => {
    const server = mockServer()
    const first = acquireShared(server.url, base, 500)
    await tick()
    first.release()
    await tick(400)
    const second = acquireShared(server.url, base, 500)
    await tick(1_000)
    expect(second.connection).toBe(first.connection)
    expect(server.clients).toHaveLength(1)
    expect(second.connection.getSnapshot().readyState).toBe(ReadyState.OPEN)
    second.release()
    await tick(500)
  })

  it('reconnect a connection that stopped for a new user; the users there see it open', async () => {
    const server = mockServer()
    const options = { ...base, reconnectAttempts: 2, reconnectInterval: 10 }
    const first = acquireShared(server.url, options)
    await tick()
    server.last.close({ code: 1000, reason: 'bye', wasClean: true })
    await tick()
    expect(first.connection.getSnapshot()).toMatchObject({
      status: 'stopped',
      stopped: { reason: 'policy', code: 1000 },
    })
    // While the first user is still there…
    const second = acquireShared(server.url, options)
    await tick()
    expect(second.connection).toBe(first.connection)
    expect(first.connection.getSnapshot().status).toBe('open')
    expect(server.clients).toHaveLength(2)
    // …and within the linger after the last one left, here once the attempts ran out.
    first.release()
    second.release()
    server.refuse()
    server.last.close({ code: 1012, reason: 'restart', wasClean: true })
    await tick(100)
    expect(first.connection.getSnapshot()).toMatchObject({
      status: 'stopped',
      stopped: { reason: 'attempts' },
    })
    server.refuse(false)
    const third = acquireShared(server.url, options)
    expect(third.connection).toBe(first.connection)
    await tick()
    expect(third.connection.getSnapshot().status).toBe('open')
    expect(server.clients).toHaveLength(3)
    third.release()
    await tick(1_000)
  })

  it('reopen after a manual close() by one user when another user arrives', async () => {
    const server = mockServer()
    const a = acquireShared(server.url, base)
    const b = acquireShared(server.url, base)
    await tick()
    // One socket: a close by one of its users closes it for all of them…
    a.connection.close()
    await tick()
    expect(b.connection.getSnapshot()).toMatchObject({
      status: 'stopped',
      stopped: { reason: 'manual', code: 1000 },
    })
    // …and the next user to arrive opens it again, as it would open a socket of its own.
    const c = acquireShared(server.url, base)
    await tick()
    expect(b.connection.getSnapshot().status).toBe('open')
    expect(server.clients).toHaveLength(2)
    for (const lease of [a, b, c]) lease.release()
    await tick(1_000)
  })
  it('reopen for a user who arrives while a manual close() is still closing', async () => {
    const server = mockServer()
    const a = acquireShared(server.url, base)
    await tick()
    a.connection.close()
    expect(a.connection.getSnapshot().status).toBe('closing')
    const b = acquireShared(server.url, base)
    await tick(5_000)
    expect(b.connection.getSnapshot().status).toBe('open')
    expect(server.clients).toHaveLength(2)
    a.release()
    b.release()
    await tick(1_000)
  })
})

describe('observer', () => {
  it('opens one socket across a subscribe → unsubscribe → subscribe in one task (StrictMode)', async () => {
    const server = mockServer()
    const o = createWebSocketObserver(server.url, base)
    expect(o.getSnapshot().readyState).toBe(ReadyState.UNINSTANTIATED)
    const off = o.subscribe(() => {})
    off()
    const off2 = o.subscribe(() => {})
    await tick()
    expect(server.clients).toHaveLength(1)
    expect(o.getSnapshot().readyState).toBe(ReadyState.OPEN)
    off2()
    await tick()
    expect(o.getSnapshot().readyState).toBe(ReadyState.UNINSTANTIATED)
    expect(o.getWebSocket()).toBeNull()
  })

  it('uses the newest callbacks without reconnecting, and restarts on a url change', async () => {
    const server = mockServer()
    const other = mockServer()
    const first = vi.fn()
    const second = vi.fn()
    const o = createWebSocketObserver(server.url, { ...base, onMessage: first })
    o.subscribe(() => {})
    await tick()
    o.setOptions(server.url, { ...base, onMessage: second })
    server.last.send('1')
    expect(first).not.toHaveBeenCalled()
    expect(second).toHaveBeenCalledTimes(1)
    o.setOptions(other.url, { ...base, onMessage: second })
    await tick()
    expect(server.clients).toHaveLength(1)
    expect(other.clients).toHaveLength(1)
    server.last.send('2') // from the old socket: ignored
    other.last.send('3')
    expect(second.mock.calls.map(([e]) => e.data)).toEqual(['1', '3'])
  })

  it('filters its own lastMessage; onMessage still sees all', async () => {
    const server = mockServer()
    const all = vi.fn()
    const o = createWebSocketObserver<{ t: string }>(server.url, {
      ...base,
      filter: (_e, json) => json?.t === 'a',
      onMessage: all,
    })
    o.subscribe(() => {})
    await tick()
    server.last.send('{"t":"a"}')
    server.last.send('{"t":"b"}')
    expect(o.getSnapshot().lastJsonMessage).toEqual({ t: 'a' })
    expect(all).toHaveBeenCalledTimes(2)
  })

  it('stays closed with connect: false or a null url until asked', async () => {
    const server = mockServer()
    const o = createWebSocketObserver(server.url, { ...base, connect: false })
    o.subscribe(() => {})
    await tick()
    expect(server.clients).toHaveLength(0)
    expect(o.sendMessage('lost?')).toBe(false)
    o.open()
    await tick()
    expect(o.getSnapshot().readyState).toBe(ReadyState.OPEN)
    o.setOptions(null, base)
    expect(o.getSnapshot()).toMatchObject({
      readyState: ReadyState.UNINSTANTIATED,
      lastMessage: null,
    })
    expect(o.getServerSnapshot().readyState).toBe(ReadyState.UNINSTANTIATED)
  })

  it('shares one socket between observers given the same url provider function', async () => {
    const server = mockServer()
    const provider = vi.fn(() => server.url)
    const a = createWebSocketObserver(provider, { ...base, share: true, linger: 100 })
    const b = createWebSocketObserver(provider, { ...base, share: true, linger: 100 })
    const offA = a.subscribe(() => {})
    const offB = b.subscribe(() => {})
    await tick()
    expect(server.clients).toHaveLength(1)
    expect(provider).toHaveBeenCalledTimes(1)
    expect(a.getConnection()).toBe(b.getConnection())
    // Another function, even one returning the same url, is another key.
    const c = createWebSocketObserver(() => server.url, { ...base, share: true, linger: 100 })
    const offC = c.subscribe(() => {})
    await tick()
    expect(server.clients).toHaveLength(2)
    offA()
    offB()
    offC()
    await tick(200)
    expect(sharedConnectionCount()).toBe(0)
  })

  it('calls the newest url provider its creator was given, as an unshared one does', async () => {
    const server = mockServer()
    const other = mockServer()
    const o = createWebSocketObserver(() => server.url, {
      ...base,
      share: true,
      reconnectInterval: 10,
    })
    const off = o.subscribe(() => {})
    await tick()
    // A re-render with a new provider (a new token, say) keeps the socket…
    o.setOptions(() => other.url, { ...base, share: true, reconnectInterval: 10 })
    expect(other.clients).toHaveLength(0)
    // …and the next attempt asks the new one.
    server.last.close({ code: 1012, reason: 'restart', wasClean: true })
    await tick(100)
    expect(other.clients).toHaveLength(1)
    expect(o.getSnapshot().status).toBe('open')
    off()
    await tick(1_100)
  })

  it('shares one socket between observers and releases it after the last one leaves', async () => {
    const server = mockServer()
    const a = createWebSocketObserver(server.url, { ...base, share: true, linger: 100 })
    const b = createWebSocketObserver(server.url, { ...base, share: true, linger: 100 })
    const offA = a.subscribe(() => {})
    const offB = b.subscribe(() => {})
    await tick()
    expect(server.clients).toHaveLength(1)
    offA()
    await tick(500)
    expect(b.getSnapshot().readyState).toBe(ReadyState.OPEN)
    offB()
    await tick(200)
    expect(sharedConnectionCount()).toBe(0)
  })
})
