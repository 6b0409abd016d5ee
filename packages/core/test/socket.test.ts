import { describe, expect, it, vi } from 'vitest'
import {
  createConnection,
  createConnectionSocketObserver,
  createSocketObserver,
  ReadyState,
  TetheredError,
} from '../src'
import { mockServer, TestSocket, tick, useFakeClock } from './support'

useFakeClock()
const base = { WebSocket: TestSocket, batch: 'sync' } as const

type Chat = {
  in: { message: { from: string; text: string }; joined: { name: string } }
  out: { message: { text: string }; typing: undefined }
  requests: { history: { data: { limit: number }; reply: string[] } }
}

function chat(options: Parameters<typeof createSocketObserver<Chat>>[1] = {}) {
  const server = mockServer()
  const sent: Array<Record<string, unknown>> = []
  server.server.on('connection', (s) =>
    s.on('message', (d) => {
      const msg = JSON.parse(String(d))
      sent.push(msg)
      if (msg.type === 'history')
        s.send(JSON.stringify({ type: 'history', id: msg.id, data: ['hi'] }))
      if (msg.type === 'fail')
        s.send(JSON.stringify({ type: 'fail', id: msg.id, error: { message: 'nope' } }))
    }),
  )
  const o = createSocketObserver<Chat>(server.url, { ...base, ...options })
  o.subscribe(() => {})
  return { server, sent, o }
}

describe('typed events', () => {
  it('emits envelopes and routes incoming ones by type', async () => {
    const message = vi.fn()
    const { o, server, sent } = chat({ on: { message } })
    const joined = vi.fn()
    o.on('joined', joined)
    await tick()
    expect(o.emit('message', { text: 'hello' })).toBe(true)
    expect(o.emit('typing')).toBe(true)
    await tick()
    expect(sent).toEqual([{ type: 'message', data: { text: 'hello' } }, { type: 'typing' }])
    server.last.send(JSON.stringify({ type: 'message', data: { from: 'ann', text: 'yo' } }))
    server.last.send(JSON.stringify({ type: 'joined', data: { name: 'bob' } }))
    expect(message).toHaveBeenCalledWith(
      { from: 'ann', text: 'yo' },
      expect.objectContaining({ type: 'message' }),
    )
    expect(joined).toHaveBeenCalledWith({ name: 'bob' }, expect.anything())
    expect(o.getSnapshot().lastMessage).toEqual({ type: 'joined', data: { name: 'bob' } })
  })

  it('a throwing handler stops neither the other handlers of its type nor onMessage', async () => {
    const onMessage = vi.fn()
    const { o, server } = chat({
      on: {
        message: () => {
          throw new Error('app bug')
        },
      },
      onMessage,
    })
    const second = vi.fn()
    o.on('message', () => {
      throw new Error('app bug too')
    })
    o.on('message', second)
    await tick()
    server.last.send(JSON.stringify({ type: 'message', data: { from: 'ann', text: 'yo' } }))
    expect(second).toHaveBeenCalledTimes(1)
    expect(onMessage).toHaveBeenCalledTimes(1)
    // Rethrown on tasks of their own, so both bugs still reach the console.
    expect(() => vi.advanceTimersToNextTimer()).toThrow('app bug')
    expect(() => vi.advanceTimersToNextTimer()).toThrow('app bug too')
  })

  it('moves lastMessage only for the chosen types', async () => {
    const { o, server } = chat({ types: ['joined'] })
    await tick()
    const before = o.getSnapshot()
    server.last.send(JSON.stringify({ type: 'message', data: { from: 'a', text: 'b' } }))
    expect(o.getSnapshot()).toBe(before)
    server.last.send(JSON.stringify({ type: 'joined', data: { name: 'c' } }))
    expect(o.getSnapshot().lastMessage).toEqual({ type: 'joined', data: { name: 'c' } })
  })

  it('fits a server with its own keys', async () => {
    const server = mockServer()
    const o = createSocketObserver<Chat>(server.url, {
      ...base,
      keys: { type: 'ModeCode', data: 'msg' },
    })
    o.subscribe(() => {})
    await tick()
    server.last.send(JSON.stringify({ ModeCode: 'joined', msg: { name: 'x' } }))
    expect(o.getSnapshot().lastMessage).toEqual({ type: 'joined', data: { name: 'x' } })
  })

  it('never lets a type name reach Object.prototype', async () => {
    const { o, server } = chat({ on: {} })
    await tick()
    server.last.send('{"type":"constructor","data":1}')
    server.last.send('{"type":"__proto__","data":{"polluted":true}}')
    server.last.send('{"type":"toString","data":1}')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(o.getSnapshot().readyState).toBe(ReadyState.OPEN)
  })

  it('reports a payload that cannot be serialised', async () => {
    const { o } = chat()
    await tick()
    const circular: { text: string; self?: unknown } = { text: 'x' }
    circular.self = circular
    expect(o.emit('message', circular)).toBe(false)
    expect(o.getSnapshot().error?.code).toBe('SERIALIZE')
  })
})

