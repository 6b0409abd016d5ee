import { renderHook } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import useWebSocket, { type Options, ReadyState } from '../../src/compat'
import { mockServer, tick } from './support'

// Each react-use-websocket option of `@tethered/react/compat`, and its default.

const closeFromServer = (server: ReturnType<typeof mockServer>, code = 1006) =>
  server.last.close({ code, reason: '', wasClean: false })

describe('the url and connect', () => {
  it('connect = false stays UNINSTANTIATED; true connects; false again shows CLOSED', async () => {
    const server = mockServer()
    const { result, rerender } = renderHook(({ on }) => useWebSocket(server.url, {}, on), {
      initialProps: { on: false },
    })
    await tick()
    expect([result.current.readyState, server.clients.length]).toEqual([
      ReadyState.UNINSTANTIATED,
      0,
    ])
    rerender({ on: true })
    expect(result.current.readyState).toBe(ReadyState.CONNECTING)
    await tick()
    expect(result.current.readyState).toBe(ReadyState.OPEN)
    rerender({ on: false })
    expect(result.current.readyState).toBe(ReadyState.CLOSED)
  })

  it('a null url opens nothing', async () => {
    const { result } = renderHook(() => useWebSocket(null))
    await tick()
    expect(result.current.readyState).toBe(ReadyState.UNINSTANTIATED)
  })

  it('a url function returning a promise is awaited; an inline one does not reconnect per render', async () => {
    const server = mockServer()
    const { result, rerender } = renderHook(() =>
      useWebSocket(
        () => new Promise<string>((resolve) => setTimeout(() => resolve(server.url), 100)),
      ),
    )
    expect(result.current.readyState).toBe(ReadyState.CONNECTING)
    await tick(110)
    expect(result.current.readyState).toBe(ReadyState.OPEN)
    rerender()
    await tick(200)
    expect(server.clients).toHaveLength(1)
  })

  it('queryParams are appended, URL-encoded; protocols reach the socket', async () => {
    const server = mockServer()
    const { result } = renderHook(() =>
      useWebSocket(server.url, { queryParams: { q: 'a b', id: 5 }, protocols: 'chat' }),
    )
    await tick()
    const ws = result.current.getWebSocket() as WebSocket
    expect(ws.url).toBe(`${server.url}/?q=a+b&id=5`)
    expect(ws.protocol).toBe('chat')
  })
})

