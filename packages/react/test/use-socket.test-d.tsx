import { describe, expectTypeOf, it } from 'vitest'
import {
  type ConnectionStatus,
  type SocketMessage,
  type StopInfo,
  type TetheredError,
  useSocket,
  useWebSocket,
} from '../src'

type Chat = {
  in: { message: { from: string; text: string }; joined: { name: string } }
  out: { message: { text: string }; typing: undefined }
  requests: { history: { data: { limit: number }; reply: string[] } }
}
const url = 'wss://example.com/chat'

describe('useSocket types', () => {
  it('types emit by Events["out"]', () => {
    const chat = useSocket<Chat>(url)
    expectTypeOf(chat.emit('message', { text: 'hi' })).toEqualTypeOf<boolean>()
    chat.emit('typing')
    // @ts-expect-error: no such outgoing type
    chat.emit('mesage', { text: 'hi' })
    // @ts-expect-error: incoming types cannot be emitted
    chat.emit('joined', { name: 'ann' })
    // @ts-expect-error: wrong payload
    chat.emit('message', { txt: 'hi' })
    // @ts-expect-error: wrong payload type
    chat.emit('message', { text: 1 })
    // @ts-expect-error: the payload is required
    chat.emit('message')
  })

  it('types request data and reply', () => {
    const chat = useSocket<Chat>(url)
    expectTypeOf(chat.request('history', { limit: 5 }, { timeout: 1_000 })).toEqualTypeOf<
      Promise<string[]>
    >()
    // @ts-expect-error: no such request
    chat.request('histories', { limit: 5 })
    // @ts-expect-error: wrong request data
    chat.request('history', { limit: '5' })
  })

  it('types `on` handlers by Events["in"]', () => {
    useSocket<Chat>(url, {
      on: {
        joined: (data, envelope) => {
          expectTypeOf(data).toEqualTypeOf<{ name: string }>()
          expectTypeOf(envelope.type).toEqualTypeOf<'joined'>()
        },
      },
    })
    useSocket<Chat>(url, {
      on: {
        // @ts-expect-error: no such incoming type
        left: () => {},
      },
    })
    useSocket<Chat>(url, {
      on: {
        // @ts-expect-error: wrong payload type for the handler
        joined: (data: { name: number }) => data,
      },
    })
    const chat = useSocket<Chat>(url)
    chat.on('message', (data) => expectTypeOf(data.text).toEqualTypeOf<string>())
    // @ts-expect-error: no such incoming type
    chat.on('typing', () => {})
  })

  it('types `types` and lastMessage', () => {
    // @ts-expect-error: no such incoming type
    useSocket<Chat>(url, { types: ['left'] })

    const all = useSocket<Chat>(url, { types: ['joined'] })
    expectTypeOf(all.lastMessage).toEqualTypeOf<SocketMessage<Chat> | null>()
    if (all.lastMessage?.type === 'joined') {
      expectTypeOf(all.lastMessage.data).toEqualTypeOf<{ name: string }>()
    }

    const some = useSocket<Chat, 'message'>(url, { types: ['message'] })
    expectTypeOf(some.lastMessage).toEqualTypeOf<{
      type: 'message'
      data: { from: string; text: string }
    } | null>()
    // @ts-expect-error: `types` must stay within the second type argument
    useSocket<Chat, 'message'>(url, { types: ['joined'] })

    expectTypeOf(all.error).toEqualTypeOf<TetheredError | null>()
  })

  it('rejects custom envelope keys of the wrong shape', () => {
    useSocket<Chat>(url, { keys: { type: 'ModeCode', data: 'msg' } })
    // @ts-expect-error: keys are field names
    useSocket<Chat>(url, { keys: { type: 1 } })
  })
})

describe('useWebSocket types', () => {
  it('types lastJsonMessage, sendJsonMessage and filter by In / Out', () => {
    type In = { kind: 'a' | 'b' }
    type Out = { op: string }
    const ws = useWebSocket<In, Out>(url, {
      filter: (_event, json) => {
        expectTypeOf(json).toEqualTypeOf<In | undefined>()
        return json?.kind === 'a'
      },
    })
    expectTypeOf(ws.lastJsonMessage).toEqualTypeOf<In | null>()
    expectTypeOf(ws.lastMessage).toEqualTypeOf<MessageEvent | null>()
    ws.sendJsonMessage({ op: 'x' })
    // @ts-expect-error: not an Out
    ws.sendJsonMessage({ op: 1 })
    // @ts-expect-error: connect is a boolean
    useWebSocket(url, {}, 'yes')
    // @ts-expect-error: no such option
    useWebSocket(url, { reconectAttempts: 3 })
  })

  it('exposes the status and why the socket stopped, with the types exported here', () => {
    const ws = useWebSocket(url)
    expectTypeOf(ws.status).toEqualTypeOf<ConnectionStatus>()
    expectTypeOf(ws.stopped).toEqualTypeOf<StopInfo | null>()
    expectTypeOf(useSocket<Chat>(url).status).toEqualTypeOf<ConnectionStatus>()
    expectTypeOf<StopInfo['reason']>().toEqualTypeOf<'manual' | 'policy' | 'attempts' | 'error'>()
  })
})
