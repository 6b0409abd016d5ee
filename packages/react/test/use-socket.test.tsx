import { act, cleanup, render, renderHook, screen, waitFor } from '@testing-library/react'
import { StrictMode } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  ReadyState,
  type SocketEvents,
  TetheredError,
  type UseSocketOptions,
  useSocket,
  useWebSocket,
  type WebSocketConstructor,
} from '../src'
import { startServer, type TestServer } from './support/server'
import { countingWebSocket } from './support/sockets'

type Chat = {
  in: {
    message: { from: string; text: string }
    joined: { name: string }
    history: string[]
  }
  out: { message: { text: string }; typing: undefined; raw: unknown }
  requests: {
    history: { data: { limit: number }; reply: string[] }
    fail: { data: null; reply: never }
    silent: { data: null; reply: never }
    hangup: { data: null; reply: never }
    raw: { data: unknown; reply: never }
  }
}

// Answers requests the way @tethered/server does: same `type` and `id`, `data` or `error`.
const answer = (text: string, client: { socket: { close(code: number): void } }) => {
  const m = JSON.parse(text) as { type: string; id?: number; data?: { limit: number } }
  switch (m.type) {
    case 'history':
      return JSON.stringify({
        type: 'history',
        id: m.id,
        data: ['a', 'b', 'c'].slice(0, m.data?.limit),
      })
    case 'fail':
      return JSON.stringify({ type: 'fail', id: m.id, error: { message: 'not allowed' } })
    case 'hangup':
      client.socket.close(4000)
      return undefined
    default:
      return undefined
  }
}

let server: TestServer
beforeEach(async () => {
  server = await startServer({ reply: answer })
})
afterEach(async () => {
  cleanup()
  await server.close()
})

const event = (type: string, data?: unknown) => JSON.stringify({ type, data })

const mountChat = <T extends keyof Chat['in'] & string = keyof Chat['in'] & string>(
  options: UseSocketOptions<Chat, T> = {},
) => {
  const counting = countingWebSocket()
  const hook = renderHook(
    (props: UseSocketOptions<Chat, T>) =>
      useSocket<Chat, T>(server.url, { WebSocket: counting.WebSocket, ...props }),
    { initialProps: options },
  )
  return { ...hook, made: counting.made }
}

const opened = (result: { current: { readyState: number } }) =>
  waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))

