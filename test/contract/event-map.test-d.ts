// One `Chat` type given to both ends: what one end sends is what the other end receives,
// checked in both directions, so the two halves of the event map cannot drift apart.
import { createSocket } from '@tethered/core'
import type { EventMap } from '@tethered/protocol'
import { type Client, createSocketServer } from '@tethered/server'
import { describe, expectTypeOf, it } from 'vitest'

interface Chat extends EventMap {
  in: { message: { from: string; text: string }; ready: undefined }
  out: { send: { text: string }; typing: { on: boolean } }
  requests: {
    history: { data: { limit: number }; reply: string[] }
    ping: { reply: 'pong' }
  }
}

type Message = { from: string; text: string }

const server = createSocketServer<Chat>({ noServer: true })
const socket = createSocket<Chat>('ws://127.0.0.1:1')

describe('one event map drives both ends', () => {
  it('server → client: what the server emits is what the client receives', () => {
    server.broadcast('message', { from: 'server', text: 'hi' })
    server.broadcast('ready')
    // @ts-expect-error `send` is client → server only
    server.broadcast('send', { text: 'hi' })
    socket.on('message', (data) => expectTypeOf(data).toEqualTypeOf<Message>())
    socket.on('ready', (data) => expectTypeOf(data).toEqualTypeOf<undefined>())
    // @ts-expect-error the client does not receive what it sends
    socket.on('send', () => {})
  })

  it('client → server: what the client emits is what the server listens to', () => {
    socket.emit('send', { text: 'hi' })
    // @ts-expect-error wrong payload
    socket.emit('typing', { on: 'yes' })
    // @ts-expect-error `message` is server → client only
    socket.emit('message', { from: 'a', text: 'b' })
    server.on('connection', (client) => {
      expectTypeOf(client).toEqualTypeOf<Client<Chat>>()
      client.on('send', (data) => expectTypeOf(data).toEqualTypeOf<{ text: string }>())
      client.on('typing', (data) => expectTypeOf(data).toEqualTypeOf<{ on: boolean }>())
      // @ts-expect-error the server does not listen to what it emits
      client.on('message', () => {})
    })
  })

  it('requests: the data the client sends is what the handler takes, its return the reply', () => {
    server.handle('history', (data) => {
      expectTypeOf(data).toEqualTypeOf<{ limit: number }>()
      return ['a', 'b']
    })
    // @ts-expect-error the reply must be what the map declares
    server.handle('history', () => 42)
    server.handle('ping', (data) => {
      // A request declared without `data` carries `undefined` on both ends.
      expectTypeOf(data).toEqualTypeOf<undefined>()
      return 'pong' as const
    })
    expectTypeOf(socket.request('history', { limit: 10 })).toEqualTypeOf<Promise<string[]>>()
    expectTypeOf(socket.request('ping', undefined)).toEqualTypeOf<Promise<'pong'>>()
    // @ts-expect-error wrong request data
    socket.request('history', { limit: '10' })
    // @ts-expect-error `typing` is an event, not a request
    socket.request('typing', { on: true })
  })
})
