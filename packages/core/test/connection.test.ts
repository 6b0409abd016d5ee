import { WebSocket as MockWebSocket } from 'mock-socket'
import { describe, expect, it, vi } from 'vitest'
import {
  type CloseInfo,
  createConnection,
  type DeliveryFactory,
  ReadyState,
  TetheredError,
  type WebSocketConstructor,
} from '../src'
import { mockServer, tick, useFakeClock } from './support'

const connect = useFakeClock()

describe('readyState', () => {
  it('goes CONNECTING → OPEN → CLOSING → CLOSED through open and a manual close', async () => {
    const { url } = mockServer()
    const c = connect(url)
    const seen: number[] = [c.getSnapshot().readyState]
    c.subscribe(() => seen.push(c.getSnapshot().readyState))
    await tick()
    c.close()
    await tick()
    expect(seen).toEqual([
      ReadyState.CONNECTING,
      ReadyState.OPEN,
      ReadyState.CLOSING,
      ReadyState.CLOSED,
    ])
  })

  it('is UNINSTANTIATED for a null url and with connect: false, until open()', async () => {
    const { url } = mockServer()
    expect(connect(null).getSnapshot().readyState).toBe(ReadyState.UNINSTANTIATED)
    const c = connect(url, { connect: false })
    expect(c.getSnapshot().readyState).toBe(ReadyState.UNINSTANTIATED)
    expect(c.getWebSocket()).toBeNull()
    c.open()
    await tick()
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
    expect(c.getWebSocket()?.url).toBe(url)
  })

  it('does not reconnect after a manual close until open()', async () => {
    const server = mockServer()
    const c = connect(server.url)
    await tick()
    c.close(4000, 'bye')
    await tick(60_000)
    expect(server.clients).toHaveLength(1)
    expect(c.getSnapshot().readyState).toBe(ReadyState.CLOSED)
    c.open()
    await tick()
    expect(server.clients).toHaveLength(2)
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
  })

  it('dispose closes the socket, stops every timer and ignores later calls', async () => {
    const server = mockServer()
    const c = connect(server.url, { heartbeat: true })
    await tick()
    const listener = vi.fn()
    c.subscribe(listener)
    c.dispose()
    await tick() // mock-socket's own close delay
    expect(vi.getTimerCount()).toBe(0)
    c.open()
    expect(c.sendMessage('x')).toBe(false)
    await tick(100_000)
    expect(server.clients).toHaveLength(1)
    expect(listener).not.toHaveBeenCalled()
  })
})