describe('useSocket: events', () => {
  it('emits typed envelopes', async () => {
    const { result } = mountChat()
    await opened(result)
    expect(result.current.emit('message', { text: 'hi' })).toBe(true)
    expect(result.current.emit('typing')).toBe(true)
    await server.until(() => server.received().length === 2, 'two events')
    expect(server.received().map((m) => JSON.parse(m))).toEqual([
      { type: 'message', data: { text: 'hi' } },
      { type: 'typing' },
    ])
  })

  it('queues an emit made before the socket is open', async () => {
    const { result } = mountChat()
    expect(result.current.emit('message', { text: 'early' })).toBe(false)
    await server.until(() => server.received().length === 1, 'the queued event')
    expect(JSON.parse(server.received()[0] ?? '')).toEqual({
      type: 'message',
      data: { text: 'early' },
    })
  })

  it('calls `on` handlers with the data and the envelope of every event of their type', async () => {
    const joined = vi.fn()
    const message = vi.fn()
    const { result } = mountChat({ on: { joined, message } })
    await opened(result)
    server.broadcast(event('joined', { name: 'ann' }))
    server.broadcast(event('joined', { name: 'bob' }))
    server.broadcast(event('message', { from: 'ann', text: 'hi' }))
    await waitFor(() => expect(message).toHaveBeenCalledTimes(1))
    expect(joined.mock.calls).toEqual([
      [{ name: 'ann' }, { type: 'joined', data: { name: 'ann' } }],
      [{ name: 'bob' }, { type: 'joined', data: { name: 'bob' } }],
    ])
    expect(result.current.lastMessage).toEqual({
      type: 'message',
      data: { from: 'ann', text: 'hi' },
    })
  })

  it('uses the latest `on` object without reconnecting', async () => {
    const calls: string[] = []
    const { result, rerender, made } = mountChat({ on: { joined: () => calls.push('first') } })
    await opened(result)
    rerender({ on: { joined: () => calls.push('second') } })
    rerender({ on: { joined: () => calls.push('third') }, types: ['joined'] })
    server.broadcast(event('joined', { name: 'ann' }))
    await waitFor(() => expect(calls).toEqual(['third']))
    expect(made).toHaveLength(1)
    expect(server.clients).toHaveLength(1)
  })

  it('the method `on` adds and removes a handler', async () => {
    const { result } = mountChat()
    await opened(result)
    const seen: string[] = []
    const off = result.current.on('joined', (data) => seen.push(data.name))
    server.broadcast(event('joined', { name: 'ann' }))
    await waitFor(() => expect(seen).toEqual(['ann']))
    off()
    server.broadcast(event('joined', { name: 'bob' }))
    await waitFor(() => expect(result.current.lastMessage?.data).toEqual({ name: 'bob' }))
    expect(seen).toEqual(['ann'])
  })

  it('lastMessage ignores what is no envelope', async () => {
    const { result } = mountChat()
    await opened(result)
    server.broadcast(event('joined', { name: 'ann' }))
    server.broadcast('[1,2]')
    server.broadcast('{"no":"type"}')
    server.broadcast(event('joined', { name: 'bob' }))
    await waitFor(() =>
      expect(result.current.lastMessage).toEqual({ type: 'joined', data: { name: 'bob' } }),
    )
  })
})

// Render counters for the `types` test: props carry the url, the constructor and the tally.
type Tally = {
  url: string
  WebSocket: WebSocketConstructor
  renders: { some: number; all: number }
}

function Some({ url, WebSocket, renders, onJoined }: Tally & { onJoined: () => void }) {
  renders.some++
  const { lastMessage } = useSocket<Chat, 'message'>(url, {
    WebSocket,
    share: true,
    types: ['message'],
    on: { joined: onJoined },
  })
  return <p data-testid="some">{lastMessage ? lastMessage.data.text : '-'}</p>
}

function All({ url, WebSocket, renders }: Tally) {
  renders.all++
  const { lastMessage, readyState } = useSocket<Chat>(url, { WebSocket, share: true })
  return (
    <p data-testid="all">
      {readyState}:{lastMessage?.type === 'joined' ? lastMessage.data.name : '-'}
    </p>
  )
}

describe('useSocket: types', () => {
  it('re-renders a component only for the types it asked for; its handlers still see all', async () => {
    const { WebSocket } = countingWebSocket()
    const renders = { some: 0, all: 0 }
    const joinedSeen = vi.fn()
    const props = { url: server.url, WebSocket, renders }
    render(
      <>
        <Some {...props} onJoined={joinedSeen} />
        <All {...props} />
      </>,
    )
    await waitFor(() => expect(screen.getByTestId('all').textContent).toBe('1:-'))
    // Both are notified in the same batch: when All shows the last `joined`, Some would have
    // rendered in the same commit if it were going to.
    const before = { ...renders }
    for (let i = 1; i <= 20; i++) server.broadcast(event('joined', { name: `n${i}` }))
    await waitFor(() => expect(screen.getByTestId('all').textContent).toBe('1:n20'))
    expect(joinedSeen).toHaveBeenCalledTimes(20)
    expect(renders.all).toBeGreaterThan(before.all)
    expect(renders.some).toBe(before.some)

    server.broadcast(event('message', { from: 'ann', text: 'hello' }))
    await waitFor(() => expect(screen.getByTestId('some').textContent).toBe('hello'))
    expect(renders.some).toBe(before.some + 1)
    expect(server.clients).toHaveLength(1)
  })
})

