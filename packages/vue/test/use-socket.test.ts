import { describe, expect, it } from 'vitest'
import { effectScope, reactive } from 'vue'
import type { WebSocket as WsSocket } from 'ws'
import { ReadyState, type TetheredError, type UseSocketReturn, useSocket } from '../src'
import {
  inScope,
  mountSetup,
  nextTick,
  startServer,
  type TestServer,
  until,
  WebSocket,
} from './support'

type Chat = {
  in: { message: { from: string; text: string }; joined: { name: string }; left: { name: string } }
  out: { message: { text: string }; typing: undefined }
  requests: {
    history: { data: { limit: number }; reply: string[] }
    fail: { data: null; reply: never }
    slow: { data: null; reply: never }
  }
}

const base = { WebSocket, reconnectInterval: 20 } as const
const isOpen = (s: { readyState: { value: number } }) => () =>
  s.readyState.value === ReadyState.OPEN

/** Answers `history` with its data, `fail` with an error reply, and never answers `slow`. */
const answering = (socket: WsSocket, text: string) => {
  const { type, id, data } = JSON.parse(text) as {
    type: string
    id?: number
    data?: { limit: number }
  }
  if (type === 'history')
    socket.send(
      JSON.stringify({
        type,
        id,
        data: Array.from({ length: data?.limit ?? 0 }, (_, i) => `m${i}`),
      }),
    )
  if (type === 'fail') socket.send(JSON.stringify({ type, id, error: { message: 'no such room' } }))
}

const event = (server: TestServer, type: string, data: unknown) =>
  server.send(JSON.stringify({ type, data }))

