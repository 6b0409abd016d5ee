// One component on its own socket: lifecycle, status, close codes, batching, heartbeat, queue, parse.
import { ReadyState } from '@tethered/core'
import { expect, vi } from 'vitest'
import { base, isOpen, json, rendered, type Scenario, type WebSocketApi } from '../harness'

export const webSocketScenarios: Scenario[] = [
  {
    name: 'opens one socket, renders messages, sends, and closes on unmount',
    async run({ binding, server: start }) {
      const server = await start()
      const m = binding.mountWebSocket(server.url(), base)
      await rendered(m, isOpen, 'OPEN')
      server.send('{"type":"a","n":1}')
      await rendered(m, (s) => json(s)?.n === 1, 'the message')
      expect(m.state.lastMessage?.data).toBe('{"type":"a","n":1}')
      expect(m.api.sendJsonMessage({ type: 'b', n: 2 })).toBe(true)
      await server.until(() => server.received.length === 1, 'the send')
      // React renders under StrictMode (mount, unmount, mount): still one socket.
      expect(server.sockets).toHaveLength(1)
      m.unmount()
      await server.until(() => server.open === 0, 'the close after unmount')
      expect(server.sockets).toHaveLength(1)
    },
  },
  {
    name: 'close() stays closed, open() reconnects, a dropped socket is reconnected',
    async run({ binding, server: start }) {
      const server = await start()
      // Slow enough a retry for the scheduled attempt to be rendered.
      const m = binding.mountWebSocket(server.url(), { ...base, reconnectInterval: 150 })
      await rendered(m, isOpen, 'OPEN')
      m.api.close()
      const closed = await rendered(m, (s) => s.readyState === ReadyState.CLOSED, 'CLOSED')
      expect(closed.reconnectAttempt).toBe(0)
      await server.until(() => server.open === 0, 'the server side to close')
      m.api.open()
      await rendered(m, isOpen, 'OPEN after open()')
      expect(server.sockets).toHaveLength(2)
      server.sockets[1]?.terminate()
      await rendered(m, (s) => s.reconnectAttempt === 1, 'the retry')
      await rendered(m, isOpen, 'OPEN after the drop')
      expect(server.sockets).toHaveLength(3)
    },
  },
  {
    name: 'status: offline while the network is gone, open again when it returns; a policy stop says why',
    async run({ binding, server: start }) {
      const server = await start()
      let online = true
      const onLine = vi.spyOn(navigator, 'onLine', 'get').mockImplementation(() => online)
      try {
        const m = binding.mountWebSocket(server.url(), base)
        await rendered(m, (s) => s.status === 'open', 'open')
        online = false
        window.dispatchEvent(new Event('offline'))
        server.sockets[0]?.terminate()
        const offline = await rendered(m, (s) => s.status === 'offline', 'offline')
        expect(offline).toMatchObject({ readyState: ReadyState.CLOSED, stopped: null })
        online = true
        window.dispatchEvent(new Event('online'))
        await rendered(m, (s) => s.status === 'open', 'open once online')
        expect(server.sockets).toHaveLength(2)
        server.sockets[1]?.close(4003, 'forbidden')
        const stopped = await rendered(m, (s) => s.status === 'stopped', 'stopped')
        expect(stopped).toMatchObject({
          readyState: ReadyState.CLOSED,
          stopped: { reason: 'policy', code: 4003 },
        })
      } finally {
        onLine.mockRestore()
      }
    },
  },
  {
    name: 'a page shown again retries at once rather than waiting out the backoff',
    async run({ binding, server: start }) {
      const server = await start()
      let visibility: DocumentVisibilityState = 'visible'
      const spies = [
        vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility),
        vi.spyOn(document, 'hidden', 'get').mockImplementation(() => visibility === 'hidden'),
      ]
      try {
        // A retry a minute away: only the page coming back can bring it forward.
        const m = binding.mountWebSocket(server.url(), { ...base, reconnectInterval: 60_000 })
        await rendered(m, isOpen, 'OPEN')
        visibility = 'hidden'
        document.dispatchEvent(new Event('visibilitychange'))
        server.sockets[0]?.terminate()
        await rendered(m, (s) => s.status === 'reconnecting', 'waiting to retry')
        visibility = 'visible'
        document.dispatchEvent(new Event('visibilitychange'))
        await rendered(m, isOpen, 'OPEN once visible')
        expect(server.sockets).toHaveLength(2)
      } finally {
        for (const spy of spies) spy.mockRestore()
      }
    },
  },
  {
    name: 'close codes as the socket reports them: 1006 for a dropped connection, the code and reason the server sent',
    async run({ binding, server: start }) {
      const server = await start()
      const closes: { code: number; reason: string; wasClean: boolean }[] = []
      const m = binding.mountWebSocket(server.url(), {
        ...base,
        onClose: ({ code, reason, wasClean }) => closes.push({ code, reason, wasClean }),
      })
      await rendered(m, isOpen, 'OPEN')
      server.sockets[0]?.terminate()
      await server.until(() => server.sockets.length === 2, 'the reconnect')
      server.sockets[1]?.close(4003, 'forbidden')
      await rendered(m, (s) => s.status === 'stopped', 'stopped')
      expect(closes).toEqual([
        { code: 1006, reason: '', wasClean: false },
        { code: 4003, reason: 'forbidden', wasClean: true },
      ])
    },
  },
  {
    name: 'a flood renders at most once a display frame, and onMessage sees every message',
    async run({ binding, server: start }) {
      const server = await start()
      let seen = 0
      const m = binding.mountWebSocket(server.url(), { ...base, onMessage: () => seen++ })
      await rendered(m, isOpen, 'OPEN')
      const before = m.renders
      // The page's own frames while the flood arrives (a browser delivers each message in a
      // task of its own, so only frame batching keeps this to a few renders).
      let frames = 0
      let counting = true
      const frame = () => {
        if (!counting) return
        frames++
        requestAnimationFrame(frame)
      }
      requestAnimationFrame(frame)
      for (let n = 1; n <= 300; n++) server.send(JSON.stringify({ type: 'f', n }))
      await rendered(m, (s) => json(s)?.n === 300, 'the last message')
      counting = false
      expect(seen).toBe(300)
      // A render per frame at most, plus the one in flight; React renders twice (StrictMode).
      expect(m.renders - before).toBeLessThanOrEqual(2 * (frames + 1))
    },
  },
  {
    name: 'a new url reconnects to it; null closes',
    async run({ binding, server: start }) {
      const server = await start()
      const m = binding.mountWebSocket(server.url('/a'), base)
      await rendered(m, isOpen, 'OPEN on /a')
      await m.setUrl(server.url('/b'))
      await server.until(() => server.paths.includes('/b') && server.open === 1, 'the move to /b')
      await rendered(m, isOpen, 'OPEN on /b')
      expect(server.paths).toEqual(['/a', '/b'])
      await m.setUrl(null)
      await rendered(m, (s) => s.readyState === ReadyState.UNINSTANTIATED, 'UNINSTANTIATED')
      await server.until(() => server.open === 0, 'the close on null')
      expect(m.api.sendMessage('lost')).toBe(false)
    },
  },
  {
    name: 'heartbeat death: a silent socket is abandoned and replaced; a live one is kept',
    async run({ binding, server: start }) {
      // The first socket never answers probes (a black hole); later ones do.
      const server = await start({ pong: (n) => n > 0 })
      const heartbeat = { interval: 60, timeout: 80 }
      const m = binding.mountWebSocket(server.url(), { ...base, heartbeat })
      await rendered(
        m,
        (s) => s.error?.code === 'HEARTBEAT_TIMEOUT' && isOpen(s),
        'the death and a new OPEN socket',
      )
      expect(server.sockets).toHaveLength(2)
      // Three answered rounds on the new socket, and it is still the only new one.
      await server.until(() => (server.pings[1] ?? 0) >= 3, 'three probes on the second socket')
      expect(server.sockets).toHaveLength(2)
      expect(m.state.readyState).toBe(ReadyState.OPEN)
    },
  },
  {
    name: 'queue: sends made while connecting go out in order, after the onOpen message',
    async run({ binding, server: start }) {
      const server = await start()
      let api: WebSocketApi | undefined
      const m = binding.mountWebSocket(server.url(), {
        ...base,
        onOpen: () => api?.sendJsonMessage({ auth: 'token' }),
      })
      api = m.api
      expect(m.state.readyState).not.toBe(ReadyState.OPEN)
      expect(api.sendJsonMessage({ n: 1 })).toBe(false)
      expect(api.sendMessage('two')).toBe(false)
      expect(api.sendJsonMessage({ n: 3 })).toBe(false)
      await server.until(() => server.received.length === 4, 'four messages')
      expect(server.received).toEqual(['{"auth":"token"}', '{"n":1}', 'two', '{"n":3}'])
    },
  },
  {
    name: 'parse failure: lastMessage moves, lastJsonMessage stays, the error is reported',
    async run({ binding, server: start }) {
      const server = await start()
      const errors: string[] = []
      const m = binding.mountWebSocket(server.url(), {
        ...base,
        onError: (e) => errors.push(e.code),
      })
      await rendered(m, isOpen, 'OPEN')
      server.send('{"type":"ok","n":1}')
      await rendered(m, (s) => json(s)?.n === 1, 'the JSON message')
      server.send('{not json')
      const s = await rendered(m, (s) => s.lastMessage?.data === '{not json', 'the bad message')
      expect(s.lastJsonMessage).toEqual({ type: 'ok', n: 1 })
      expect(s.error?.code).toBe('PARSE')
      expect(errors).toEqual(['PARSE'])
    },
  },
]
