import { act, cleanup, render, renderHook, screen, waitFor } from '@testing-library/react'
import { StrictMode, useState } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  ReadyState,
  TetheredError,
  type UrlSource,
  type UseWebSocketOptions,
  useWebSocket,
  type WebSocketConstructor,
} from '../src'
import { startServer, type TestServer } from './support/server'
import { countingWebSocket } from './support/sockets'

let server: TestServer
beforeEach(async () => {
  server = await startServer({
    reply: (text) => (text.startsWith('echo') ? `re:${text}` : undefined),
  })
})
afterEach(async () => {
  cleanup()
  await server.close()
})

describe('useWebSocket: connection', () => {
  it('connects, sends and receives', async () => {
    const { WebSocket } = countingWebSocket()
    const { result } = renderHook(() =>
      useWebSocket<{ n: number }, { a: number }>(server.url, { WebSocket }),
    )
    expect(result.current.readyState).toBe(ReadyState.CONNECTING)
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))

    expect(result.current.sendMessage('hello')).toBe(true)
    expect(result.current.sendJsonMessage({ a: 1 })).toBe(true)
    await server.until(() => server.received().length === 2, 'two messages')
    expect(server.received()).toEqual(['hello', '{"a":1}'])

    server.broadcast('{"n":1}')
    await waitFor(() => expect(result.current.lastJsonMessage).toEqual({ n: 1 }))
    expect(result.current.lastMessage?.data).toBe('{"n":1}')
    expect(result.current.getWebSocket()).not.toBeNull()
    expect(result.current.error).toBeNull()
    expect(result.current.reconnectAttempt).toBe(0)
    expect(result.current.nextReconnectAt).toBeNull()
  })

  for (const share of [false, true]) {
    it(`opens exactly one socket under StrictMode${share ? ' (shared)' : ''}`, async () => {
      const { WebSocket, made } = countingWebSocket()
      const { result } = renderHook(() => useWebSocket(server.url, { WebSocket, share }), {
        wrapper: StrictMode,
      })
      await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
      // A round trip: a second socket created at mount would have reached the server by now.
      result.current.sendMessage('echo')
      await waitFor(() => expect(result.current.lastMessage?.data).toBe('re:echo'))
      expect(made).toHaveLength(1)
      expect(server.clients).toHaveLength(1)
      expect(server.open()).toHaveLength(1)
    })
  }

  it('closes the socket on unmount', async () => {
    const { WebSocket } = countingWebSocket()
    const { result, unmount } = renderHook(() => useWebSocket(server.url, { WebSocket }), {
      wrapper: StrictMode,
    })
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
    unmount()
    await server.until(() => server.clients[0]?.closed === true, 'the socket to close')
    expect(server.clients).toHaveLength(1)
  })

  it('renders far less often than messages arrive under a flood; onMessage sees every one', async () => {
    const { WebSocket } = countingWebSocket()
    let renders = 0
    const onMessage = vi.fn()
    const { result } = renderHook(() => {
      renders++
      return useWebSocket<number>(server.url, { WebSocket, onMessage })
    })
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
    const before = renders
    for (let i = 1; i <= 500; i++) server.broadcast(String(i))
    await waitFor(() => expect(result.current.lastJsonMessage).toBe(500))
    expect(onMessage).toHaveBeenCalledTimes(500)
    expect(renders - before).toBeLessThan(100)
  })
})