describe('useSocket: request', () => {
  it('resolves with the typed reply; the reply is no event', async () => {
    const history = vi.fn()
    const { result } = mountChat({ on: { history } })
    await opened(result)
    const reply = await result.current.request('history', { limit: 2 }, { timeout: 2_000 })
    expect(reply).toEqual(['a', 'b'])
    expect(JSON.parse(server.received()[0] ?? '')).toMatchObject({
      type: 'history',
      data: { limit: 2 },
    })
    server.broadcast(event('joined', { name: 'after' }))
    await waitFor(() => expect(result.current.lastMessage?.type).toBe('joined'))
    expect(history).not.toHaveBeenCalled()
  })

  it('correlates concurrent requests by id', async () => {
    const { result } = mountChat()
    await opened(result)
    const replies = await Promise.all(
      [1, 3, 2].map((limit) => result.current.request('history', { limit })),
    )
    expect(replies).toEqual([['a'], ['a', 'b', 'c'], ['a', 'b']])
  })

  it('rejects on an error reply', async () => {
    const { result } = mountChat()
    await opened(result)
    const failure = result.current.request('fail', null)
    await expect(failure).rejects.toBeInstanceOf(TetheredError)
    await expect(failure).rejects.toMatchObject({ code: 'REQUEST_FAILED' })
    await expect(failure).rejects.toThrow(/not allowed/)
  })

  it('rejects on timeout when the server never answers', async () => {
    const { result } = mountChat()
    await opened(result)
    const started = performance.now()
    await expect(result.current.request('silent', null, { timeout: 100 })).rejects.toMatchObject({
      code: 'REQUEST_TIMEOUT',
    })
    expect(performance.now() - started).toBeLessThan(1_000)
  })

  it('rejects when the connection closes before the reply', async () => {
    const { result } = mountChat({ reconnect: false })
    await opened(result)
    await expect(result.current.request('hangup', null, { timeout: 2_000 })).rejects.toMatchObject({
      code: 'REQUEST_CLOSED',
    })
  })

  it('rejects at once without a connection', async () => {
    const { result } = mountChat({ connect: false })
    await expect(result.current.request('history', { limit: 1 })).rejects.toMatchObject({
      code: 'REQUEST_CLOSED',
    })
  })
})

describe('useSocket: connection', () => {
  it('opens exactly one socket under StrictMode and closes it on unmount', async () => {
    const { WebSocket, made } = countingWebSocket()
    const { result, unmount } = renderHook(() => useSocket<Chat>(server.url, { WebSocket }), {
      wrapper: StrictMode,
    })
    await opened(result)
    await result.current.request('history', { limit: 1 })
    expect(made).toHaveLength(1)
    expect(server.clients).toHaveLength(1)
    unmount()
    await server.until(() => server.open().length === 0, 'the socket to close')
  })

  it('shares one socket with useWebSocket on the same url', async () => {
    const { WebSocket, made } = countingWebSocket()
    const typed = renderHook(() => useSocket<Chat>(server.url, { WebSocket, share: true }))
    const raw = renderHook(() => useWebSocket(server.url, { WebSocket, share: true }))
    await opened(typed.result)
    await opened(raw.result)
    server.broadcast(event('joined', { name: 'ann' }))
    await waitFor(() => expect(typed.result.current.lastMessage?.type).toBe('joined'))
    await waitFor(() =>
      expect(raw.result.current.lastJsonMessage).toEqual({ type: 'joined', data: { name: 'ann' } }),
    )
    expect(made).toHaveLength(1)
  })

  it('keeps emit, request, on, open, close and getWebSocket across renders', async () => {
    const { result, rerender } = mountChat()
    const first = result.current
    await opened(result)
    rerender({ types: ['joined'] })
    server.broadcast(event('joined', { name: 'ann' }))
    await waitFor(() => expect(result.current.lastMessage).not.toBeNull())
    const last = result.current
    for (const key of ['emit', 'request', 'on', 'open', 'close', 'getWebSocket'] as const) {
      expect(last[key], key).toBe(first[key])
    }
  })

  it('close() and open()', async () => {
    const { result } = mountChat()
    await opened(result)
    act(() => result.current.close())
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.CLOSED))
    act(() => result.current.open())
    await opened(result)
    expect(server.clients).toHaveLength(2)
    expect(result.current.getWebSocket()).not.toBeNull()
  })
})

