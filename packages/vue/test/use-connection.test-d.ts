import { createConnection } from '@tethered/core'
import { describe, expectTypeOf, it } from 'vitest'
import { computed, type ShallowRef, shallowRef } from 'vue'
import { type Connection, useConnection, useConnectionSocket } from '../src'

type Tick = { kind: 'tick'; n: number }
type Command = { cmd: 'start' | 'stop' }
const ticks = createConnection<Tick, Command>('wss://example.com/ticks', { connect: false })

describe('useConnection types', () => {
  it('takes In and Out from the connection, given as a value, ref, computed or getter', () => {
    const t = useConnection(ticks)
    expectTypeOf(t.lastJsonMessage).toEqualTypeOf<Readonly<ShallowRef<Tick | null>>>()
    expectTypeOf(t.sendJsonMessage({ cmd: 'start' })).toEqualTypeOf<boolean>()
    // @ts-expect-error: not an Out of this connection
    t.sendJsonMessage({ cmd: 'pause' })
    const current = shallowRef<Connection<Tick, Command>>(ticks)
    expectTypeOf(useConnection(current).lastJsonMessage.value).toEqualTypeOf<Tick | null>()
    expectTypeOf(
      useConnection(computed(() => current.value)).lastJsonMessage.value,
    ).toEqualTypeOf<Tick | null>()
    expectTypeOf(useConnection(() => ticks).lastJsonMessage.value).toEqualTypeOf<Tick | null>()
  })

  it("types the component's filter and callbacks by In", () => {
    useConnection(ticks, {
      filter: (_event, json) => json?.n === 1,
      onMessage: (_event, json) => expectTypeOf(json).toEqualTypeOf<Tick | undefined>(),
    })
    // @ts-expect-error: In is Tick: it has no `type`
    useConnection(ticks, { filter: (_event, json) => json?.type === 'x' })
    // @ts-expect-error: the connection's own options are set where it is made
    useConnection(ticks, { share: true })
    // @ts-expect-error: a url is useWebSocket's
    useConnection('wss://example.com')
  })
})

type Chat = {
  in: { message: { text: string }; joined: { name: string } }
  out: { message: { text: string } }
}

describe('useConnectionSocket types', () => {
  it('types events, the chosen types and the handlers by the event map, on any connection', () => {
    const chat = useConnectionSocket<Chat, 'message'>(ticks, {
      types: ['message'],
      on: { joined: (data) => expectTypeOf(data).toEqualTypeOf<{ name: string }>() },
    })
    expectTypeOf(chat.lastMessage.value).toEqualTypeOf<{
      type: 'message'
      data: { text: string }
    } | null>()
    expectTypeOf(chat.emit('message', { text: 'hi' })).toEqualTypeOf<boolean>()
    // @ts-expect-error: not an out event of Chat
    chat.emit('joined', { name: 'x' })
    // @ts-expect-error: the connection's own options are set where it is made
    useConnectionSocket<Chat>(ticks, { share: true })
  })
})
