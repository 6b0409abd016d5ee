import { sharedConnectionCount } from '@tethered/core'
import { describe, expect, it, vi } from 'vitest'
import { nextTick, shallowRef } from 'vue'
import { useWebSocket } from '../../src/compat'
import { inScope, mockServer, RefusedSocket, tick } from './support'

// Each VueUse option of `@tethered/vue/compat`'s `useWebSocket`, and Tethered's `share`.

describe('immediate, autoConnect and the url', () => {
  it('immediate: false stays CLOSED with no socket until open()', async () => {
    const server = mockServer()
    const { api } = inScope(() => useWebSocket(server.url, { immediate: false }))
    await tick()
    expect([api.status.value, api.ws.value, server.clients.length]).toEqual([
      'CLOSED',
      undefined,
      0,
    ])
    api.open()
    await tick()
    expect(api.status.value).toBe('OPEN')
  })

  it('immediate: false keeps what is sent before open(), as VueUse’s buffer does', async () => {
    const server = mockServer()
    const { api } = inScope(() => useWebSocket(server.url, { immediate: false }))
    api.send('early')
    api.open()
    await tick()
    expect(server.received).toEqual(['early'])
  })

  it('a new url reconnects (autoConnect), closing the old socket', async () => {
    const a = mockServer()
    const b = mockServer()
    const url = shallowRef(a.url)
    const { api } = inScope(() => useWebSocket(url))
    await tick()
    const old = api.ws.value
    url.value = b.url
    await nextTick()
    expect(api.status.value).toBe('CONNECTING')
    await tick()
    expect(old?.readyState).toBe(WebSocket.CLOSED)
    expect([a.clients.length, b.clients.length, api.status.value]).toEqual([1, 1, 'OPEN'])
  })

  it('autoConnect: false ignores a new url until open(), which uses it', async () => {
    const a = mockServer()
    const b = mockServer()
    const url = shallowRef(a.url)
    const { api } = inScope(() => useWebSocket(url, { autoConnect: false }))
    await tick()
    url.value = b.url
    await tick()
    expect(b.clients).toHaveLength(0)
    api.open()
    await tick()
    expect(b.clients).toHaveLength(1)
  })

  it('an undefined url opens nothing; a getter that gets one connects', async () => {
    const server = mockServer()
    const url = shallowRef<string | undefined>()
    const { api } = inScope(() => useWebSocket(() => url.value))
    await tick()
    expect(api.status.value).toBe('CLOSED')
    url.value = server.url
    await tick()
    expect(api.status.value).toBe('OPEN')
  })
})

describe('autoClose', () => {
  it('true: closes on beforeunload', async () => {
    const server = mockServer()
    const { api } = inScope(() => useWebSocket(server.url))
    await tick()
    window.dispatchEvent(new Event('beforeunload'))
    expect(api.status.value).toBe('CLOSED')
  })

  it('true: closes when the scope is disposed', async () => {
    const server = mockServer()
    const { api, stop } = inScope(() => useWebSocket(server.url))
    await tick()
    const socket = api.ws.value
    stop()
    await tick()
    expect(socket?.readyState).toBe(WebSocket.CLOSED)
  })

  it('false: neither unload nor disposal closes it', async () => {
    const server = mockServer()
    const { api, stop } = inScope(() => useWebSocket(server.url, { autoClose: false }))
    await tick()
    window.dispatchEvent(new Event('beforeunload'))
    stop()
    await tick(5_000)
    expect(api.status.value).toBe('OPEN')
    api.close()
  })
})

