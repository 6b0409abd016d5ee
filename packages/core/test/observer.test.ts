import { describe, expect, it, vi } from 'vitest'
import {
  createConnection,
  createConnectionObserver,
  createWebSocketObserver,
  ReadyState,
  sharedConnectionCount,
} from '../src'
import { mockServer, TestSocket, tick, useFakeClock } from './support'

const connect = useFakeClock()
const base = { WebSocket: TestSocket, batch: 'sync' } as const

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

  it("keeps a shared socket on its provider when its creator moves to another url: the others' retries still connect", async () => {
    const server = mockServer()
    const provider = () => server.url
    const options = { ...base, share: true, reconnectInterval: 10, linger: 100 }
    const errors: string[] = []
    const creator = createWebSocketObserver(provider, options)
    const other = createWebSocketObserver(provider, {
      ...options,
      onError: (e) => errors.push(e.code),
    })
    const offCreator = creator.subscribe(() => {})
    const offOther = other.subscribe(() => {})
    await tick()
    // The creator lets go (a logged-out widget); the other component stays on the socket…
    creator.setOptions(null, options)
    server.last.close({ code: 1012, reason: 'restart', wasClean: true })
    await tick(100)
    // …and its retry asks the provider the socket was made for, not the creator's null.
    expect(errors).toEqual([])
    expect(other.getSnapshot().status).toBe('open')
    expect(server.clients).toHaveLength(2)
    offCreator()
    offOther()
    await tick(200)
    expect(sharedConnectionCount()).toBe(0)
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

describe('connection observer', () => {
  it('follows a connection made elsewhere without owning it: unsubscribing leaves it open', async () => {
    const server = mockServer()
    const c = connect<{ t: string }>(server.url)
    await tick()
    const o = createConnectionObserver(c)
    // Before any subscriber: the connection's state, no message from before this observer.
    server.last.send('{"t":"early"}')
    expect(o.getSnapshot()).toMatchObject({ readyState: ReadyState.OPEN, lastMessage: null })
    expect(o.getSnapshot()).toBe(o.getSnapshot())
    const listener = vi.fn()
    const off = o.subscribe(listener)
    server.last.send('{"t":"a"}')
    expect(listener).toHaveBeenCalled()
    expect(o.getSnapshot().lastJsonMessage).toEqual({ t: 'a' })
    expect(o.sendJsonMessage({ t: 'out' })).toBe(true)
    await tick()
    expect(server.received).toEqual(['{"t":"out"}'])
    off()
    await tick(2_000)
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
    expect(server.clients).toHaveLength(1)
    expect(o.getServerSnapshot().readyState).toBe(ReadyState.UNINSTANTIATED)
  })

  it('each observer has its own filter and callbacks, removed on its last unsubscribe', async () => {
    const server = mockServer()
    const c = connect<{ t: string }>(server.url)
    const seenA = vi.fn()
    const seenB = vi.fn()
    const opened = vi.fn()
    const a = createConnectionObserver(c, {
      filter: (_e, json) => json?.t === 'a',
      onMessage: seenA,
      onOpen: opened,
    })
    const b = createConnectionObserver(c, {
      filter: (_e, json) => json?.t === 'b',
      onMessage: seenB,
    })
    const offA = a.subscribe(() => {})
    const offB = b.subscribe(() => {})
    await tick()
    expect(opened).toHaveBeenCalledTimes(1)
    server.last.send('{"t":"a"}')
    server.last.send('{"t":"b"}')
    expect(a.getSnapshot().lastJsonMessage).toEqual({ t: 'a' })
    expect(b.getSnapshot().lastJsonMessage).toEqual({ t: 'b' })
    expect(seenA).toHaveBeenCalledTimes(2)
    offA()
    server.last.send('{"t":"b"}')
    expect(seenA).toHaveBeenCalledTimes(2)
    expect(seenB).toHaveBeenCalledTimes(3)
    offB()
  })

  it('uses the newest options, and moves to another connection given in setOptions', async () => {
    const server = mockServer()
    const other = mockServer()
    const first = connect(server.url)
    const second = connect(other.url)
    const old = vi.fn()
    const next = vi.fn()
    const o = createConnectionObserver(first, { onMessage: old })
    const listener = vi.fn()
    o.subscribe(listener)
    await tick()
    o.setOptions(first, { onMessage: next })
    server.last.send('1')
    expect(old).not.toHaveBeenCalled()
    expect(next).toHaveBeenCalledTimes(1)
    o.setOptions(second, { onMessage: next })
    server.last.send('2') // the old connection: no longer this observer's
    other.last.send('3')
    expect(next.mock.calls.map(([e]) => e.data)).toEqual(['1', '3'])
    expect(o.getSnapshot().lastMessage?.data).toBe('3')
    expect(o.getConnection()).toBe(second)
    expect(first.getSnapshot().readyState).toBe(ReadyState.OPEN)
  })

  it('open() and close() act on the connection itself: what every observer on it shows', async () => {
    const server = mockServer()
    const c = connect(server.url, { connect: false })
    const a = createConnectionObserver(c)
    const b = createConnectionObserver(c)
    a.subscribe(() => {})
    b.subscribe(() => {})
    await tick()
    // Subscribing does not connect a connection made with connect: false.
    expect(server.clients).toHaveLength(0)
    a.open()
    await tick()
    expect(b.getSnapshot().status).toBe('open')
    b.close()
    await tick()
    expect(a.getSnapshot()).toMatchObject({ status: 'stopped', stopped: { reason: 'manual' } })
  })

  it('a connection disposed under it: shows what the connection shows, and lets go quietly', async () => {
    const server = mockServer()
    const c = connect(server.url)
    const o = createConnectionObserver(c)
    const off = o.subscribe(() => {})
    await tick()
    c.dispose()
    await tick()
    // Whatever core's dispose leaves in the snapshot (issue #13: 'stopped'), this view agrees.
    const { readyState, status } = c.getSnapshot()
    expect(o.getSnapshot()).toMatchObject({ readyState, status })
    expect(off).not.toThrow()
    expect(o.sendMessage('gone')).toBe(false)
  })

  it('names the problem when given something else than a connection', () => {
    expect(() => createConnectionObserver(null as never)).toThrow(
      /expected a connection from createConnection\(\), got null/,
    )
    const o = createConnectionObserver(createConnection(null))
    expect(() => o.setOptions('ws://x' as never)).toThrow(/got string/)
  })
})
