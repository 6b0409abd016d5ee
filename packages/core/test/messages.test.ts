import { describe, expect, it, vi } from 'vitest'
import { type MessageFilter, ReadyState, type TetheredError } from '../src'
import { mockServer, tick, useFakeClock } from './support'

const connect = useFakeClock()

describe('snapshot', () => {
  it('keeps its identity until something changes', async () => {
    const server = mockServer()
    const c = connect(server.url)
    await tick()
    const a = c.getSnapshot()
    expect(c.getSnapshot()).toBe(a)
    server.last.send('{"n":1}')
    const b = c.getSnapshot()
    expect(b).not.toBe(a)
    expect(b.lastJsonMessage).toEqual({ n: 1 })
    expect(c.getSnapshot()).toBe(b)
  })

  it('notifies subscribers once per batch while on("message") sees every message', async () => {
    const server = mockServer()
    const flushes: Array<() => void> = []
    const c = connect<{ n: number }>(server.url, { batch: (flush) => flushes.push(flush) })
    await tick()
    for (const f of flushes.splice(0)) f()
    const listener = vi.fn()
    const seen: number[] = []
    c.subscribe(listener)
    c.on('message', (_e, json) => seen.push(json?.n ?? -1))
    for (let n = 0; n < 100; n++) server.last.send(JSON.stringify({ n }))
    expect(flushes).toHaveLength(1)
    expect(listener).not.toHaveBeenCalled()
    expect(c.getSnapshot().lastJsonMessage).toEqual({ n: 99 })
    flushes[0]?.()
    expect(listener).toHaveBeenCalledTimes(1)
    expect(seen).toHaveLength(100)
    expect(seen.at(-1)).toBe(99)
  })

  it('batches per microtask with batch: "microtask"', async () => {
    const server = mockServer()
    const c = connect(server.url, { batch: 'microtask' })
    await tick()
    const listener = vi.fn()
    c.subscribe(listener)
    for (let n = 0; n < 10; n++) server.last.send(String(n))
    expect(listener).not.toHaveBeenCalled()
    await Promise.resolve()
    expect(listener).toHaveBeenCalledTimes(1)
  })

  it('batches per animation frame where requestAnimationFrame exists', async () => {
    const frames: FrameRequestCallback[] = []
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb))
    try {
      const server = mockServer()
      const c = connect(server.url, { batch: 'frame' })
      await tick()
      for (const f of frames.splice(0)) f(0)
      const listener = vi.fn()
      c.subscribe(listener)
      for (let n = 0; n < 50; n++) server.last.send(String(n))
      await Promise.resolve()
      expect(listener).not.toHaveBeenCalled()
      expect(frames).toHaveLength(1)
      frames[0]?.(16)
      expect(listener).toHaveBeenCalledTimes(1)
    } finally {
      vi.unstubAllGlobals()
    }
  })
})

describe('views', () => {
  it('have their own filter and lastMessage, and are notified only when they change', async () => {
    const server = mockServer()
    const c = connect<{ type: string; v: number }>(server.url)
    await tick()
    const byType =
      (type: string): MessageFilter<{ type: string }> =>
      (_e, json) =>
        json?.type === type
    const prices = c.view(byType('price'))
    const news = c.view(byType('news'))
    const onPrice = vi.fn()
    const onNews = vi.fn()
    prices.subscribe(onPrice)
    news.subscribe(onNews)
    server.last.send('{"type":"price","v":1}')
    server.last.send('{"type":"price","v":2}')
    expect(prices.getSnapshot().lastJsonMessage).toEqual({ type: 'price', v: 2 })
    expect(news.getSnapshot().lastJsonMessage).toBeNull()
    expect(onPrice).toHaveBeenCalledTimes(2)
    expect(onNews).not.toHaveBeenCalled()
    news.dispose()
    server.last.send('{"type":"news","v":3}')
    expect(onNews).not.toHaveBeenCalled()
    expect(c.getSnapshot().lastJsonMessage).toEqual({ type: 'news', v: 3 })
  })

  it('parse a message once however many views see it', async () => {
    const server = mockServer()
    const parse = vi.fn((data: unknown) => JSON.parse(String(data)))
    const c = connect(server.url, { parse })
    await tick()
    for (let i = 0; i < 20; i++) c.view(() => true)
    server.last.send('{"a":1}')
    expect(parse).toHaveBeenCalledTimes(1)
  })

  it('a filter that throws (json.type on a message that is not JSON) matches nothing and stops nothing', async () => {
    const server = mockServer()
    const c = connect<{ type: string }>(server.url)
    await tick()
    const prices = c.view((_e, json) => (json as { type: string }).type === 'price')
    const handler = vi.fn()
    c.on('message', handler)
    server.last.send('not json')
    server.last.send('{"type":"price"}')
    expect(handler).toHaveBeenCalledTimes(2)
    expect(prices.getSnapshot().lastJsonMessage).toEqual({ type: 'price' })
    // Rethrown on a task of its own, so the app's bug still reaches the console.
    expect(() => vi.advanceTimersByTime(1)).toThrow(TypeError)
  })
})