describe('useWebSocket: sharing', () => {
  it('serves every user from one socket, which closes only after the last leaves and the linger', async () => {
    const { WebSocket, made } = countingWebSocket()
    const linger = 150
    const options = { WebSocket, share: true, linger }
    const first = renderHook(() => useWebSocket(server.url, options))
    const second = renderHook(() => useWebSocket(server.url, options))
    await waitFor(() => expect(second.result.current.readyState).toBe(ReadyState.OPEN))
    expect(first.result.current.readyState).toBe(ReadyState.OPEN)
    expect(made).toHaveLength(1)

    first.unmount()
    server.broadcast('"still here"')
    await waitFor(() => expect(second.result.current.lastJsonMessage).toBe('still here'))
    expect(server.open()).toHaveLength(1)

    second.unmount()
    const left = performance.now()
    expect(server.open()).toHaveLength(1)
    await server.until(() => server.open().length === 0, 'the shared socket to close')
    // Timers may fire up to a millisecond early.
    expect(performance.now() - left).toBeGreaterThanOrEqual(linger - 2)
    expect(server.clients).toHaveLength(1)
  })

  it('keeps the socket when a user comes back within the linger (a route change)', async () => {
    const { WebSocket, made } = countingWebSocket()
    const options = { WebSocket, share: true, linger: 1_000 }
    const first = renderHook(() => useWebSocket(server.url, options))
    await waitFor(() => expect(first.result.current.readyState).toBe(ReadyState.OPEN))
    first.unmount()
    const again = renderHook(() => useWebSocket(server.url, options))
    await waitFor(() => expect(again.result.current.readyState).toBe(ReadyState.OPEN))
    again.result.current.sendMessage('echo')
    await waitFor(() => expect(again.result.current.lastMessage?.data).toBe('re:echo'))
    expect(made).toHaveLength(1)
    expect(server.clients).toHaveLength(1)
  })

  it('gives each user its own filter; onMessage still sees every message', async () => {
    const { WebSocket } = countingWebSocket()
    type Msg = { kind: 'a' | 'b'; n: number }
    const onMessage = vi.fn()
    const a = renderHook(() =>
      useWebSocket<Msg>(server.url, {
        WebSocket,
        share: true,
        filter: (_event, json) => json?.kind === 'a',
        onMessage,
      }),
    )
    const all = renderHook(() => useWebSocket<Msg>(server.url, { WebSocket, share: true }))
    await waitFor(() => expect(all.result.current.readyState).toBe(ReadyState.OPEN))
    server.broadcast('{"kind":"a","n":1}')
    server.broadcast('{"kind":"b","n":2}')
    await waitFor(() => expect(all.result.current.lastJsonMessage).toEqual({ kind: 'b', n: 2 }))
    expect(a.result.current.lastJsonMessage).toEqual({ kind: 'a', n: 1 })
    expect(a.result.current.lastMessage?.data).toBe('{"kind":"a","n":1}')
    expect(onMessage).toHaveBeenCalledTimes(2)
  })
})

// A user of a shared socket whose onMessage calls setState, as components do.
function Leaving(props: {
  url: string
  WebSocket: WebSocketConstructor
  tally: { messages: number; renders: number }
}) {
  const [seen, setSeen] = useState(0)
  props.tally.renders++
  useWebSocket(props.url, {
    WebSocket: props.WebSocket,
    share: true,
    onMessage: () => {
      props.tally.messages++
      // Must not reach an unmounted component.
      setSeen((n) => n + 1)
    },
  })
  return <p>{seen}</p>
}

describe('useWebSocket: after unmount', () => {
  it('runs no callback and renders nothing for a user that left a shared socket', async () => {
    const { WebSocket } = countingWebSocket()
    const gone = { messages: 0, renders: 0 }
    const stays = renderHook(() => useWebSocket<number>(server.url, { WebSocket, share: true }))
    const leaving = render(<Leaving url={server.url} WebSocket={WebSocket} tally={gone} />)
    await waitFor(() => expect(stays.result.current.readyState).toBe(ReadyState.OPEN))
    server.broadcast('0')
    await waitFor(() => expect(gone.messages).toBe(1))

    leaving.unmount()
    const atUnmount = { ...gone }
    for (let i = 1; i <= 50; i++) server.broadcast(String(i))
    await waitFor(() => expect(stays.result.current.lastJsonMessage).toBe(50))
    expect(gone).toEqual(atUnmount)
  })

  it('stops callbacks at once when a private socket is unmounted mid-flood', async () => {
    const { WebSocket } = countingWebSocket()
    let seen = 0
    const { unmount } = renderHook(() =>
      useWebSocket(server.url, { WebSocket, onMessage: () => void seen++ }),
    )
    await server.until(() => server.clients.length === 1, 'a connection')
    const flood = setInterval(() => {
      for (let i = 0; i < 20; i++) server.broadcast('"x"')
    })
    await waitFor(() => expect(seen).toBeGreaterThan(0))
    unmount()
    const atUnmount = seen
    await server.until(() => server.open().length === 0, 'the socket to close')
    clearInterval(flood)
    expect(seen).toBe(atUnmount)
  })
})

describe('useWebSocket: stable methods', () => {
  it('keeps sendMessage, sendJsonMessage, open, close and getWebSocket across renders', async () => {
    const { WebSocket } = countingWebSocket()
    const { result, rerender } = renderHook(
      ({ n }: { n: number }) => useWebSocket(server.url, { WebSocket, queueSize: n }),
      { initialProps: { n: 1 } },
    )
    const first = result.current
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
    rerender({ n: 2 })
    server.broadcast('1')
    await waitFor(() => expect(result.current.lastJsonMessage).toBe(1))
    const last = result.current
    expect(last).not.toBe(first)
    expect(last.sendMessage).toBe(first.sendMessage)
    expect(last.sendJsonMessage).toBe(first.sendJsonMessage)
    expect(last.open).toBe(first.open)
    expect(last.close).toBe(first.close)
    expect(last.getWebSocket).toBe(first.getWebSocket)
  })

  it('returns the same object while nothing changed', async () => {
    const { WebSocket } = countingWebSocket()
    const { result, rerender } = renderHook(() => useWebSocket(server.url, { WebSocket }))
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
    const before = result.current
    rerender()
    expect(result.current).toBe(before)
  })
})

