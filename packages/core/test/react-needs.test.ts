// Behaviour the React binding relies on, found while writing @tethered/react.
import { describe, expect, it, vi } from 'vitest'
import { createWebSocketObserver } from '../src'
import { mockServer, TestSocket, tick, useFakeClock } from './support'

useFakeClock()
const base = { WebSocket: TestSocket, batch: 'sync' } as const

describe('observer callbacks after the last subscriber left', () => {
  for (const share of [false, true]) {
    it(`do not run while the release waits (an unmounted component's onMessage)${share ? ', shared' : ''}`, async () => {
      const server = mockServer()
      const onMessage = vi.fn()
      const onClose = vi.fn()
      const observer = createWebSocketObserver(server.url, { ...base, share, onMessage, onClose })
      const off = observer.subscribe(() => {})
      await tick()
      server.last.send('"before"')
      expect(onMessage).toHaveBeenCalledTimes(1)

      off()
      // The socket is still there for a macrotask (a StrictMode remount keeps it)...
      expect(observer.getConnection()).not.toBeNull()
      server.last.send('"after"')
      // ...but nobody owns the callbacks any more.
      expect(onMessage).toHaveBeenCalledTimes(1)
      await tick()
      expect(observer.getConnection()).toBeNull()
      expect(onClose).not.toHaveBeenCalled()
    })
  }

  it('run again after a remount in the same task (StrictMode)', async () => {
    const server = mockServer()
    const onMessage = vi.fn()
    const observer = createWebSocketObserver(server.url, { ...base, onMessage })
    observer.subscribe(() => {})()
    const off = observer.subscribe(() => {})
    await tick()
    expect(server.clients).toHaveLength(1)
    server.last.send('"hello"')
    expect(onMessage).toHaveBeenCalledTimes(1)
    off()
    await tick()
  })
})

describe('observer callbacks see what fails at once', () => {
  for (const share of [false, true]) {
    it(`onError hears an invalid url${share ? ' (shared)' : ''}`, async () => {
      const onError = vi.fn()
      const observer = createWebSocketObserver('ftp://example.com/', { ...base, share, onError })
      const off = observer.subscribe(() => {})
      expect(onError).toHaveBeenCalledTimes(1)
      expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'INVALID_URL' })
      expect(observer.getSnapshot().error?.code).toBe('INVALID_URL')
      off()
      await tick()
    })
  }

  it('onError hears that there is no WebSocket constructor', async () => {
    const onError = vi.fn()
    const observer = createWebSocketObserver('ws://localhost:1/', { batch: 'sync', onError })
    const WebSocket = (globalThis as { WebSocket?: unknown }).WebSocket
    vi.stubGlobal('WebSocket', undefined)
    try {
      const off = observer.subscribe(() => {})
      expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'NO_WEBSOCKET' })
      off()
    } finally {
      vi.stubGlobal('WebSocket', WebSocket)
    }
    await tick()
  })

  it('a shared socket is opened once, whoever joins', async () => {
    const server = mockServer()
    const a = createWebSocketObserver(server.url, { ...base, share: true })
    const b = createWebSocketObserver(server.url, { ...base, share: true })
    const offA = a.subscribe(() => {})
    const offB = b.subscribe(() => {})
    await tick()
    expect(server.clients).toHaveLength(1)
    expect(b.getSnapshot().readyState).toBe(1)
    offA()
    offB()
    await tick(2_000)
  })
})
