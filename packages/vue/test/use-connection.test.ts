import { createConnection } from '@tethered/core'
import { afterEach, describe, expect, it } from 'vitest'
import { ref } from 'vue'
import { type Connection, ReadyState, useConnection } from '../src'
import { inScope, nextTick, startServer, until, WebSocket } from './support'

type Msg = { type: string; n: number }
const made: Connection<Msg, Msg>[] = []
const connection = (url: string) => {
  const c = createConnection<Msg, Msg>(url, { WebSocket, reconnectInterval: 20 })
  made.push(c)
  return c
}
afterEach(() => {
  for (const c of made.splice(0)) c.dispose()
})

describe('useConnection lifetime', () => {
  it('a stopped effectScope removes its handlers and leaves the connection open', async () => {
    const server = await startServer()
    const c = connection(server.url())
    let seen = 0
    const { api, scope } = inScope(() => useConnection(c, { onMessage: () => seen++ }))
    await until(() => api.readyState.value === ReadyState.OPEN, 'open')
    server.send('{"type":"a","n":1}')
    await until(() => api.lastJsonMessage.value?.n === 1, 'the message')
    scope.stop()
    const second = new Promise<void>((resolve) =>
      c.on('message', (_event, json) => json?.n === 2 && resolve()),
    )
    server.send('{"type":"a","n":2}')
    await second
    expect(c.sendMessage('after')).toBe(true)
    await server.until(() => server.received.includes('after'), 'a send after the stop')
    expect(seen).toBe(1)
    expect(api.lastJsonMessage.value?.n).toBe(1)
    expect(server.open).toBe(1)
  })

  it('follows a connection in a ref and moves to another', async () => {
    const server = await startServer()
    const first = connection(server.url('/a'))
    const second = connection(server.url('/b'))
    const current = ref(first)
    const { api } = inScope(() => useConnection(current))
    await until(() => api.readyState.value === ReadyState.OPEN, 'open on /a')
    current.value = second
    await nextTick()
    expect(api.getWebSocket()).toBe(second.getWebSocket())
    await until(() => api.readyState.value === ReadyState.OPEN, 'open on /b')
    server.send('{"type":"b","n":3}')
    await until(() => api.lastJsonMessage.value?.n === 3, 'a message on /b')
    // The one it left is still open.
    expect(first.getSnapshot().readyState).toBe(ReadyState.OPEN)
  })
})
