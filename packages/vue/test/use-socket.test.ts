// What is Vue's own in useSocket: a reactive options getter, and `on()` bound to the effect
// scope it is called in. The behaviour both bindings share is in
// test/bindings/scenarios/socket.ts, the engine's (envelopes, requests) in core.
import { describe, expect, it } from 'vitest'
import { effectScope, reactive } from 'vue'
import { ReadyState, useSocket } from '../src'
import {
  mountSetup,
  nextTick,
  type RecordingServer,
  startServer,
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

const event = (server: RecordingServer, type: string, data: unknown) =>
  server.send(JSON.stringify({ type, data }))

describe('useSocket in Vue', () => {
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
})