describe('useSocket: envelope keys', () => {
  // A server with its own envelope, e.g. `{ ModeCode, msg }`.
  type Legacy = SocketEvents & {
    in: { status: { online: number } }
    out: { subscribe: { channel: string } }
    requests: { count: { data: null; reply: number } }
  }
  it('reads and writes envelopes under custom keys', async () => {
    await server.close()
    server = await startServer({
      reply: (text) => {
        const m = JSON.parse(text) as { ModeCode: string; seq?: number }
        return m.ModeCode === 'count'
          ? JSON.stringify({ ModeCode: 'count', seq: m.seq, msg: 42 })
          : undefined
      },
    })
    const { WebSocket } = countingWebSocket()
    const status = vi.fn()
    const { result } = renderHook(() =>
      useSocket<Legacy>(server.url, {
        WebSocket,
        keys: { type: 'ModeCode', data: 'msg', id: 'seq' },
        on: { status },
      }),
    )
    await opened(result)
    result.current.emit('subscribe', { channel: 'news' })
    await server.until(() => server.received().length === 1, 'the event')
    expect(JSON.parse(server.received()[0] ?? '')).toEqual({
      ModeCode: 'subscribe',
      msg: { channel: 'news' },
    })
    server.broadcast('{"ModeCode":"status","msg":{"online":3}}')
    await waitFor(() =>
      expect(result.current.lastMessage).toEqual({ type: 'status', data: { online: 3 } }),
    )
    expect(status).toHaveBeenCalledWith({ online: 3 }, { type: 'status', data: { online: 3 } })
    await expect(result.current.request('count', null)).resolves.toBe(42)
  })
})

describe('useSocket: bad input', () => {
  it('an emit that cannot be serialised: false, reported, nothing sent', async () => {
    const onError = vi.fn()
    const { result } = mountChat({ onError })
    await opened(result)
    let sent = true
    act(() => {
      sent = result.current.emit('raw', { big: 10n })
    })
    expect(sent).toBe(false)
    await waitFor(() => expect(result.current.error?.code).toBe('SERIALIZE'))
    expect(onError).toHaveBeenCalledTimes(1)
    expect(result.current.readyState).toBe(ReadyState.OPEN)
    await expect(result.current.request('raw', { big: 10n })).rejects.toMatchObject({
      code: 'SERIALIZE',
    })
    await result.current.request('history', { limit: 1 })
    expect(server.received().map((m) => JSON.parse(m).type)).toEqual(['history'])
  })

  it('a non-JSON message: reported, lastMessage unchanged', async () => {
    const onError = vi.fn()
    const { result } = mountChat({ onError })
    await opened(result)
    server.broadcast(event('joined', { name: 'ann' }))
    server.broadcast('not json')
    await waitFor(() => expect(onError).toHaveBeenCalledTimes(1))
    expect(result.current.error?.code).toBe('PARSE')
    expect(result.current.lastMessage).toEqual({ type: 'joined', data: { name: 'ann' } })
  })

  it('an invalid url: the error is in state, nothing throws', async () => {
    const { WebSocket, made } = countingWebSocket()
    const { result } = renderHook(() => useSocket<Chat>('ws://[bad', { WebSocket }))
    await waitFor(() => expect(result.current.error?.code).toBe('INVALID_URL'))
    expect(result.current.readyState).toBe(ReadyState.CLOSED)
    expect(made).toHaveLength(0)
  })
})
