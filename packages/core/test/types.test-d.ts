import { describe, expectTypeOf, it } from 'vitest'
import {
  createConnection,
  createConnectionObserver,
  createSocketObserver,
  type ReadyState,
  type SocketMessage,
} from '../src'

type Chat = {
  in: { message: { text: string }; joined: { name: string } }
  out: { message: { text: string }; typing: undefined }
  requests: { history: { data: { limit: number }; reply: string[] } }
}

describe('types', () => {
  it('types lastJsonMessage and sendJsonMessage by In / Out', () => {
    const c = createConnection<{ n: number }, { cmd: 'go' }>('ws://x', { connect: false })
    expectTypeOf(c.getSnapshot().lastJsonMessage).toEqualTypeOf<{ n: number } | null>()
    expectTypeOf(c.getSnapshot().readyState).toEqualTypeOf<ReadyState>()
    c.sendJsonMessage({ cmd: 'go' })
    // @ts-expect-error: not an Out
    c.sendJsonMessage({ cmd: 'stop' })
  })

  it('a connection observer takes In / Out from its connection', () => {
    const c = createConnection<{ n: number }, { cmd: 'go' }>('ws://x', { connect: false })
    const o = createConnectionObserver(c, { filter: (_e, json) => json?.n === 1 })
    expectTypeOf(o.getSnapshot().lastJsonMessage).toEqualTypeOf<{ n: number } | null>()
    o.sendJsonMessage({ cmd: 'go' })
    // @ts-expect-error: not an Out
    o.sendJsonMessage({ cmd: 'stop' })
    // @ts-expect-error: In has no `t`
    createConnectionObserver(c, { filter: (_e, json) => json?.t === 1 })
  })

  it('types events, payloads, requests and lastMessage', () => {
    const s = createSocketObserver<Chat>('ws://x')
    s.emit('message', { text: 'hi' })
    s.emit('typing')
    // @ts-expect-error: unknown event name
    s.emit('massage', { text: 'hi' })
    // @ts-expect-error: wrong payload
    s.emit('message', { body: 'hi' })
    // @ts-expect-error: payload required
    s.emit('message')
    expectTypeOf(s.request('history', { limit: 1 })).toEqualTypeOf<Promise<string[]>>()
    // @ts-expect-error: not a request
    s.request('message', { text: 'x' })
    s.on('joined', (data) => expectTypeOf(data).toEqualTypeOf<{ name: string }>())
    // @ts-expect-error: unknown incoming type
    s.on('left', () => {})
    const last = s.getSnapshot().lastMessage
    expectTypeOf(last).toEqualTypeOf<SocketMessage<Chat> | null>()
    if (last?.type === 'joined') expectTypeOf(last.data).toEqualTypeOf<{ name: string }>()
  })
})