describe('autoReconnect', () => {
  it('off by default: a dropped socket stays closed', async () => {
    const server = mockServer()
    const { api } = inScope(() => useWebSocket(server.url))
    await tick()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick(60_000)
    expect([api.status.value, server.clients.length]).toEqual(['CLOSED', 1])
  })

  it('true: retries with jittered backoff, not VueUse’s fixed second', async () => {
    const server = mockServer()
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.25)
    const { api } = inScope(() => useWebSocket(server.url, { autoReconnect: true }))
    await tick()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    expect(api.status.value).toBe('CLOSED')
    // Full jitter over 1 s for the first retry: 250 ms with this random.
    await tick(250)
    expect(server.clients).toHaveLength(2)
    expect(api.status.value).toBe('OPEN')
    random.mockRestore()
  })

  it('{ retries, delay, onFailed }: that many retries at that delay, then onFailed once', async () => {
    const server = mockServer()
    const onFailed = vi.fn()
    const { api } = inScope(() =>
      useWebSocket(server.url, { autoReconnect: { retries: 2, delay: 500, onFailed } }),
    )
    await tick()
    server.server.on('connection', (socket) =>
      socket.close({ code: 1006, reason: '', wasClean: false }),
    )
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick(490)
    expect(server.clients).toHaveLength(1)
    await tick(20)
    expect(server.clients).toHaveLength(2)
    await tick(60_000)
    expect(server.clients).toHaveLength(3)
    expect(onFailed).toHaveBeenCalledTimes(1)
    expect(api.status.value).toBe('CLOSED')
  })

  it('retries and delay as functions get the retries made so far and the retry number', async () => {
    const server = mockServer()
    const retries = vi.fn((n: number) => n < 2)
    const delay = vi.fn((n: number) => n * 100)
    const { api } = inScope(() => useWebSocket(server.url, { autoReconnect: { retries, delay } }))
    await tick()
    // The connection drops and the server is gone: every retry is refused (error, close 1006).
    vi.stubGlobal('WebSocket', RefusedSocket)
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick(60_000)
    expect(retries.mock.calls).toEqual([[0], [1], [2]])
    expect(delay.mock.calls).toEqual([[1], [2]])
    expect(api.status.value).toBe('CLOSED')
  })
})

describe('heartbeat', () => {
  it('true: "ping" after a second of silence; the reply "ping" is consumed; no reply: dead at 2 s', async () => {
    const answering = mockServer({ answerPing: 'ping' })
    const { api } = inScope(() => useWebSocket(answering.url, { heartbeat: true }))
    await tick(10_000)
    expect(api.status.value).toBe('OPEN')
    expect(api.data.value).toBeNull()

    const silent = mockServer()
    const dead = inScope(() => useWebSocket(silent.url, { heartbeat: true }))
    await tick()
    expect(silent.received).toEqual([])
    await tick(1_000)
    expect(silent.received).toEqual(['ping'])
    await tick(980)
    expect(dead.api.status.value).toBe('OPEN')
    // Half-open: declared dead at the deadline, without waiting for a close event.
    await tick(20)
    expect(dead.api.status.value).toBe('CLOSED')
  })

  it('{ message, responseMessage, interval, pongTimeout } map onto the deadline heartbeat', async () => {
    const server = mockServer({ answerPing: 'unused' })
    const onMessage = vi.fn()
    const { api } = inScope(() =>
      useWebSocket(server.url, {
        heartbeat: {
          message: () => 'hb',
          responseMessage: 'ok',
          interval: 3_000,
          pongTimeout: 500,
        },
        autoReconnect: { delay: 100_000 },
        onMessage,
      }),
    )
    await tick()
    server.last.on('message', (data) => data === 'hb' && server.last.send('ok'))
    await tick(3_000)
    expect(server.received).toEqual(['hb'])
    await tick(10_000)
    expect(api.status.value).toBe('OPEN')
    expect(onMessage).not.toHaveBeenCalled()
    // Any traffic counts as an answer: a busy socket is never probed.
    server.received.length = 0
    for (let i = 0; i < 10; i++) {
      server.last.send('data')
      await tick(1_000)
    }
    expect(server.received).toEqual([])
  })

  it('scheduler: called once with the probe, resumed on open and paused on close', async () => {
    const server = mockServer()
    const pausable = { pause: vi.fn(), resume: vi.fn() }
    let probe = () => {}
    const { api } = inScope(() =>
      useWebSocket(server.url, {
        heartbeat: {
          pongTimeout: 200,
          scheduler: (fn) => {
            probe = fn
            return pausable
          },
        },
      }),
    )
    await tick()
    expect(pausable.resume).toHaveBeenCalledTimes(1)
    await tick(60_000)
    expect(server.received).toEqual([])
    probe()
    probe()
    await tick()
    expect(server.received).toEqual(['ping'])
    await tick(200)
    expect(api.status.value).toBe('CLOSED')
    expect(pausable.pause).toHaveBeenCalledTimes(1)
  })
})

describe('share (Tethered’s own option)', () => {
  it('components that share get one socket, each its own data; the last to leave closes it', async () => {
    const server = mockServer()
    const one = inScope(() => useWebSocket(server.url, { share: true }))
    const two = inScope(() => useWebSocket(server.url, { share: true }))
    await tick()
    expect(server.clients).toHaveLength(1)
    expect(two.api.ws.value).toBe(one.api.ws.value)
    server.last.send('both')
    expect([one.api.data.value, two.api.data.value]).toEqual(['both', 'both'])
    one.stop()
    await tick(5_000)
    expect(two.api.status.value).toBe('OPEN')
    two.stop()
    await tick(5_000)
    expect(sharedConnectionCount()).toBe(0)
  })
})