describe('url', () => {
  it('resolves an async url provider before every attempt', async () => {
    const server = mockServer()
    const provider = vi.fn(async () => server.url)
    const c = connect(provider, { reconnectInterval: 100 })
    await tick()
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
    server.last.close({ code: 1006, reason: 'gone', wasClean: false })
    await tick(200)
    expect(provider).toHaveBeenCalledTimes(2)
    expect(server.clients).toHaveLength(2)
  })

  it('reports a rejecting provider as a failed attempt and retries, with no unhandled rejection', async () => {
    const server = mockServer()
    const provider = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new Error('token service down'))
      .mockResolvedValue(server.url)
    const errors: TetheredError[] = []
    const c = connect(provider, { reconnectInterval: 50, onError: (e) => errors.push(e) })
    await tick()
    expect(errors[0]?.code).toBe('URL_PROVIDER')
    expect(errors[0]?.message).toContain('token service down')
    expect(c.getSnapshot().readyState).toBe(ReadyState.CLOSED)
    await tick(100)
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
  })

  it('a provider that throws synchronously is a failed attempt too', async () => {
    const errors: string[] = []
    connect(
      () => {
        throw new Error('no token')
      },
      { reconnect: false, onError: (e) => errors.push(e.code) },
    )
    await tick()
    expect(errors).toEqual(['URL_PROVIDER'])
  })

  it('bounds a provider that never resolves by connectTimeout', async () => {
    const c = connect(() => new Promise<string>(() => {}), {
      connectTimeout: 1_000,
      reconnect: false,
    })
    await tick(999)
    expect(c.getSnapshot().readyState).toBe(ReadyState.CONNECTING)
    await tick(1)
    expect(c.getSnapshot().readyState).toBe(ReadyState.CLOSED)
    expect(c.getSnapshot().error?.code).toBe('CONNECT_TIMEOUT')
  })

  it('encodes queryParams, leaves out null ones and keeps the url’s own', async () => {
    const { url } = mockServer()
    const seen: string[] = []
    class Spy extends MockWebSocket {
      constructor(u: string | URL, p?: string | string[]) {
        seen.push(String(u))
        super(u, p)
      }
    }
    connect(`${url}?v=1`, {
      WebSocket: Spy,
      queryParams: { token: 'a b&c=d/é', n: 2, off: null, skip: undefined },
    })
    expect(seen[0]).toBe(`${url}?v=1&token=a+b%26c%3Dd%2F%C3%A9&n=2`)
  })

  it('turns http(s) into ws(s) and refuses other schemes with a clear error', () => {
    const seen: string[] = []
    class Spy extends MockWebSocket {
      constructor(u: string | URL, p?: string | string[]) {
        seen.push(String(u))
        super(u, p)
      }
    }
    connect('https://example.com/live', { WebSocket: Spy })
    expect(seen).toEqual(['wss://example.com/live'])
    const c = connect('ftp://example.com/live')
    expect(c.getSnapshot().readyState).toBe(ReadyState.CLOSED)
    expect(c.getSnapshot().error).toBeInstanceOf(TetheredError)
    expect(c.getSnapshot().error?.message).toMatch(/ftp:.*use ws:, wss:, http: or https:/)
  })

  it('reports an unparsable url in state without throwing, and never retries it', async () => {
    const c = connect('not a url', { reconnectInterval: 10 })
    await tick(1_000)
    const { error, readyState, nextReconnectAt } = c.getSnapshot()
    expect(readyState).toBe(ReadyState.CLOSED)
    expect(nextReconnectAt).toBeNull()
    expect(error?.code).toBe('INVALID_URL')
    expect(error?.message).toContain('Invalid url "not a url"')
  })
})

describe('socket options', () => {
  it('passes protocols and keeps binaryType across reconnects', async () => {
    const server = mockServer()
    const c = connect(server.url, {
      protocols: ['v1'],
      binaryType: 'arraybuffer',
      reconnectInterval: 10,
    })
    await tick()
    expect(c.getWebSocket()?.binaryType).toBe('arraybuffer')
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick(50)
    expect(server.clients).toHaveLength(2)
    expect(c.getWebSocket()?.binaryType).toBe('arraybuffer')
    expect(c.getWebSocket()?.protocol).toBe('v1')
  })

  it('says what to do when there is no WebSocket constructor', () => {
    const original = globalThis.WebSocket
    // Node 20's globalThis has no WebSocket; make sure of it whatever runs the test.
    Reflect.deleteProperty(globalThis, 'WebSocket')
    try {
      const c = createConnection('ws://localhost:1/', { batch: 'sync' })
      expect(c.getSnapshot().error?.code).toBe('NO_WEBSOCKET')
      expect(c.getSnapshot().error?.message).toMatch(/pass one, e.g. \{ WebSocket \} from "ws"/)
      expect(c.getSnapshot().readyState).toBe(ReadyState.CLOSED)
      c.dispose()
    } finally {
      if (original) globalThis.WebSocket = original
    }
  })

  it('rejects a close code the platform would refuse, naming the allowed ones', async () => {
    const { url } = mockServer()
    const c = connect(url)
    await tick()
    expect(() => c.close(999)).toThrow(/use 1000 or a code from 3000 to 4999/)
    expect(() => c.close(1001)).toThrow(RangeError)
    expect(() => c.close(1000, 'x'.repeat(124))).toThrow(/at most 123 bytes/)
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
  })
})