describe('useWebSocket: what restarts the connection', () => {
  type Props = { url: UrlSource; options?: UseWebSocketOptions; connect?: boolean }
  const mount = (initialProps: Props) => {
    const counting = countingWebSocket()
    const hook = renderHook(
      ({ url, options, connect }: Props) =>
        useWebSocket(url, { WebSocket: counting.WebSocket, ...options }, connect),
      { initialProps },
    )
    return { ...hook, made: counting.made }
  }
  const open = async (result: { current: { readyState: number } }) =>
    waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))

  it('a new url', async () => {
    const other = await startServer()
    try {
      const { result, rerender } = mount({ url: server.url })
      await open(result)
      rerender({ url: other.url })
      await other.until(() => other.clients.length === 1, 'a connection to the new url')
      await server.until(() => server.open().length === 0, 'the old socket to close')
      await open(result)
    } finally {
      cleanup()
      await other.close()
    }
  })

  it('connect = false closes and says so; true connects again', async () => {
    const { result, rerender } = mount({ url: server.url })
    await open(result)
    rerender({ url: server.url, connect: false })
    await server.until(() => server.open().length === 0, 'the socket to close')
    expect(result.current.readyState).toBe(ReadyState.UNINSTANTIATED)
    expect(result.current.getWebSocket()).toBeNull()
    expect(result.current.sendMessage('lost', false)).toBe(false)
    rerender({ url: server.url, connect: true })
    await open(result)
    expect(server.clients).toHaveLength(2)
  })

  it('url = null closes and says so', async () => {
    const { result, rerender } = mount({ url: server.url })
    await open(result)
    rerender({ url: null })
    await server.until(() => server.open().length === 0, 'the socket to close')
    expect(result.current.readyState).toBe(ReadyState.UNINSTANTIATED)
  })

  it('url = null or connect = false from the start opens nothing', async () => {
    const { result, made } = mount({ url: null })
    const off = mount({ url: server.url, connect: false })
    // A round trip on a third hook: the other two would have connected by now.
    const probe = mount({ url: server.url })
    await open(probe.result)
    probe.result.current.sendMessage('echo')
    await waitFor(() => expect(probe.result.current.lastMessage?.data).toBe('re:echo'))
    expect(made).toHaveLength(0)
    expect(off.made).toHaveLength(0)
    expect(server.clients).toHaveLength(1)
    expect(result.current.readyState).toBe(ReadyState.UNINSTANTIATED)
    expect(off.result.current.readyState).toBe(ReadyState.UNINSTANTIATED)
  })

  it('new protocols (an equal new array does not)', async () => {
    const { result, rerender } = mount({ url: server.url, options: { protocols: ['v1'] } })
    await open(result)
    rerender({ url: server.url, options: { protocols: ['v1'] } })
    rerender({ url: server.url, options: { protocols: ['v2'] } })
    await server.until(() => server.clients.length === 2, 'a second connection')
    expect(server.clients.map((c) => c.socket.protocol)).toEqual(['v1', 'v2'])
    await server.until(() => server.clients[0]?.closed === true, 'the first to close')
    await open(result)
  })

  it('new queryParams (an equal new object does not)', async () => {
    const { result, rerender } = mount({ url: server.url, options: { queryParams: { room: 1 } } })
    await open(result)
    rerender({ url: server.url, options: { queryParams: { room: 1 } } })
    rerender({ url: server.url, options: { queryParams: { room: 'two words' } } })
    await server.until(() => server.clients.length === 2, 'a second connection')
    expect(server.clients.map((c) => c.request.url)).toEqual(['/?room=1', '/?room=two+words'])
    await open(result)
  })

  it('not new callbacks or option objects: the latest callbacks are used', async () => {
    const calls: number[] = []
    const options = (version: number): UseWebSocketOptions => ({
      heartbeat: { interval: 60_000 },
      reconnectInterval: () => 1_000,
      filter: () => true,
      onMessage: () => calls.push(version),
      onOpen: () => calls.push(-version),
    })
    const { result, rerender, made } = mount({ url: server.url, options: options(1) })
    await open(result)
    for (let version = 2; version <= 5; version++)
      rerender({ url: server.url, options: options(version) })
    server.broadcast('"hi"')
    await waitFor(() => expect(result.current.lastJsonMessage).toBe('hi'))
    expect(calls).toEqual([-1, 5])
    expect(made).toHaveLength(1)
    expect(server.clients).toHaveLength(1)
  })
})