describe('useSocket', () => {
  it('emits typed envelopes and routes events to `on` handlers, the latest object each time', async () => {
    const server = await startServer()
    const seen = reactive<string[]>([])
    const handlers = reactive({
      on: {
        message: (m: Chat['in']['message']) => seen.push(`1:${m.text}`),
      } as { message: (m: Chat['in']['message']) => void },
    })
    const { api: chat } = mountSetup(() =>
      useSocket<Chat>(server.url(), () => ({ ...base, on: handlers.on })),
    )
    await until(isOpen(chat), 'open')
    expect(chat.emit('message', { text: 'hi' })).toBe(true)
    expect(chat.emit('typing')).toBe(true)
    await server.until(() => server.received.length === 2, 'both emits')
    expect(server.received).toEqual([
      '{"type":"message","data":{"text":"hi"}}',
      '{"type":"typing"}',
    ])

    event(server, 'message', { from: 'ann', text: 'one' })
    await until(() => seen.length === 1, 'the first handler')
    handlers.on = { message: (m) => seen.push(`2:${m.text}`) }
    await nextTick()
    event(server, 'message', { from: 'ann', text: 'two' })
    await until(() => seen.length === 2, 'the new handler')
    expect(seen).toEqual(['1:one', '2:two'])
    expect(server.sockets).toHaveLength(1)
  })

  it('on(type, fn) lasts as long as the scope it was called in', async () => {
    const server = await startServer()
    const seen = reactive<string[]>([])
    const { api: chat } = mountSetup(() => {
      const socket = useSocket<Chat>(server.url(), base)
      socket.on('joined', (data, envelope) => seen.push(`setup:${data.name}:${envelope.type}`))
      return socket
    })
    const inner = effectScope()
    inner.run(() => chat.on('joined', (data) => seen.push(`inner:${data.name}`)))
    const off = chat.on('left', (data) => seen.push(`left:${data.name}`))
    await until(isOpen(chat), 'open')

    event(server, 'joined', { name: 'ann' })
    event(server, 'left', { name: 'ann' })
    await until(() => seen.length === 3, 'three handler calls')
    inner.stop()
    off()
    event(server, 'left', { name: 'bob' })
    event(server, 'joined', { name: 'bob' })
    await until(() => seen.length === 4, 'the setup handler')
    expect(seen).toEqual(['setup:ann:joined', 'inner:ann', 'left:ann', 'setup:bob:joined'])
  })

  it('moves a typed lastMessage only for the chosen types', async () => {
    const server = await startServer()
    const all = mountSetup(
      () => useSocket<Chat>(server.url(), { ...base, share: true }),
      (s) => s.lastMessage.value,
    )
    const joins = mountSetup(
      () => useSocket<Chat, 'joined'>(server.url(), { ...base, share: true, types: ['joined'] }),
      (s) => s.lastMessage.value,
    )
    await until(() => isOpen(all.api)() && isOpen(joins.api)(), 'open')
    expect(server.sockets).toHaveLength(1)
    event(server, 'joined', { name: 'ann' })
    await until(() => joins.api.lastMessage.value?.data.name === 'ann', 'the join')
    await nextTick()
    const updates = joins.updates()

    for (let i = 0; i < 20; i++) event(server, 'message', { from: 'bob', text: `t${i}` })
    await until(() => all.api.lastMessage.value?.type === 'message', 'the messages')
    await until(() => {
      const last = all.api.lastMessage.value
      return last?.type === 'message' && last.data.text === 't19'
    }, 'the last message')
    await nextTick()
    expect(joins.updates()).toBe(updates)
    expect(joins.api.lastMessage.value).toEqual({ type: 'joined', data: { name: 'ann' } })
  })

  it('reads and writes envelopes with custom keys', async () => {
    const server = await startServer()
    const { api: s } = mountSetup(() =>
      useSocket<Chat>(server.url(), { ...base, keys: { type: 'ModeCode', data: 'msg' } }),
    )
    await until(isOpen(s), 'open')
    s.emit('message', { text: 'hi' })
    await server.until(() => server.received.length === 1, 'the emit')
    expect(JSON.parse(server.received[0] ?? '')).toEqual({
      ModeCode: 'message',
      msg: { text: 'hi' },
    })
    server.send(JSON.stringify({ ModeCode: 'joined', msg: { name: 'ann' } }))
    await until(() => s.lastMessage.value?.type === 'joined', 'the event')
    expect(s.lastMessage.value?.data).toEqual({ name: 'ann' })
  })

  describe('request', () => {
    const start = async () => {
      const server = await startServer({ onMessage: answering })
      const { api } = mountSetup(() => useSocket<Chat>(server.url(), base))
      await until(isOpen(api), 'open')
      return { server, api }
    }

    it('resolves with the reply, which is no event', async () => {
      const { api } = await start()
      await expect(api.request('history', { limit: 2 }, { timeout: 2_000 })).resolves.toEqual([
        'm0',
        'm1',
      ])
      expect(api.lastMessage.value).toBeNull()
    })

    it('rejects on an error reply', async () => {
      const { api } = await start()
      await expect(api.request('fail', null)).rejects.toMatchObject({
        code: 'REQUEST_FAILED',
        message: expect.stringContaining('no such room'),
      })
    })

    it('rejects when no reply comes in time', async () => {
      const { api } = await start()
      const started = Date.now()
      await expect(api.request('slow', null, { timeout: 80 })).rejects.toMatchObject({
        code: 'REQUEST_TIMEOUT',
      })
      expect(Date.now() - started).toBeGreaterThanOrEqual(70)
    })

    it('rejects when the connection closes first', async () => {
      const { api, server } = await start()
      const pending = api.request('slow', null, { timeout: 2_000 })
      await server.until(() => server.received.length === 1, 'the request')
      server.sockets[0]?.terminate()
      await expect(pending).rejects.toMatchObject({ code: 'REQUEST_CLOSED' })
    })

    it('rejects at once without a connection', async () => {
      const { api } = inScope(() =>
        useSocket<Chat>('ws://127.0.0.1:9/', { ...base, connect: false }),
      )
      await expect(api.request('history', { limit: 1 })).rejects.toMatchObject({
        code: 'REQUEST_CLOSED',
      })
    })
  })

  it('refuses a payload that cannot be serialised and reports it', async () => {
    const server = await startServer()
    const errors: TetheredError[] = []
    const { api: s } = mountSetup(() =>
      useSocket<{ in: Record<string, never>; out: { big: bigint } }>(server.url(), {
        ...base,
        onError: (e) => errors.push(e),
      }),
    )
    await until(isOpen(s), 'open')
    expect(s.emit('big', 1n)).toBe(false)
    await until(() => s.error.value?.code === 'SERIALIZE', 'the error in state')
    expect(errors.map((e) => e.code)).toEqual(['SERIALIZE'])
  })

  it('ignores messages that are not envelopes for lastMessage', async () => {
    const server = await startServer()
    const { api: s } = mountSetup((): UseSocketReturn<Chat> => useSocket<Chat>(server.url(), base))
    await until(isOpen(s), 'open')
    server.send('[1,2]')
    server.send('{"no":"type"}')
    event(server, 'joined', { name: 'ann' })
    await until(() => s.lastMessage.value !== null, 'the envelope')
    expect(s.lastMessage.value).toEqual({ type: 'joined', data: { name: 'ann' } })
  })
})
