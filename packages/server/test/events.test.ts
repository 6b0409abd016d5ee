import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { RequestError, type SocketServerError } from '../src/index'
import { connect, inbox, nextEvent, start } from './helpers'

type Chat = {
  in: { message: { from: string; text: string }; ready: undefined }
  out: { message: { text: string }; typing: undefined }
  requests: {
    history: { data: { limit: number }; reply: string[] }
    fail: { data: undefined; reply: never }
  }
}

function collectErrors(server: {
  on(event: 'error', fn: (error: SocketServerError) => void): () => void
}) {
  const errors: SocketServerError[] = []
  server.on('error', (error) => errors.push(error))
  return errors
}

describe('typed events and requests', () => {
  it('delivers client events to client.on listeners and emits to the client', async () => {
    const { server, url } = await start<Chat>()
    const got: Array<{ text: string }> = []
    server.on('connection', (client) => {
      client.on('message', (data, from) => {
        got.push(data)
        from.emit('message', { from: 'server', text: `echo ${data.text}` })
      })
    })
    const ws = await connect(url)
    const box = inbox(ws)
    ws.send(JSON.stringify({ type: 'message', data: { text: 'hi' } }))
    expect(await box.next()).toEqual({ type: 'message', data: { from: 'server', text: 'echo hi' } })
    expect(got).toEqual([{ text: 'hi' }])
  })

  it('sends an event without data as a bare type', async () => {
    const { server, url } = await start<Chat>()
    server.on('connection', (client) => client.emit('ready'))
    const ws = await connect(url)
    expect(await inbox(ws).next()).toEqual({ type: 'ready' })
  })

  it('answers a request with the same type and id', async () => {
    const { server, url } = await start<Chat>()
    server.handle('history', async ({ limit }) => Array.from({ length: limit }, (_, i) => `m${i}`))
    const ws = await connect(url)
    const box = inbox(ws)
    ws.send(JSON.stringify({ type: 'history', data: { limit: 2 }, id: 7 }))
    expect(await box.next()).toEqual({ type: 'history', id: 7, data: ['m0', 'm1'] })
  })

  it('sends an error reply when a handler throws or rejects, and the server stays up', async () => {
    const { server, url } = await start<Chat>()
    const errors = collectErrors(server)
    server.handle('fail', () => {
      throw new Error('secret database detail')
    })
    server.handle('history', async () => {
      throw new TypeError('also secret')
    })
    const ws = await connect(url)
    const box = inbox(ws)
    ws.send(JSON.stringify({ type: 'fail', id: 1 }))
    expect(await box.next()).toEqual({
      type: 'fail',
      id: 1,
      error: { message: 'Internal server error', code: 'INTERNAL' },
    })
    ws.send(JSON.stringify({ type: 'history', data: { limit: 1 }, id: 2 }))
    expect(await box.next()).toEqual({
      type: 'history',
      id: 2,
      error: { message: 'Internal server error', code: 'INTERNAL' },
    })
    expect(errors.map((e) => [e.code, (e.cause as Error).message])).toEqual([
      ['HANDLER_ERROR', 'secret database detail'],
      ['HANDLER_ERROR', 'also secret'],
    ])
    // Still serving, on the same connection and new ones.
    expect(ws.readyState).toBe(WebSocket.OPEN)
    await connect(url)
    expect(server.stats.requestErrors).toBe(2)
  })

  it('sends a RequestError message and code as they are', async () => {
    const { server, url } = await start<Chat>()
    const errors = collectErrors(server)
    server.handle('history', ({ limit }) => {
      if (limit > 100) throw new RequestError('limit must be at most 100', 'BAD_LIMIT')
      return []
    })
    const ws = await connect(url)
    const box = inbox(ws)
    ws.send(JSON.stringify({ type: 'history', data: { limit: 500 }, id: 3 }))
    expect(await box.next()).toEqual({
      type: 'history',
      id: 3,
      error: { message: 'limit must be at most 100', code: 'BAD_LIMIT' },
    })
    expect(errors).toEqual([])
  })

  it('exposes any error message with exposeErrors', async () => {
    const { server, url } = await start<Chat>({ exposeErrors: true })
    collectErrors(server)
    server.handle('fail', () => {
      throw Object.assign(new Error('visible'), { code: 'E_VISIBLE' })
    })
    const ws = await connect(url)
    const box = inbox(ws)
    ws.send(JSON.stringify({ type: 'fail', id: 4 }))
    expect(await box.next()).toEqual({
      type: 'fail',
      id: 4,
      error: { message: 'visible', code: 'E_VISIBLE' },
    })
  })

  it('answers a request with no handler at once, so the client does not wait for its timeout', async () => {
    const { url } = await start<Chat>()
    const ws = await connect(url)
    const box = inbox(ws)
    ws.send(JSON.stringify({ type: 'unknown', id: 5 }))
    expect(await box.next()).toEqual({
      type: 'unknown',
      id: 5,
      error: { message: 'no handler for request "unknown"', code: 'NO_HANDLER' },
    })
  })

  it('replies INTERNAL and reports SERIALIZE_ERROR for a reply that is not JSON', async () => {
    const { server, url } = await start()
    const errors = collectErrors(server)
    server.handle('big', () => ({ n: 10n }))
    const ws = await connect(url)
    const box = inbox(ws)
    ws.send(JSON.stringify({ type: 'big', id: 6 }))
    expect(await box.next()).toEqual({
      type: 'big',
      id: 6,
      error: { message: 'Internal server error', code: 'INTERNAL' },
    })
    expect(errors[0]?.code).toBe('SERIALIZE_ERROR')
    expect(String((errors[0]?.cause as Error | undefined)?.message)).toMatch(
      /cannot send "big": its data is not JSON-serializable/,
    )
  })

  it('uses the configured envelope keys both ways', async () => {
    const { server, url } = await start({
      keys: { type: 'ModeCode', data: 'msg', id: 'seq', error: 'fault' },
    })
    const seen: unknown[] = []
    server.on('connection', (client) => client.on('hello', (data) => seen.push(data)))
    server.handle('add', (data) => {
      const { a, b } = data as { a: number; b: number }
      return a + b
    })
    const ws = await connect(url)
    const box = inbox(ws)
    ws.send(JSON.stringify({ ModeCode: 'hello', msg: 'x' }))
    ws.send(JSON.stringify({ ModeCode: 'add', msg: { a: 1, b: 2 }, seq: 9 }))
    expect(await box.next()).toEqual({ ModeCode: 'add', seq: 9, msg: 3 })
    expect(seen).toEqual(['x'])
    // The default keys mean nothing under these.
    const error = nextEvent(server, 'error')
    ws.send(JSON.stringify({ type: 'hello', data: 'y' }))
    expect((await error)[0].code).toBe('NOT_AN_ENVELOPE')
  })

  it('keeps every listener running when one throws, and reports it', async () => {
    const { server, url } = await start()
    const errors = collectErrors(server)
    const seen: string[] = []
    server.on('connection', (client) => {
      client.on('x', () => {
        throw new Error('listener bug')
      })
      client.on('x', () => seen.push('second'))
    })
    server.on('connection', () => {
      throw new Error('connection listener bug')
    })
    const ws = await connect(url)
    const box = inbox(ws)
    ws.send(JSON.stringify({ type: 'x' }))
    ws.send(JSON.stringify({ type: 'echo', id: 1 }))
    await box.waitFor(1, 'the no-handler reply that follows')
    expect(seen).toEqual(['second'])
    expect(errors.map((e) => e.code)).toEqual(['LISTENER_ERROR', 'LISTENER_ERROR'])
    expect(ws.readyState).toBe(WebSocket.OPEN)
  })

  it('stops calling a listener once removed', async () => {
    const { server, url } = await start()
    const seen: unknown[] = []
    server.on('connection', (client) => {
      const off = client.on('n', (data) => {
        seen.push(data)
        off()
      })
    })
    const ws = await connect(url)
    const box = inbox(ws)
    ws.send(JSON.stringify({ type: 'n', data: 1 }))
    ws.send(JSON.stringify({ type: 'n', data: 2 }))
    ws.send(JSON.stringify({ type: 'sync', id: 1 }))
    await box.waitFor(1)
    expect(seen).toEqual([1])
  })
})