describe('a delivery plug-in that throws on a message', () => {
  // Open at once, and throws on the message 'bad' as `reliable` does on a malformed frame.
  const strict: DeliveryFactory = (_limit, _send, _report, ready) => ({
    open: () => ready({ id: 's', resumed: null }),
    resume() {},
    receive(event) {
      if (event.data === 'bad') throw new TypeError('boom')
      return event
    },
    send: () => false,
    pause() {},
  })

  it('fails the socket with 1002, reported as PROTOCOL: nothing escapes the listener', async () => {
    const server = mockServer()
    const errors: TetheredError[] = []
    const closes: CloseInfo[] = []
    const stops: string[] = []
    const messages: unknown[] = []
    const c = connect(server.url, {
      delivery: strict,
      parse: false,
      onError: (e) => errors.push(e),
      onClose: (info) => closes.push(info),
      onReconnectStop: (info) => stops.push(info.reason),
      onMessage: (event) => messages.push(event.data),
    })
    await tick()
    const socket = c.getWebSocket() as WebSocket
    const close = vi.spyOn(socket, 'close')
    server.last.send('good')
    // mock-socket calls the listener inside send(): a throw would surface right here.
    expect(() => server.last.send('bad')).not.toThrow()
    expect(messages).toEqual(['good'])
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['PROTOCOL', 'Protocol error: TypeError: boom'],
    ])
    expect(closes).toEqual([{ code: 1002, reason: errors[0]?.message, wasClean: false }])
    // 1002 is a close the default policy does not retry.
    expect(stops).toEqual(['policy'])
    expect(c.getSnapshot().readyState).toBe(ReadyState.CLOSED)
    // Like a browser, mock-socket refuses to send 1002: the socket is closed with 1000.
    expect(close.mock.calls).toEqual([[1002], [1000]])
    await tick()
    expect(socket.readyState).toBe(ReadyState.CLOSED)
    await tick(60_000)
    expect(server.clients).toHaveLength(1)
  })
})

describe('socket errors', () => {
  it('an error carrying a symbol that is no close code is reported, and the socket kept', async () => {
    const server = mockServer()
    const errors: string[] = []
    const c = connect(server.url, { onError: (e) => errors.push(e.code) })
    await tick()
    const ws = c.getWebSocket() as unknown as { onerror: (e: unknown) => void }
    // Another library's error, with an own symbol as ws's receiver errors have theirs.
    ws.onerror({
      message: 'odd',
      error: Object.assign(new Error('odd'), { [Symbol('flag')]: true }),
    })
    await tick()
    expect(errors).toEqual(['SOCKET'])
    expect(c.getSnapshot().status).toBe('open')
    expect(server.clients).toHaveLength(1)
  })
})

describe('what handlers get of the socket', () => {
  it('a socket error is reported with the socket’s own event as its cause', async () => {
    const server = mockServer()
    const causes: unknown[] = []
    const c = connect(server.url, { onError: (e) => causes.push(e.cause) })
    await tick()
    const ws = c.getWebSocket() as unknown as { onerror: (e: unknown) => void }
    const event = { type: 'error', message: 'boom' }
    ws.onerror(event)
    expect(causes).toEqual([event])
    expect(causes[0]).toBe(event)
  })

  it('a close handler gets the socket’s own close event beside the info; none for a made-up close', async () => {
    const server = mockServer()
    const seen: Array<[CloseInfo, unknown]> = []
    const c = connect(server.url, {
      reconnect: false,
      onClose: (info, event) => seen.push([info, event]),
    })
    const on = vi.fn()
    c.on('close', on)
    await tick()
    server.last.close({ code: 4001, reason: 'bye', wasClean: true })
    await tick()
    expect(seen).toHaveLength(1)
    const [info, event] = seen[0]!
    expect(info).toMatchObject({ code: 4001, reason: 'bye' })
    expect(event).toMatchObject({ type: 'close', code: 4001, reason: 'bye' })
    expect(on).toHaveBeenCalledWith(info, event)
    // close() while connecting makes its info up: there is no event to pass.
    c.open()
    c.close()
    expect(seen[1]).toEqual([{ code: 1000, reason: '', wasClean: true }, undefined])
  })

  it('sends on an open socket that has no readyState (a test double), and queues before open', () => {
    const sent: unknown[] = []
    let socket: { onopen: (e: Event) => void } | undefined
    const Bare = function Bare(this: { send: (d: unknown) => void; close: () => void }) {
      this.send = (d) => sent.push(d)
      this.close = () => {}
      socket = this as never
    } as unknown as WebSocketConstructor
    const c = createConnection('ws://localhost:1/', { WebSocket: Bare, batch: 'sync' })
    c.sendMessage('early')
    socket?.onopen(new Event('open'))
    expect(c.sendMessage('now')).toBe(true)
    expect(sent).toEqual(['early', 'now'])
    c.dispose()
  })
})
