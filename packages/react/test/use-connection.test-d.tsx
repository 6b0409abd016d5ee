import { createConnection } from '@tethered/core'
import { describe, expectTypeOf, it } from 'vitest'
import { type ConnectionStatus, useConnection } from '../src'

type Tick = { kind: 'tick'; n: number }
type Command = { cmd: 'start' | 'stop' }
const ticks = createConnection<Tick, Command>('wss://example.com/ticks', { connect: false })

describe('useConnection types', () => {
  it('takes In and Out from the connection', () => {
    const t = useConnection(ticks)
    expectTypeOf(t.lastJsonMessage).toEqualTypeOf<Tick | null>()
    expectTypeOf(t.status).toEqualTypeOf<ConnectionStatus>()
    expectTypeOf(t.sendJsonMessage({ cmd: 'start' })).toEqualTypeOf<boolean>()
    // @ts-expect-error: not an Out of this connection
    t.sendJsonMessage({ cmd: 'pause' })
  })

  it("types the component's filter and callbacks by In", () => {
    useConnection(ticks, {
      filter: (_event, json) => {
        expectTypeOf(json).toEqualTypeOf<Tick | undefined>()
        return json?.n === 1
      },
      onMessage: (_event, json) => expectTypeOf(json).toEqualTypeOf<Tick | undefined>(),
    })
    // @ts-expect-error: In is Tick: it has no `type`
    useConnection(ticks, { filter: (_event, json) => json?.type === 'x' })
    // @ts-expect-error: the connection's own options are set where it is made
    useConnection(ticks, { share: true })
  })

  it('refuses what is no connection', () => {
    // @ts-expect-error: a url is useWebSocket's
    useConnection('wss://example.com')
  })
})
