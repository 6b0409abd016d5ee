import { renderHook } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { useWebSocket } from '../../src/compat'
import { mockServer, tick } from './support'

// The callbacks get react-use-websocket's arguments: the socket's own events.

describe('callback arguments', () => {
  it('onOpen(Event), onMessage(MessageEvent), onClose(CloseEvent)', async () => {
    const server = mockServer()
    const onOpen = vi.fn()
    const onMessage = vi.fn()
    const onClose = vi.fn()
    renderHook(() => useWebSocket(server.url, { onOpen, onMessage, onClose }))
    await tick()
    server.last.send('hi')
    server.last.close({ code: 4001, reason: 'bye', wasClean: true })
    await tick()
    // mock-socket's own event classes: the socket's events, passed as they are.
    expect(onOpen.mock.calls[0]?.[0].type).toBe('open')
    expect(onMessage.mock.calls[0]?.[0].data).toBe('hi')
    expect(onMessage.mock.calls[0]?.[0].type).toBe('message')
    const close = onClose.mock.calls[0]?.[0] as CloseEvent
    expect([close.type, close.code, close.reason]).toEqual(['close', 4001, 'bye'])
  })

  it('onError gets the socket’s error event, and only socket errors', async () => {
    const server = mockServer()
    const onError = vi.fn()
    renderHook(() => useWebSocket(server.url, { onError }))
    await tick()
    // Not JSON: core reports a parse error, which is no socket error.
    server.last.send('not json')
    expect(onError).not.toHaveBeenCalled()
    server.server.emit('error', null)
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0]?.[0].type).toBe('error')
  })

  it('onClose gets a CloseEvent of code 1006 for a socket the heartbeat declared dead', async () => {
    const server = mockServer()
    const onClose = vi.fn()
    renderHook(() =>
      useWebSocket(server.url, { onClose, heartbeat: { interval: 1_000, timeout: 3_000 } }),
    )
    await tick()
    await tick(3_100)
    expect(onClose).toHaveBeenCalledTimes(1)
    const close = onClose.mock.calls[0]?.[0] as CloseEvent
    expect(close).toBeInstanceOf(CloseEvent)
    expect(close.code).toBe(1006)
  })

  it('onReconnectStop(numAttempts) when retries are used up, not when shouldReconnect says no', async () => {
    const server = mockServer()
    server.server.on('connection', (socket) =>
      socket.close({ code: 1006, reason: '', wasClean: false }),
    )
    const stops = [vi.fn(), vi.fn()]
    for (const [i, onReconnectStop] of stops.entries()) {
      renderHook(() =>
        useWebSocket(server.url, {
          shouldReconnect: () => i === 1,
          reconnectAttempts: 2,
          reconnectInterval: 10,
          onReconnectStop,
        }),
      )
    }
    await tick(200)
    expect(stops[0]).not.toHaveBeenCalled()
    expect(stops[1]?.mock.calls).toEqual([[2]])
  })

  it('the latest callbacks are called, without reconnecting', async () => {
    const server = mockServer()
    const first = vi.fn()
    const second = vi.fn()
    const { rerender } = renderHook(({ onMessage }) => useWebSocket(server.url, { onMessage }), {
      initialProps: { onMessage: first },
    })
    await tick()
    rerender({ onMessage: second })
    server.last.send('x')
    expect([first.mock.calls.length, second.mock.calls.length, server.clients.length]).toEqual([
      0, 1, 1,
    ])
  })

  it('renders each message at once (flushSync), as react-use-websocket does', async () => {
    const server = mockServer()
    const { result } = renderHook(() => useWebSocket(server.url))
    await tick()
    for (const data of ['a', 'b', 'c']) {
      server.last.send(data)
      expect(result.current.lastMessage?.data).toBe(data)
    }
  })
})