describe('reconnecting', () => {
  it('off without shouldReconnect (the default): a dropped socket stays CLOSED', async () => {
    const server = mockServer()
    const { result } = renderHook(() => useWebSocket(server.url))
    await tick()
    closeFromServer(server)
    await tick(60_000)
    expect([result.current.readyState, server.clients.length]).toEqual([ReadyState.CLOSED, 1])
  })

  it('shouldReconnect gets the CloseEvent and decides; reconnectInterval defaults to 5000 ms', async () => {
    const server = mockServer()
    const shouldReconnect = vi.fn((event: CloseEvent) => event.code !== 4000)
    renderHook(() => useWebSocket(server.url, { shouldReconnect }))
    await tick()
    closeFromServer(server, 1006)
    await tick(4_990)
    expect(server.clients).toHaveLength(1)
    await tick(20)
    expect(server.clients).toHaveLength(2)
    expect(shouldReconnect.mock.calls[0]?.[0]).toBeInstanceOf(CloseEvent)
    expect(shouldReconnect.mock.calls[0]?.[0].code).toBe(1006)
    closeFromServer(server, 4000)
    await tick(10_000)
    expect(server.clients).toHaveLength(2)
  })

  it('reconnectInterval as a function gets the retry number from 0', async () => {
    const server = mockServer()
    server.server.on('connection', (socket) =>
      socket.close({ code: 1006, reason: '', wasClean: false }),
    )
    const reconnectInterval = vi.fn((attempt: number) => 100 * (attempt + 1))
    renderHook(() =>
      useWebSocket(server.url, {
        shouldReconnect: () => true,
        reconnectInterval,
        reconnectAttempts: 3,
      }),
    )
    await tick(1_000)
    expect(reconnectInterval.mock.calls.map(([n]) => n)).toEqual([0, 1, 2])
  })

  it('reconnectAttempts (default 20) then onReconnectStop(reconnectAttempts)', async () => {
    const server = mockServer()
    const onReconnectStop = vi.fn()
    const options: Options = { shouldReconnect: () => true, reconnectInterval: 10, onReconnectStop }
    renderHook(() => useWebSocket(server.url, options))
    await tick()
    server.server.on('connection', (socket) =>
      socket.close({ code: 1006, reason: '', wasClean: false }),
    )
    closeFromServer(server)
    await tick(2_000)
    expect(onReconnectStop.mock.calls).toEqual([[20]])
    expect(server.clients).toHaveLength(21)
  })

  it('retryOnError: an error event is retried without shouldReconnect; off, it is not', async () => {
    for (const retryOnError of [false, true]) {
      const server = mockServer()
      const { result } = renderHook(() =>
        useWebSocket(server.url, { retryOnError, reconnectInterval: 100 }),
      )
      await tick()
      server.server.emit('error', null)
      closeFromServer(server, 1000)
      await tick(200)
      expect([retryOnError, server.clients.length]).toEqual([retryOnError, retryOnError ? 2 : 1])
      expect(result.current.readyState).toBe(retryOnError ? ReadyState.OPEN : ReadyState.CLOSED)
    }
  })

  it('retryOnError retries a url function that throws, showing CONNECTING meanwhile', async () => {
    const server = mockServer()
    let failures = 2
    const url = () => (failures-- > 0 ? Promise.reject(new Error('no token')) : server.url)
    const onClose = vi.fn()
    const { result } = renderHook(() =>
      useWebSocket(url, { retryOnError: true, reconnectInterval: 100, onClose }),
    )
    await tick(150)
    expect(result.current.readyState).toBe(ReadyState.CONNECTING)
    await tick(100)
    expect(result.current.readyState).toBe(ReadyState.OPEN)
    // A url that failed closed no socket: no onClose, as in react-use-websocket.
    expect(onClose).not.toHaveBeenCalled()
  })

  it('without retryOnError a failing url function leaves it CLOSED', async () => {
    const { result } = renderHook(() =>
      useWebSocket(() => Promise.reject(new Error('no token')), { reconnectInterval: 100 }),
    )
    await tick(500)
    expect(result.current.readyState).toBe(ReadyState.CLOSED)
  })
})

describe('messages', () => {
  it('lastJsonMessage is the parsed message; disableJson leaves it null', async () => {
    for (const disableJson of [false, true]) {
      const server = mockServer()
      const { result } = renderHook(() => useWebSocket<{ a: number }>(server.url, { disableJson }))
      await tick()
      server.last.send('{"a":1}')
      expect(result.current.lastMessage?.data).toBe('{"a":1}')
      expect(result.current.lastJsonMessage).toEqual(disableJson ? null : { a: 1 })
    }
  })

  it('filter: only accepted messages move lastMessage; onMessage sees every one', async () => {
    const server = mockServer()
    const onMessage = vi.fn()
    const { result } = renderHook(() =>
      useWebSocket(server.url, { filter: (m) => m.data !== 'noise', onMessage }),
    )
    await tick()
    server.last.send('signal')
    server.last.send('noise')
    expect(result.current.lastMessage?.data).toBe('signal')
    expect(onMessage.mock.calls.map(([event]) => event.data)).toEqual(['signal', 'noise'])
  })

  it('sendMessage before open is kept (keep, the default) and sent on open; keep false drops it', async () => {
    const server = mockServer()
    const { result } = renderHook(() => useWebSocket(server.url))
    result.current.sendMessage('one')
    result.current.sendMessage('lost', false)
    result.current.sendJsonMessage({ two: 2 })
    await tick()
    result.current.sendMessage('three')
    await tick()
    expect(server.received).toEqual(['one', '{"two":2}', 'three'])
  })
})

