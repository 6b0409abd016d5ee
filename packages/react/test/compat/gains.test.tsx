import { renderHook } from '@testing-library/react'
import { StrictMode } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { ReadyState, useWebSocket } from '../../src/compat'
import { MockWebSocket, mockServer, tick } from './support'

// What swapping only the import gains: Tethered's engine under react-use-websocket's API.

/** The global WebSocket, counting what is made; `dead` sockets never finish closing (a dead network). */
function countSockets(dead = false) {
  const made: MockWebSocket[] = []
  class Counting extends MockWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols)
      made.push(this)
    }
    override close(code?: number, reason?: string) {
      if (!dead) super.close(code, reason)
    }
  }
  vi.stubGlobal('WebSocket', Counting)
  return made
}

describe('gains of the compat entry', () => {
  for (const share of [false, true]) {
    it(`opens one socket under StrictMode${share ? ' (shared)' : ''}`, async () => {
      const server = mockServer()
      const made = countSockets()
      const { result } = renderHook(() => useWebSocket(server.url, { share }), {
        wrapper: StrictMode,
      })
      await tick()
      expect(result.current.readyState).toBe(ReadyState.OPEN)
      expect([made.length, server.clients.length]).toEqual([1, 1])
    })
  }

  it('ignores late events of a superseded socket', async () => {
    const a = mockServer()
    const b = mockServer()
    const onMessage = vi.fn()
    const { result, rerender } = renderHook(({ url }) => useWebSocket(url, { onMessage }), {
      initialProps: { url: a.url },
    })
    await tick()
    const old = a.last
    rerender({ url: b.url })
    await tick()
    old.send('late, from the old socket')
    b.last.send('new')
    old.send('later still')
    expect(result.current.lastMessage?.data).toBe('new')
    expect(onMessage.mock.calls.map(([event]) => event.data)).toEqual(['new'])
  })

  it('a heartbeat deadline lets a half-open socket go at once and reconnects', async () => {
    const server = mockServer()
    const made = countSockets(true)
    const onClose = vi.fn()
    const { result } = renderHook(() =>
      useWebSocket(server.url, {
        heartbeat: { interval: 1_000, timeout: 3_000 },
        shouldReconnect: () => true,
        reconnectInterval: 100,
        onClose,
      }),
    )
    await tick()
    // The server stays silent and the socket cannot close: nothing arrives, ever.
    await tick(2_990)
    expect([made.length, onClose.mock.calls.length]).toEqual([1, 0])
    expect(server.received).toEqual(['ping', 'ping'])
    await tick(20)
    // Declared dead 3 s after the last message, without waiting for a close event.
    expect(onClose.mock.calls[0]?.[0].code).toBe(1006)
    expect(result.current.readyState).toBe(ReadyState.CLOSED)
    await tick(110)
    expect(made).toHaveLength(2)
    expect(result.current.readyState).toBe(ReadyState.OPEN)
    expect(result.current.getWebSocket()).toBe(made[1])
  })

  it('any message counts as alive: a chatty server is never declared dead', async () => {
    const server = mockServer()
    const onClose = vi.fn()
    renderHook(() => useWebSocket(server.url, { heartbeat: { interval: 1_000, timeout: 3_000 } }))
    await tick()
    for (let i = 0; i < 10; i++) {
      server.last.send(`tick ${i}`)
      await tick(900)
    }
    expect(onClose).not.toHaveBeenCalled()
    expect(server.received).toEqual([])
  })

  it('the returnMessage reaches onMessage but never lastMessage; a message function is called per ping', async () => {
    let n = 0
    const server = mockServer({ answer: (data) => (data === 'ping 2' ? 'pong' : undefined) })
    const onMessage = vi.fn()
    const { result } = renderHook(() =>
      useWebSocket(server.url, {
        heartbeat: {
          message: () => `ping ${++n}`,
          returnMessage: 'pong',
          interval: 1_000,
          timeout: 5_000,
        },
        onMessage,
      }),
    )
    await tick()
    await tick(2_050)
    expect(server.received).toEqual(['ping 1', 'ping 2'])
    expect(onMessage.mock.calls.map(([event]) => event.data)).toEqual(['pong'])
    expect(result.current.lastMessage).toBeNull()
  })

  it('keeps at most 1,000 messages while not open, dropping the oldest', async () => {
    const server = mockServer()
    const { result } = renderHook(() => useWebSocket(server.url))
    for (let i = 0; i <= 1_000; i++) result.current.sendMessage(`m${i}`)
    await tick()
    expect(server.received).toHaveLength(1_000)
    expect(server.received[0]).toBe('m1')
  })
})
