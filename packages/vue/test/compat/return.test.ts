import { describe, expect, it, vi } from 'vitest'
import { isRef, shallowRef } from 'vue'
import { useWebSocket } from '../../src/compat'
import { inScope, MockWebSocket, mockServer, tick } from './support'

// What `useWebSocket` from `@tethered/vue/compat` returns and calls, in VueUse's shapes.

describe('the return value', () => {
  it('is VueUse’s: data, status, ws as refs that move with each event; send, open, close', async () => {
    const server = mockServer()
    const { api } = inScope(() => useWebSocket(server.url))
    expect(Object.keys(api).sort()).toEqual(['close', 'data', 'open', 'send', 'status', 'ws'])
    expect([isRef(api.data), isRef(api.status), isRef(api.ws)]).toEqual([true, true, true])
    expect(api.status.value).toBe('CONNECTING')
    expect(api.ws.value).toBeInstanceOf(MockWebSocket)
    expect(api.data.value).toBeNull()
    await tick()
    expect(api.status.value).toBe('OPEN')
    // `data` is the raw `event.data`: no parsing, as in VueUse.
    server.last.send('{"a":1}')
    expect(api.data.value).toBe('{"a":1}')
    server.last.close({ code: 4000, reason: 'bye', wasClean: true })
    await tick()
    expect(api.status.value).toBe('CLOSED')
    // The closed socket stays in `ws` until close() or the next socket.
    expect(api.ws.value).toBeInstanceOf(MockWebSocket)
  })

  it('the socket gets the url as written and protocols [] unless given', async () => {
    const server = mockServer()
    const made = vi.fn()
    class Recording extends MockWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        made(url, protocols)
        super(url, protocols)
      }
    }
    vi.stubGlobal('WebSocket', Recording)
    inScope(() => useWebSocket(server.url))
    inScope(() => useWebSocket(`${server.url}/room`, { protocols: ['v1'] }))
    expect(made.mock.calls).toEqual([
      [server.url, []],
      [`${server.url}/room`, ['v1']],
    ])
  })

  it('send: true when sent now; before open it is kept (useBuffer) and flushed in order, or dropped', async () => {
    const server = mockServer()
    const { api } = inScope(() => useWebSocket(server.url))
    expect(api.send('one')).toBe(false)
    expect(api.send('lost', false)).toBe(false)
    expect(api.send('two', true)).toBe(false)
    await tick()
    expect(api.send('three')).toBe(true)
    await tick()
    expect(server.received).toEqual(['one', 'two', 'three'])
  })

  it('the kept messages are bounded: past 1,000 the oldest is dropped', async () => {
    const server = mockServer()
    const { api } = inScope(() => useWebSocket(server.url))
    for (let i = 0; i < 1_001; i++) api.send(String(i))
    await tick()
    expect(server.received).toHaveLength(1_000)
    expect(server.received[0]).toBe('1')
    expect(server.received.at(-1)).toBe('1000')
  })

  it('close(code, reason) reaches the socket as given, stops reconnecting and empties ws', async () => {
    const server = mockServer()
    const { api } = inScope(() => useWebSocket(server.url, { autoReconnect: true }))
    await tick()
    const socket = api.ws.value as WebSocket
    const close = vi.spyOn(socket, 'close')
    api.close(4001, 'done')
    // First, so the socket closes with exactly these (what core adds later is a no-op).
    expect(close.mock.calls[0]).toEqual([4001, 'done'])
    expect(api.status.value).toBe('CLOSED')
    expect(api.ws.value).toBeUndefined()
    await tick(60_000)
    expect(server.clients).toHaveLength(1)
  })

  it('open() closes the current socket and opens a new one, also after close()', async () => {
    const server = mockServer()
    const { api } = inScope(() => useWebSocket(server.url))
    await tick()
    const first = api.ws.value
    api.open()
    expect(api.status.value).toBe('CONNECTING')
    await tick()
    expect(api.ws.value).not.toBe(first)
    expect(first?.readyState).toBe(WebSocket.CLOSED)
    api.close()
    api.open()
    await tick()
    expect(api.status.value).toBe('OPEN')
    expect(server.clients).toHaveLength(3)
  })
})

describe('callbacks get VueUse’s arguments', () => {
  it('onConnected(ws), onMessage(ws, event), onDisconnected(ws, the close event)', async () => {
    const server = mockServer()
    const calls: unknown[][] = []
    const { api } = inScope(() =>
      useWebSocket(server.url, {
        onConnected: (ws) => calls.push(['connected', ws]),
        onMessage: (ws, event) => calls.push(['message', ws, event.data]),
        onDisconnected: (ws, event) => calls.push(['disconnected', ws, event]),
      }),
    )
    await tick()
    const ws = api.ws.value
    server.last.send('hi')
    server.last.close({ code: 4002, reason: 'later', wasClean: true })
    await tick()
    expect(calls).toEqual([
      ['connected', ws],
      ['message', ws, 'hi'],
      ['disconnected', ws, expect.objectContaining({ type: 'close', code: 4002, reason: 'later' })],
    ])
  })

  it('onError(ws, the socket’s own error event)', async () => {
    const server = mockServer()
    const onError = vi.fn()
    const { api } = inScope(() => useWebSocket(server.url, { onError }))
    await tick()
    const event = new Event('error')
    ;(api.ws.value as WebSocket).onerror?.(event)
    expect(onError).toHaveBeenCalledWith(api.ws.value, event)
    expect(onError.mock.calls[0]?.[1]).toBe(event)
  })

  it('a socket declared dead gets a CloseEvent with code 1006', async () => {
    const server = mockServer() // never answers a ping
    const onDisconnected = vi.fn()
    inScope(() => useWebSocket(server.url, { heartbeat: true, onDisconnected }))
    await tick(3_000)
    expect(onDisconnected).toHaveBeenCalledTimes(1)
    const event = onDisconnected.mock.calls[0]?.[1]
    expect(event).toBeInstanceOf(CloseEvent)
    expect(event).toMatchObject({ code: 1006, wasClean: false })
  })
})

describe('a superseded socket', () => {
  it('is ignored: its late message and close change nothing once the url moved', async () => {
    const url = shallowRef(mockServer().url)
    const next = mockServer()
    const onMessage = vi.fn()
    const onDisconnected = vi.fn()
    const { api } = inScope(() => useWebSocket(url, { onMessage, onDisconnected }))
    await tick()
    const old = api.ws.value as WebSocket
    const { onmessage, onclose } = old
    url.value = next.url
    await tick()
    expect(api.status.value).toBe('OPEN')
    onDisconnected.mockClear()
    // What a browser may still deliver for the old socket after the switch.
    ;(onmessage as ((e: MessageEvent) => void) | null)?.(
      new MessageEvent('message', { data: 'late' }),
    )
    ;(onclose as ((e: CloseEvent) => void) | null)?.(new CloseEvent('close', { code: 1006 }))
    expect(api.data.value).toBeNull()
    expect(onMessage).not.toHaveBeenCalled()
    expect(onDisconnected).not.toHaveBeenCalled()
    expect(api.status.value).toBe('OPEN')
  })
})
