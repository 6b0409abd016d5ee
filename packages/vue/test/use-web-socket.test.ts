// What is Vue's own in useWebSocket: readonly shallow refs, refs, getters and reactive options as
// inputs, effect scopes. The behaviour both bindings share is in test/bindings/scenarios/.
import { describe, expect, it } from 'vitest'
import { isReactive, isReadonly, isRef, reactive, ref, shallowRef } from 'vue'
import { ReadyState, type UseWebSocketOptions, type UseWebSocketReturn, useWebSocket } from '../src'
import {
  inScope,
  mountSetup,
  nextTick,
  startServer,
  takeWarnings,
  until,
  WebSocket,
} from './support'

type Msg = { type: string; n: number }
const base = { WebSocket, reconnectInterval: 20 } as const
const isOpen = (ws: UseWebSocketReturn<Msg>) => () => ws.readyState.value === ReadyState.OPEN

describe('useWebSocket in a component', () => {
  it('opens, shows messages as readonly shallow refs, sends, and closes on unmount', async () => {
    const server = await startServer()
    const m = mountSetup(
      () => useWebSocket<Msg, Msg>(server.url(), base),
      (ws) => [ws.readyState.value, ws.lastJsonMessage.value],
    )
    const ws = m.api
    expect(ws.readyState.value).toBe(ReadyState.CONNECTING)
    await until(isOpen(ws), 'open')
    expect(m.wrapper.text()).toBe('[1,null]')

    server.send(JSON.stringify({ type: 'a', n: 1 }))
    await until(() => ws.lastJsonMessage.value?.n === 1, 'the first message')
    expect(ws.lastMessage.value?.data).toBe('{"type":"a","n":1}')
    // Shallow: the parsed message is handed over as it is, not made deeply reactive.
    expect(isReactive(ws.lastJsonMessage.value)).toBe(false)
    await nextTick()
    expect(m.wrapper.text()).toBe('[1,{"type":"a","n":1}]')

    // Readonly: a write is refused (with Vue's warning) and changes nothing.
    expect(isRef(ws.readyState) && isReadonly(ws.readyState)).toBe(true)
    ;(ws.readyState as { value: number }).value = 3
    expect(ws.readyState.value).toBe(ReadyState.OPEN)
    expect(takeWarnings().join()).toMatch(/readonly/)

    expect(ws.sendJsonMessage({ type: 'b', n: 2 })).toBe(true)
    expect(ws.sendMessage('raw')).toBe(true)
    await server.until(() => server.received.length === 2, 'both sends')
    expect(server.received).toEqual(['{"type":"b","n":2}', 'raw'])
    expect(ws.getWebSocket()).toBeInstanceOf(WebSocket)

    m.unmount()
    await server.until(() => server.open === 0, 'the socket to close after unmount')
    expect(server.sockets).toHaveLength(1)
  })

  it('follows a getter url and a reactive options object', async () => {
    const server = await startServer()
    const room = ref('one')
    const options = reactive<UseWebSocketOptions<Msg>>({ ...base, queryParams: { v: 1 } })
    const { api: ws } = mountSetup(() =>
      useWebSocket<Msg>(() => server.url(`/${room.value}`), options),
    )
    await until(isOpen(ws), 'open')
    room.value = 'two'
    await server.until(() => server.sockets.length === 2 && server.open === 1, 'the second room')
    options.queryParams = { v: 2 }
    await server.until(() => server.sockets.length === 3 && server.open === 1, 'new query params')
    expect(server.paths).toEqual(['/one?v=1', '/two?v=1', '/two?v=2'])
    // Same values in a new object: no reconnect.
    options.queryParams = { v: 2 }
    options.onMessage = () => {}
    await nextTick()
    server.send('{"type":"x","n":1}')
    await until(() => ws.lastJsonMessage.value?.n === 1, 'a message on the same socket')
    expect(server.sockets).toHaveLength(3)
  })

  it('calls an async url provider once before every attempt, and never to find out what it is', async () => {
    const server = await startServer()
    let calls = 0
    const provider = async () => {
      calls++
      return server.url(`/token-${calls}`)
    }
    const { api: ws } = mountSetup(() => useWebSocket<Msg>(provider, base))
    await until(isOpen(ws), 'open')
    const first = server.paths[0]
    server.sockets[0]?.terminate()
    await server.until(() => server.sockets.length === 2, 'the reconnect')
    // A new token for the new attempt: the provider is core's, not a one-off getter, and no
    // token was fetched only to be thrown away.
    expect([first, server.paths[1]]).toEqual(['/token-1', '/token-2'])
    expect(calls).toBe(2)
  })

  it('calls the latest callbacks without reconnecting', async () => {
    const server = await startServer()
    // Reactive, so `until` sees it change.
    const calls = reactive<string[]>([])
    const options = shallowRef<UseWebSocketOptions<Msg>>({
      ...base,
      onOpen: () => calls.push('open'),
      onMessage: (_e, json) => calls.push(`old:${json?.n}`),
    })
    const { api: ws } = mountSetup(() => useWebSocket<Msg>(server.url(), options))
    await until(isOpen(ws), 'open')
    server.send('{"type":"x","n":1}')
    await until(() => ws.lastJsonMessage.value?.n === 1, 'message 1')

    options.value = {
      ...base,
      onMessage: (_e, json) => calls.push(`new:${json?.n}`),
      onError: (e) => calls.push(`error:${e.code}`),
      onClose: (info) => calls.push(`close:${info.code}`),
      onReconnectStop: (info) => calls.push(`stop:${info.reason}`),
    }
    await nextTick()
    server.send('{"type":"x","n":2}')
    server.send('not json')
    await until(() => ws.error.value?.code === 'PARSE', 'the parse error')
    // 1008 (policy) is terminal under the default close-code policy.
    server.sockets[0]?.close(1008, 'go away')
    await until(() => calls.includes('stop:policy'), 'reconnect stop')
    await until(() => ws.readyState.value === ReadyState.CLOSED, 'CLOSED')
    expect(calls).toEqual([
      'open',
      'old:1',
      'new:2',
      // The error is reported as the message is parsed, before onMessage sees it.
      'error:PARSE',
      'new:undefined',
      'close:1008',
      'stop:policy',
    ])
    expect(server.sockets).toHaveLength(1)
  })

  it.each([
    ['connect: false', { connect: false }],
    ['immediate: false', { immediate: false }],
  ] as const)('%s starts closed; open() connects and close() closes', async (_name, start) => {
    const server = await startServer()
    const { api: ws } = mountSetup(() => useWebSocket<Msg>(server.url(), { ...base, ...start }))
    await nextTick()
    expect(ws.readyState.value).toBe(ReadyState.UNINSTANTIATED)
    expect(ws.sendMessage('x')).toBe(false)
    ws.open()
    await until(isOpen(ws), 'open after open()')
    ws.close()
    await until(() => ws.readyState.value === ReadyState.CLOSED, 'closed')
    await server.until(() => server.open === 0, 'the server side to close')
    expect(ws.reconnectAttempt.value).toBe(0)
    expect(ws.nextReconnectAt.value).toBeNull()
    expect(server.sockets).toHaveLength(1)
  })

  it('connects and closes as a reactive connect option changes', async () => {
    const server = await startServer()
    const on = ref(false)
    const { api: ws } = mountSetup(() =>
      useWebSocket<Msg>(server.url(), () => ({ ...base, connect: on.value })),
    )
    await nextTick()
    expect(server.sockets).toHaveLength(0)
    on.value = true
    await until(isOpen(ws), 'open')
    on.value = false
    await until(() => ws.readyState.value === ReadyState.UNINSTANTIATED, 'closed again')
    await server.until(() => server.open === 0, 'the server side to close')
  })
})

describe('useWebSocket lifetime', () => {
  it('closes when a bare effectScope stops, and a later open() opens nothing', async () => {
    const server = await startServer()
    const { api: ws, scope } = inScope(() => useWebSocket<Msg>(server.url(), base))
    await until(isOpen(ws), 'open')
    scope.stop()
    await server.until(() => server.open === 0, 'the close on scope stop')
    ws.open()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(server.sockets).toHaveLength(1)
    expect(ws.getWebSocket()).toBeNull()
  })

  it('warns when called outside of any scope', () => {
    const ws = useWebSocket<Msg>('ws://127.0.0.1:9/', { ...base, connect: false })
    expect(ws.readyState.value).toBe(ReadyState.UNINSTANTIATED)
    const [warning, ...rest] = takeWarnings()
    expect(rest).toEqual([])
    expect(warning).toMatch(/useWebSocket\(\) was called outside .*never be released/)
  })
})