describe('requests', () => {
  it('resolves with the reply, which is not an event', async () => {
    const { o } = chat()
    await tick()
    const reply = o.request('history', { limit: 5 })
    await tick()
    await expect(reply).resolves.toEqual(['hi'])
    expect(o.getSnapshot().lastMessage).toBeNull()
  })

  it('correlates concurrent requests by id, in whatever order the replies come', async () => {
    const server = mockServer()
    const held: Array<{ id: number; limit: number }> = []
    server.server.on('connection', (s) =>
      s.on('message', (d) => {
        const msg = JSON.parse(String(d))
        held.push({ id: msg.id, limit: msg.data.limit })
        if (held.length < 3) return
        for (const { id, limit } of held.reverse()) {
          s.send(JSON.stringify({ type: 'history', id, data: ['a', 'b', 'c'].slice(0, limit) }))
        }
      }),
    )
    const o = createSocketObserver<Chat>(server.url, base)
    o.subscribe(() => {})
    await tick()
    const replies = Promise.all([1, 3, 2].map((limit) => o.request('history', { limit })))
    await tick()
    await expect(replies).resolves.toEqual([['a'], ['a', 'b', 'c'], ['a', 'b']])
  })

  it('rejects on an error reply, on timeout and when the connection closes', async () => {
    const { o, server } = chat()
    await tick()
    const failing = (o.request as (t: string, d: unknown) => Promise<unknown>)('fail', {})
    const failed = expect(failing).rejects.toMatchObject({
      code: 'REQUEST_FAILED',
      message: expect.stringMatching(/failed on the server: nope/),
    })
    await tick()
    await failed

    server.server.on('connection', () => {})
    const silent = (
      o.request as (t: string, d: unknown, x: { timeout: number }) => Promise<unknown>
    )('slow', {}, { timeout: 2_000 })
    const timedOut = expect(silent).rejects.toMatchObject({
      code: 'REQUEST_TIMEOUT',
      message: expect.stringMatching(/no reply within 2000 ms/),
    })
    await tick(2_000)
    await timedOut

    const cut = (o.request as (t: string, d: unknown) => Promise<unknown>)('slow', {})
    const closed = expect(cut).rejects.toMatchObject({
      code: 'REQUEST_CLOSED',
      message: expect.stringMatching(/closed \(code 1006\) before the reply/),
    })
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    await closed
    expect(vi.getTimerCount()).toBeLessThanOrEqual(1) // only the reconnect
  })

  it('keeps a queued request across a failed attempt; rejects it when its socket is let go (unmount, another url, close()), not at its timeout', async () => {
    const { o, server } = chat({ reconnectInterval: 10 })
    await tick()
    server.refuse()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    const reply = o.request('history', { limit: 1 })
    await tick(30)
    expect(o.getSnapshot().reconnectAttempt).toBeGreaterThan(1)
    server.refuse(false)
    await tick(50)
    await expect(reply).resolves.toEqual(['hi'])
    for (const leave of ['unmount', 'new url', 'close'] as const) {
      const server = mockServer()
      const o = createSocketObserver<Chat>(server.url, base)
      const off = o.subscribe(() => {})
      // Still connecting: the request waits in the queue, which dispose() empties.
      const settled: unknown[] = []
      o.request('history', { limit: 1 }).then(settled.push.bind(settled), (e) =>
        settled.push(e.code),
      )
      if (leave === 'unmount') off()
      else if (leave === 'close') o.close()
      else o.setOptions(mockServer().url, base)
      await tick(100)
      expect(settled, leave).toEqual(['REQUEST_CLOSED'])
      off()
    }
  })

  it('rejects at once without a connection, and a request that cannot be serialised', async () => {
    const server = mockServer()
    const o = createSocketObserver<Chat>(server.url, { ...base, connect: false })
    o.subscribe(() => {})
    await expect(o.request('history', { limit: 1 })).rejects.toBeInstanceOf(TetheredError)
    o.open()
    await tick()
    const big = { limit: 1n as unknown as number }
    await expect(o.request('history', big)).rejects.toMatchObject({ code: 'SERIALIZE' })
  })
})

describe('on a connection made elsewhere (createConnectionSocketObserver)', () => {
  it('gives each observer its own types, handlers and lastMessage; requests correlate; letting go leaves it open', async () => {
    const { server } = chat()
    const c = createConnection(server.url, base)
    const joined: string[] = []
    const a = createConnectionSocketObserver<Chat, 'joined'>(c, {
      types: ['joined'],
      on: { joined: ({ name }) => joined.push(name) },
    })
    const b = createConnectionSocketObserver<Chat>(c)
    const offA = a.subscribe(() => {})
    b.subscribe(() => {})
    await tick()
    expect(a.getSnapshot().readyState).toBe(ReadyState.OPEN)
    server.last.send(JSON.stringify({ type: 'joined', data: { name: 'ann' } }))
    server.last.send(JSON.stringify({ type: 'message', data: { from: 'ann', text: 'hi' } }))
    expect(a.getSnapshot().lastMessage).toEqual({ type: 'joined', data: { name: 'ann' } })
    expect(b.getSnapshot().lastMessage).toEqual({
      type: 'message',
      data: { from: 'ann', text: 'hi' },
    })
    const reply = b.request('history', { limit: 1 })
    await tick()
    await expect(reply).resolves.toEqual(['hi'])
    // The reply is no event: neither observer's lastMessage moved.
    expect(b.getSnapshot().lastMessage?.type).toBe('message')
    offA()
    server.last.send(JSON.stringify({ type: 'joined', data: { name: 'bob' } }))
    expect(joined).toEqual(['ann'])
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
    expect(b.emit('message', { text: 'still here' })).toBe(true)
    c.dispose()
  })
})
