// Behaviour the framework bindings rely on, found while writing @tethered/vue.
import { describe, expect, it } from 'vitest'
import { createWebSocketObserver, ReadyState } from '../src'
import { mockServer, TestSocket, tick, useFakeClock } from './support'

useFakeClock()
const base = { WebSocket: TestSocket, batch: 'sync' } as const

describe('observer.open() without a subscriber', () => {
  it('opens nothing after the last subscriber left (a stale call after unmount leaks no socket)', async () => {
    const server = mockServer()
    const observer = createWebSocketObserver(server.url, base)
    const off = observer.subscribe(() => {})
    await tick()
    expect(server.clients).toHaveLength(1)
    off()
    await tick()
    expect(observer.getConnection()).toBeNull()

    observer.open()
    await tick()
    expect(observer.getConnection()).toBeNull()
    expect(server.clients).toHaveLength(1)
    expect(observer.getSnapshot().readyState).toBe(ReadyState.UNINSTANTIATED)
  })

  it('is remembered: with connect: false, the next subscriber connects', async () => {
    const server = mockServer()
    const observer = createWebSocketObserver(server.url, { ...base, connect: false })
    observer.open()
    await tick()
    expect(server.clients).toHaveLength(0)
    const off = observer.subscribe(() => {})
    await tick()
    expect(server.clients).toHaveLength(1)
    expect(observer.getSnapshot().readyState).toBe(ReadyState.OPEN)
    off()
    await tick()
    expect(observer.getConnection()).toBeNull()
  })
})
