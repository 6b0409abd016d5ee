import type { SocketEvents } from '@tethered/core'
import { describe, expectTypeOf, it } from 'vitest'
import { type Client, createSocketServer, type SocketServer } from '../src/index'

type Chat = {
  in: { message: { from: string; text: string }; ready: undefined }
  out: { message: { text: string }; typing: { on: boolean } }
  requests: { history: { data: { limit: number }; reply: string[] } }
}

declare const server: SocketServer<Chat>
declare const client: Client<Chat>

describe('typed events', () => {
  it('types what the server emits by the client’s `in`', () => {
    client.emit('message', { from: 'a', text: 'b' })
    client.emit('ready')
    // @ts-expect-error unknown event name
    client.emit('mesage', { from: 'a', text: 'b' })
    // @ts-expect-error wrong payload shape
    client.emit('message', { text: 'b' })
    // @ts-expect-error missing payload
    client.emit('message')
    // @ts-expect-error `out` types are what the client sends, not what the server emits
    client.emit('typing', { on: true })
  })

  it('types what the server listens to by the client’s `out`', () => {
    client.on('message', (data, from) => {
      expectTypeOf(data).toEqualTypeOf<{ text: string }>()
      expectTypeOf(from).toEqualTypeOf<Client<Chat>>()
    })
    // @ts-expect-error `ready` is server → client only
    client.on('ready', () => {})
    // @ts-expect-error wrong payload type in the listener
    client.on('typing', (data: { on: string }) => data)
  })

  it('types broadcast and room emits', () => {
    expectTypeOf(server.broadcast('message', { from: 's', text: 't' })).toEqualTypeOf<number>()
    server.broadcast('message', { from: 's', text: 't' }, { room: 'a', except: client })
    server.broadcast('ready', undefined, { except: [client, 'key'] })
    server.broadcast('ready')
    server.to('a').emit('message', { from: 's', text: 't' }, { except: 'key' })
    // @ts-expect-error unknown event name
    server.broadcast('nope', {})
    // @ts-expect-error wrong payload
    server.to('a').emit('message', { from: 1, text: 't' })
    // @ts-expect-error unknown option
    server.broadcast('ready', undefined, { rooms: ['a'] })
  })

  it('types request handlers: data in, reply out', () => {
    server.handle('history', async (data, from) => {
      expectTypeOf(data).toEqualTypeOf<{ limit: number }>()
      expectTypeOf(from).toEqualTypeOf<Client<Chat>>()
      return ['a']
    })
    server.handle('history', (data) => Array.from({ length: data.limit }, String))
    // @ts-expect-error the reply must be string[]
    server.handle('history', () => 42)
    // @ts-expect-error unknown request type
    server.handle('histroy', () => [])
  })

  it('types server events', () => {
    server.on('connection', (c) => expectTypeOf(c).toEqualTypeOf<Client<Chat>>())
    server.on('disconnect', (_c, info) => expectTypeOf(info.code).toEqualTypeOf<number>())
    server.on('error', (error) => expectTypeOf(error.code).toBeString())
    // @ts-expect-error not a server event
    server.on('message', () => {})
  })
})

describe('one event map for both ends', () => {
  it('is the map the client takes', () => {
    expectTypeOf<Chat>().toExtend<SocketEvents>()
  })

  it('has no requests when the map declares none, like the client', () => {
    const plain = createSocketServer<{ in: { a: number }; out: { b: string } }>({ noServer: true })
    // @ts-expect-error no `requests` in the map
    plain.handle('anything', () => 1)
  })
})

describe('identities', () => {
  it('carries the identity type from authenticate', () => {
    const typed = createSocketServer<Chat, { id: string; role: 'admin' | 'user' }>({
      noServer: true,
      authenticate: () => ({ id: 'u', role: 'admin' }),
    })
    typed.on('connection', (c) => expectTypeOf(c.identity.role).toEqualTypeOf<'admin' | 'user'>())
    createSocketServer<Chat, { id: string; role: 'admin' | 'user' }>({
      noServer: true,
      // @ts-expect-error role is not one of the allowed values
      authenticate: () => ({ id: 'u', role: 'root' }),
    })
  })

  it('only allows identities that have a key', () => {
    // @ts-expect-error an identity needs to be a string, a number or have an id
    createSocketServer<Chat, { name: string }>({ noServer: true })
  })
})

describe('untyped use', () => {
  it('accepts any name and payload without an event map', () => {
    const loose = createSocketServer({ noServer: true })
    loose.broadcast('anything', { at: 'all' })
    loose.on('connection', (c) => {
      c.emit('x')
      c.on('y', (data) => expectTypeOf(data).toBeUnknown())
    })
    loose.handle('z', async (data) => data)
  })
})

describe('reliable delivery option', () => {
  it('takes plain, reliable, or reliable with its limits', () => {
    createSocketServer({ noServer: true, delivery: 'reliable' })
    createSocketServer({ noServer: true, delivery: 'plain' })
    createSocketServer({
      noServer: true,
      delivery: { reliable: { bufferSize: 500, maxAge: 60_000 } },
    })
    // @ts-expect-error not a delivery mode
    createSocketServer({ noServer: true, delivery: 'exactly-once' })
    // @ts-expect-error limits go under `reliable`
    createSocketServer({ noServer: true, delivery: { bufferSize: 500 } })
    expectTypeOf(server.stats.sessions.buffered).toEqualTypeOf<number>()
  })
})
