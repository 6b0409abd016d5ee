import { describe, expectTypeOf, it } from 'vitest'
import { computed, ref, type ShallowRef } from 'vue'
import {
  type ConnectionStatus,
  type ReadyState,
  type SocketMessage,
  type StopInfo,
  type TetheredError,
  type UseWebSocketOptions,
  useSocket,
  useWebSocket,
} from '../src'

type Chat = {
  in: { message: { from: string; text: string }; joined: { name: string } }
  out: { message: { text: string }; typing: undefined }
  requests: { history: { data: { limit: number }; reply: string[] } }
}
type Msg = { kind: 'tick'; n: number }

describe('useWebSocket types', () => {
  it('takes a url as a value, ref, computed or getter, and options as a value, ref or getter', () => {
    const url = ref<string | null>('wss://x')
    useWebSocket('wss://x')
    useWebSocket(new URL('wss://x'))
    useWebSocket(url)
    useWebSocket(computed(() => url.value))
    useWebSocket(() => url.value)
    useWebSocket(async () => 'wss://x')
    useWebSocket(null)
    useWebSocket('wss://x', ref<UseWebSocketOptions>({ share: true }))
    useWebSocket('wss://x', () => ({ connect: url.value !== null, immediate: true }))
    // @ts-expect-error a number is no url
    useWebSocket(42)
    // @ts-expect-error no such option
    useWebSocket('wss://x', { sharee: true })
    // @ts-expect-error `connect` is a boolean
    useWebSocket('wss://x', { connect: 'yes' })
  })

  it('returns readonly shallow refs typed by In and sends typed by Out', () => {
    const ws = useWebSocket<Msg, { hello: string }>('wss://x', {
      filter: (_event, json) => json?.kind === 'tick',
      onMessage: (_event, json) => expectTypeOf(json).toEqualTypeOf<Msg | undefined>(),
      onError: (error) => expectTypeOf(error).toEqualTypeOf<TetheredError>(),
    })
    expectTypeOf(ws.lastJsonMessage).toEqualTypeOf<Readonly<ShallowRef<Msg | null>>>()
    expectTypeOf(ws.lastJsonMessage.value).toEqualTypeOf<Msg | null>()
    expectTypeOf(ws.readyState.value).toEqualTypeOf<ReadyState>()
    expectTypeOf(ws.lastMessage.value).toEqualTypeOf<MessageEvent | null>()
    expectTypeOf(ws.nextReconnectAt.value).toEqualTypeOf<number | null>()
    expectTypeOf(ws.error.value).toEqualTypeOf<TetheredError | null>()
    ws.sendJsonMessage({ hello: 'there' })
    // @ts-expect-error the payload must be Out
    ws.sendJsonMessage({ hello: 1 })
    // @ts-expect-error readonly
    ws.readyState.value = 1
  })
})

describe('useSocket types', () => {
  const chat = useSocket<Chat>('wss://x', {
    on: {
      message: (data, envelope) => {
        expectTypeOf(data).toEqualTypeOf<{ from: string; text: string }>()
        expectTypeOf(envelope.type).toEqualTypeOf<'message'>()
      },
      joined: (data) => expectTypeOf(data).toEqualTypeOf<{ name: string }>(),
    },
  })
  // @ts-expect-error not an incoming event
  useSocket<Chat>('wss://x', { on: { typing: () => {} } })

  it('types emit by Events["out"]', () => {
    chat.emit('message', { text: 'hi' })
    chat.emit('typing')
    // @ts-expect-error wrong payload
    chat.emit('message', { text: 1 })
    // @ts-expect-error missing payload
    chat.emit('message')
    // @ts-expect-error not an outgoing event
    chat.emit('joined', { name: 'x' })
  })

  it('types request by Events["requests"]', () => {
    expectTypeOf(chat.request('history', { limit: 5 })).toEqualTypeOf<Promise<string[]>>()
    // @ts-expect-error wrong request data
    chat.request('history', { limit: '5' })
    // @ts-expect-error no such request
    chat.request('nope', {})
  })

  it('types on(type, handler) by Events["in"]', () => {
    const off = chat.on('joined', (data) => expectTypeOf(data).toEqualTypeOf<{ name: string }>())
    expectTypeOf(off).toEqualTypeOf<() => void>()
    // @ts-expect-error not an incoming event
    chat.on('typing', () => {})
  })

  it('makes lastMessage a union that narrows, limited to the chosen types', () => {
    expectTypeOf(chat.lastMessage.value).toEqualTypeOf<SocketMessage<Chat> | null>()
    const last = chat.lastMessage.value
    if (last?.type === 'joined') expectTypeOf(last.data).toEqualTypeOf<{ name: string }>()

    const joins = useSocket<Chat, 'joined'>('wss://x', { types: ['joined'] })
    expectTypeOf(joins.lastMessage.value).toEqualTypeOf<{
      type: 'joined'
      data: { name: string }
    } | null>()
    // @ts-expect-error a type outside the chosen ones
    useSocket<Chat, 'joined'>('wss://x', { types: ['message'] })
    // @ts-expect-error not an incoming event
    useSocket<Chat>('wss://x', { types: ['typing'] })
  })

  it('exposes the status and why the socket stopped, with the types exported here', () => {
    const ws = useWebSocket('wss://x')
    expectTypeOf(ws.status.value).toEqualTypeOf<ConnectionStatus>()
    expectTypeOf(ws.stopped.value).toEqualTypeOf<StopInfo | null>()
    expectTypeOf(useSocket<Chat>('wss://x').status.value).toEqualTypeOf<ConnectionStatus>()
    expectTypeOf<StopInfo['reason']>().toEqualTypeOf<'manual' | 'policy' | 'attempts' | 'error'>()
  })
})