describe('share', () => {
  it('true: one socket for every component on the url, each with its own lastMessage and filter', async () => {
    const server = mockServer()
    const a = renderHook(() => useWebSocket(server.url, { share: true }))
    const b = renderHook(() =>
      useWebSocket(server.url, { share: true, filter: (m) => m.data === 'for b' }),
    )
    await tick()
    expect(server.clients).toHaveLength(1)
    server.last.send('for a')
    expect([a.result.current.lastMessage?.data, b.result.current.lastMessage]).toEqual([
      'for a',
      null,
    ])
  })

  it('a url function shared by two components: the one left keeps reconnecting when the other gets a null url', async () => {
    const server = mockServer()
    const url = () => server.url
    const options = { share: true, shouldReconnect: () => true, reconnectInterval: 10 }
    const first = renderHook(({ on }) => useWebSocket(on ? url : null, options), {
      initialProps: { on: true },
    })
    const second = renderHook(() => useWebSocket(url, options))
    await tick()
    expect(server.clients).toHaveLength(1)
    first.rerender({ on: false })
    closeFromServer(server)
    await tick(100)
    expect(second.result.current.readyState).toBe(ReadyState.OPEN)
    expect(server.clients).toHaveLength(2)
  })

  it('getWebSocket of a shared socket ignores close() and on* handlers', async () => {
    const server = mockServer()
    const { result } = renderHook(() => useWebSocket(server.url, { share: true }))
    await tick()
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const ws = result.current.getWebSocket() as WebSocket
    ws.close()
    ws.onmessage = () => {}
    await tick()
    expect(result.current.readyState).toBe(ReadyState.OPEN)
    expect(ws.readyState).toBe(WebSocket.OPEN)
    expect(error).toHaveBeenCalledWith('shared socket: use sendMessage')
    error.mockClear()
  })

  it('false (the default): a socket per component, closed as the component unmounts', async () => {
    const server = mockServer()
    const a = renderHook(() => useWebSocket(server.url))
    renderHook(() => useWebSocket(server.url))
    await tick()
    expect(server.clients).toHaveLength(2)
    const ws = a.result.current.getWebSocket() as WebSocket
    expect(ws).toBeInstanceOf(WebSocket)
    a.unmount()
    expect(ws.readyState).toBe(WebSocket.CLOSING)
  })
})

describe('heartbeat', () => {
  it('true: "ping" after 25 s of silence, every 25 s while it lasts; dead 60 s after the last message', async () => {
    const server = mockServer()
    const onClose = vi.fn()
    renderHook(() => useWebSocket(server.url, { heartbeat: true, onClose }))
    await tick()
    await tick(25_000)
    expect(server.received).toEqual(['ping'])
    await tick(25_000)
    expect(server.received).toEqual(['ping', 'ping'])
    expect(onClose).not.toHaveBeenCalled()
    await tick(10_000)
    expect(onClose.mock.calls[0]?.[0].code).toBe(1006)
  })

  it('a message resets the silence; the pings go on only while it lasts', async () => {
    const server = mockServer()
    renderHook(() => useWebSocket(server.url, { heartbeat: { interval: 1_000, timeout: 10_000 } }))
    await tick()
    for (let i = 0; i < 5; i++) {
      await tick(600)
      server.last.send('news')
    }
    expect(server.received).toEqual([])
    await tick(1_100)
    expect(server.received).toEqual(['ping'])
  })

  it('timeout at or under interval: pinged once at interval, and declared dead then', async () => {
    const server = mockServer()
    const onClose = vi.fn()
    renderHook(() =>
      useWebSocket(server.url, { heartbeat: { interval: 1_000, timeout: 500 }, onClose }),
    )
    await tick()
    await tick(900)
    expect(onClose).not.toHaveBeenCalled()
    await tick(200)
    expect(server.received).toEqual(['ping'])
    expect(onClose).toHaveBeenCalledTimes(1)
  })
})