describe('parsing', () => {
  it('a parse failure updates lastMessage, keeps lastJsonMessage and reports an error', async () => {
    const server = mockServer()
    const errors: TetheredError[] = []
    const c = connect(server.url, { onError: (e) => errors.push(e) })
    await tick()
    server.last.send('{"ok":true}')
    server.last.send('not json')
    const s = c.getSnapshot()
    expect(s.lastMessage?.data).toBe('not json')
    expect(s.lastJsonMessage).toEqual({ ok: true })
    expect(s.error?.code).toBe('PARSE')
    expect(errors[0]?.message).toMatch(/not JSON .*parse: false/)
  })

  it('reports binary data when JSON text is expected, and never fakes {}', async () => {
    const server = mockServer()
    const c = connect(server.url, { binaryType: 'arraybuffer' })
    await tick()
    server.last.send(new Uint8Array([1, 2, 3]).buffer)
    expect(c.getSnapshot().lastJsonMessage).toBeNull()
    expect(c.getSnapshot().error?.message).toMatch(
      /not JSON \(pass `parse` or `parse: false`\): binary message/,
    )
  })

  it('uses a custom parse, and parse: false turns parsing off without errors', async () => {
    const server = mockServer()
    const custom = connect(server.url, { parse: (d) => `<${String(d)}>` })
    const off = connect(server.url, { parse: false })
    await tick()
    for (const client of server.clients) client.send('hello')
    expect(custom.getSnapshot().lastJsonMessage).toBe('<hello>')
    expect(off.getSnapshot().lastJsonMessage).toBeNull()
    expect(off.getSnapshot().lastMessage?.data).toBe('hello')
    expect(off.getSnapshot().error).toBeNull()
  })

  it('a throwing handler neither stops other handlers nor the snapshot update', async () => {
    const server = mockServer()
    const c = connect(server.url)
    await tick()
    const handler = vi.fn()
    c.on('message', () => {
      throw new Error('app bug')
    })
    c.on('message', handler)
    server.last.send('1')
    expect(handler).toHaveBeenCalledTimes(1)
    expect(c.getSnapshot().lastJsonMessage).toBe(1)
    // Rethrown on a task of its own, so it still reaches the console and error trackers.
    expect(() => vi.advanceTimersByTime(1)).toThrow('app bug')
  })

  it('a handler removed by another mid-message is not called for it', async () => {
    // A component that unmounts while a message is handed out (a render forced by an
    // earlier handler) must not get that message after its cleanup ran.
    const server = mockServer()
    const c = connect(server.url)
    await tick()
    const late = vi.fn()
    let off = () => {}
    c.on('message', () => off())
    off = c.on('message', late)
    server.last.send('1')
    server.last.send('2')
    expect(late).not.toHaveBeenCalled()
  })
})

describe('sending and the queue', () => {
  it('sends now when open and says so', async () => {
    const server = mockServer()
    const c = connect<unknown, { hi: number }>(server.url)
    await tick()
    expect(c.sendJsonMessage({ hi: 1 })).toBe(true)
    expect(c.sendMessage('raw')).toBe(true)
    await tick()
    expect(server.received).toEqual(['{"hi":1}', 'raw'])
  })

  it('queues kept messages and flushes them in order right after the open handlers', async () => {
    const server = mockServer()
    const c = connect(server.url, { onOpen: () => c.sendMessage('auth') })
    expect(c.sendMessage('a')).toBe(false)
    expect(c.sendMessage('b', true)).toBe(false)
    expect(c.sendMessage('dropped', false)).toBe(false)
    await tick()
    expect(server.received).toEqual(['auth', 'a', 'b'])
  })

  it('keeps queued messages across a failed attempt', async () => {
    const server = mockServer()
    const c = connect(server.url, { reconnectInterval: 100 })
    await tick()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    expect(c.getSnapshot().readyState).toBe(ReadyState.CLOSED)
    c.sendMessage('while down')
    await tick(150)
    expect(server.received).toEqual(['while down'])
  })

  it('drops the oldest on overflow and reports it', async () => {
    const server = mockServer()
    const dropped: unknown[] = []
    const c = connect(server.url, { queueSize: 2, connect: false })
    c.on('drop', (d) => dropped.push(d))
    c.sendMessage('1')
    c.sendMessage('2')
    c.sendMessage('3')
    expect(dropped).toEqual(['1'])
    expect(c.getSnapshot().error?.code).toBe('QUEUE_OVERFLOW')
    expect(c.getSnapshot().error?.message).toMatch(/queueSize 2.*oldest message dropped/)
    c.open()
    await tick()
    expect(server.received).toEqual(['2', '3'])
  })

  it('reports a message that cannot be serialised instead of throwing', async () => {
    const server = mockServer()
    const c = connect<unknown, Record<string, unknown>>(server.url)
    await tick()
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expect(c.sendJsonMessage(circular)).toBe(false)
    expect(c.getSnapshot().error?.code).toBe('SERIALIZE')
    expect(c.getSnapshot().error?.message).toMatch(/Cannot serialise the message: .*circular/i)
    expect(c.sendJsonMessage({ fn: undefined, ok: 1 })).toBe(true)
    await tick()
    expect(server.received).toEqual(['{"ok":1}'])
  })
})
