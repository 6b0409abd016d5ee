import { describe, expect, it, vi } from 'vitest'
import { createWebSocketObserver, ReadyState, sharedConnectionCount } from '../src'
import { mockServer, TestSocket, tick, useFakeClock } from './support'

useFakeClock()
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