// Connect / send / close enabled by readyState, the first thing people build.
function Buttons({ url, WebSocket }: { url: string; WebSocket: WebSocketConstructor }) {
  const { readyState, open, close, sendMessage } = useWebSocket(url, { WebSocket })
  const isOpen = readyState === ReadyState.OPEN
  return (
    <>
      <button type="button" disabled={isOpen} onClick={open}>
        connect
      </button>
      <button type="button" disabled={!isOpen} onClick={() => sendMessage('echo')}>
        send
      </button>
      <button type="button" disabled={!isOpen} onClick={() => close()}>
        close
      </button>
    </>
  )
}

describe('useWebSocket: open and close', () => {
  it('close() closes without reconnecting; open() connects again', async () => {
    const { WebSocket } = countingWebSocket()
    const onClose = vi.fn()
    const { result } = renderHook(() =>
      useWebSocket(server.url, { WebSocket, onClose, reconnectInterval: 0 }),
    )
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
    act(() => result.current.close(4000, 'bye'))
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1))
    expect(onClose.mock.calls[0]?.[0]).toMatchObject({ code: 4000, reason: 'bye' })
    expect(result.current.readyState).toBe(ReadyState.CLOSED)
    expect(result.current.nextReconnectAt).toBeNull()
    act(() => result.current.open())
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
    expect(server.clients).toHaveLength(2)
  })

  it('open() connects with connect = false', async () => {
    const { WebSocket } = countingWebSocket()
    const { result } = renderHook(() => useWebSocket(server.url, { WebSocket }, false))
    expect(result.current.readyState).toBe(ReadyState.UNINSTANTIATED)
    act(() => result.current.open())
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
    expect(server.clients).toHaveLength(1)
  })

  it('drives button states from readyState', async () => {
    const { WebSocket } = countingWebSocket()
    render(
      <StrictMode>
        <Buttons url={server.url} WebSocket={WebSocket} />
      </StrictMode>,
    )
    const button = (name: string) => screen.getByRole<HTMLButtonElement>('button', { name })
    await waitFor(() => expect(button('send').disabled).toBe(false))
    expect(button('connect').disabled).toBe(true)
    act(() => button('close').click())
    await waitFor(() => expect(button('connect').disabled).toBe(false))
    expect(button('send').disabled).toBe(true)
  })
})

describe('useWebSocket: bad input', () => {
  it('a non-JSON message: lastMessage moves, lastJsonMessage keeps its value, onError is told', async () => {
    const { WebSocket } = countingWebSocket()
    const onError = vi.fn()
    const { result } = renderHook(() => useWebSocket(server.url, { WebSocket, onError }))
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
    server.broadcast('{"ok":true}')
    await waitFor(() => expect(result.current.lastJsonMessage).toEqual({ ok: true }))
    server.broadcast('not json')
    await waitFor(() => expect(result.current.lastMessage?.data).toBe('not json'))
    expect(result.current.lastJsonMessage).toEqual({ ok: true })
    expect(result.current.error).toBeInstanceOf(TetheredError)
    expect(result.current.error?.code).toBe('PARSE')
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0]?.[0]).toBe(result.current.error)
    expect(result.current.readyState).toBe(ReadyState.OPEN)
  })

  it('a message that cannot be serialised: false, reported, nothing sent', async () => {
    const { WebSocket } = countingWebSocket()
    const onError = vi.fn()
    const { result } = renderHook(() => useWebSocket(server.url, { WebSocket, onError }))
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
    const circular: Record<string, unknown> = {}
    circular.self = circular
    let sent = true
    act(() => {
      sent = result.current.sendJsonMessage(circular)
    })
    expect(sent).toBe(false)
    await waitFor(() => expect(result.current.error?.code).toBe('SERIALIZE'))
    expect(onError).toHaveBeenCalledTimes(1)
    result.current.sendMessage('echo')
    await waitFor(() => expect(result.current.lastMessage?.data).toBe('re:echo'))
    expect(server.received()).toEqual(['echo'])
  })

  for (const url of ['ws://[not a host', 'ftp://example.com/socket']) {
    it(`an invalid url (${url}): the error is in state, nothing throws, nothing opens`, async () => {
      const { WebSocket, made } = countingWebSocket()
      const onError = vi.fn()
      const { result } = renderHook(() => useWebSocket(url, { WebSocket, onError }))
      await waitFor(() => expect(result.current.error?.code).toBe('INVALID_URL'))
      expect(result.current.readyState).toBe(ReadyState.CLOSED)
      expect(onError).toHaveBeenCalledTimes(1)
      expect(made).toHaveLength(0)
    })
  }
})