describe('bad input from clients', () => {
  it.each([
    ['malformed JSON', '{"type": "message", ', 'MALFORMED_JSON'],
    ['a JSON string', '"message"', 'NOT_AN_ENVELOPE'],
    ['an array', '[{"type":"message"}]', 'NOT_AN_ENVELOPE'],
    ['null', 'null', 'NOT_AN_ENVELOPE'],
    ['no type', '{"data": 1}', 'NOT_AN_ENVELOPE'],
    ['an empty type', '{"type": ""}', 'NOT_AN_ENVELOPE'],
    ['a numeric type', '{"type": 5}', 'NOT_AN_ENVELOPE'],
    ['an inherited type', '{"__proto__": {"type": "message"}}', 'NOT_AN_ENVELOPE'],
  ])('reports %s as an error event and keeps the connection', async (_label, text, code) => {
    const { server, url } = await start()
    const seen: unknown[] = []
    server.on('connection', (client) => client.on('message', (data) => seen.push(data)))
    const ws = await connect(url)
    const box = inbox(ws)
    const error = nextEvent(server, 'error')
    ws.send(text)
    const [err] = await error
    expect(err.code).toBe(code)
    expect(err.message).toMatch(/The connection is kept\.$/)
    expect(err.clientId).toBe([...server.clients.values()][0]?.id)
    // The same connection still works.
    ws.send(JSON.stringify({ type: 'ping-request', id: 1 }))
    await box.waitFor(1)
    expect(ws.readyState).toBe(WebSocket.OPEN)
    expect(seen).toEqual([])
    expect(server.stats.malformed).toBe(1)
  })

  it.each([
    ['a string', '"7"'],
    ['a fraction', '1.5'],
    ['an unsafe integer', '1152921504606846976'],
    ['null', 'null'],
    ['an object', '{"n":1}'],
  ])(
    'answers a request whose id is %s with one BAD_REQUEST_ID error echoing the id',
    async (_label, id) => {
      const { server, url } = await start()
      const errors = collectErrors(server)
      const handled: unknown[] = []
      const heard: unknown[] = []
      server.handle('history', (data) => {
        handled.push(data)
        return []
      })
      server.on('connection', (client) => client.on('history', (data) => heard.push(data)))
      const ws = await connect(url)
      const box = inbox(ws)
      ws.send(`{"type":"history","data":{"limit":1},"id":${id}}`)
      // Messages are handled in order: this reply means the one above was.
      ws.send(JSON.stringify({ type: 'sync', id: 99 }))
      await box.waitFor(2, 'the error reply and the sync reply')
      expect(box.messages).toHaveLength(2)
      // As sent, to the precision JSON numbers have in JavaScript (2**60 reads back equal).
      expect(JSON.parse(box.messages[0] as string)).toEqual({
        type: 'history',
        id: JSON.parse(id),
        error: { message: 'request id must be a safe integer', code: 'BAD_REQUEST_ID' },
      })
      expect(JSON.parse(box.messages[1] as string)).toMatchObject({ type: 'sync', id: 99 })
      expect(handled).toEqual([])
      expect(heard).toEqual([])
      expect(server.stats.malformed).toBe(1)
      expect(errors.map((e) => e.code)).toEqual(['BAD_REQUEST_ID'])
      expect(ws.readyState).toBe(WebSocket.OPEN)
    },
  )

  it('reports a binary frame and keeps the connection', async () => {
    const { server, url } = await start()
    const ws = await connect(url)
    const error = nextEvent(server, 'error')
    ws.send(Buffer.from([1, 2, 3]))
    expect((await error)[0].code).toBe('BINARY_MESSAGE')
    expect(ws.readyState).toBe(WebSocket.OPEN)
  })

  it('is safe against prototype pollution through type names and payloads', async () => {
    const { server, url } = await start()
    const errors = collectErrors(server)
    const payloads: unknown[] = []
    server.on('connection', (client) => client.on('data', (data) => payloads.push(data)))
    const ws = await connect(url)
    const box = inbox(ws)
    const names = [
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      '__defineGetter__',
    ]
    names.forEach((type, i) => {
      ws.send(JSON.stringify({ type, id: i + 1 }))
      ws.send(JSON.stringify({ type }))
    })
    ws.send(
      '{"type":"data","data":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}',
    )
    ws.send('{"type":"__proto__","data":{"polluted":true}}')
    // Messages are handled in order: this reply means all of the above were.
    ws.send(JSON.stringify({ type: 'sync', id: 99 }))
    const replies = await box.waitFor(names.length + 1)
    expect(replies.slice(0, names.length).map((r) => JSON.parse(r))).toEqual(
      names.map((type, i) => ({
        type,
        id: i + 1,
        error: { message: `no handler for request "${type}"`, code: 'NO_HANDLER' },
      })),
    )
    expect(payloads).toHaveLength(1)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    expect(Object.getPrototypeOf(payloads[0])).toBe(Object.prototype)
    expect(errors).toEqual([])
    expect(ws.readyState).toBe(WebSocket.OPEN)
  })
})
