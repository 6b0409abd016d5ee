// `useConnection`: binding a connection made outside components.
import { expect } from 'vitest'
import { waitFor } from '../../support/wait'
import { answerEcho, isOpen, json, type Msg, rendered, type Scenario } from '../harness'
import { TIMEOUT } from '../timeout'

export const connectionScenarios: Scenario[] = [
  {
    name: 'useConnection: components bind a connection made outside them, each with its own filter and onMessage; unmounting never closes it',
    async run({ binding, server: start, connection }) {
      const server = await start()
      const c = connection(server.url())
      const seen = { a: 0, b: 0 }
      const widget = (type: 'a' | 'b') =>
        binding.mountConnection(c, {
          filter: (_event, data) => (data as Msg | undefined)?.type === type,
          onMessage: () => seen[type]++,
        })
      const a = widget('a')
      const b = widget('b')
      await rendered(a, isOpen, 'a OPEN')
      await rendered(b, isOpen, 'b OPEN')
      server.send('{"type":"b","n":1}')
      await rendered(b, (s) => json(s)?.n === 1, 'b gets its message')
      expect(a.state.lastJsonMessage).toBeNull()
      expect(a.api.sendJsonMessage({ from: 'a' })).toBe(true)
      await server.until(() => server.received.includes('{"from":"a"}'), 'the send')
      a.unmount()
      b.unmount()
      // Still open, and the components' handlers are gone: a message reaches only the connection.
      server.send('{"type":"a","n":2}')
      await waitFor(() => json(c.getSnapshot())?.n === 2, TIMEOUT, 'the connection gets n: 2')
      expect(seen).toEqual({ a: 1, b: 1 })
      expect(c.sendMessage('still here')).toBe(true)
      await server.until(() => server.received.includes('still here'), 'a send after unmount')
      // React renders under StrictMode (mount, unmount, mount): still the one socket.
      expect(server.sockets).toHaveLength(1)
      expect(server.open).toBe(1)
    },
  },
  {
    name: 'useConnection: mounting does not connect it; open() and close() act on the connection, for every component on it',
    async run({ binding, server: start, connection }) {
      const server = await start()
      const c = connection(server.url(), { connect: false })
      const a = binding.mountConnection(c, {})
      const b = binding.mountConnection(c, {})
      await rendered(a, (s) => s.status === 'idle', 'a idle')
      expect(server.sockets).toHaveLength(0)
      a.api.open()
      await rendered(b, isOpen, 'b OPEN after a opened it')
      b.api.close(4000, 'bye')
      const stopped = await rendered(a, (s) => s.status === 'stopped', 'a stopped')
      expect(stopped.stopped).toEqual({ reason: 'manual', code: 4000 })
      await server.until(() => server.open === 0, 'the close')
      expect(server.sockets).toHaveLength(1)
    },
  },
  {
    name: 'useConnectionSocket: typed events over a connection made outside, each component with its own types and on handlers; unmounting never closes it',
    async run({ binding, server: start, connection }) {
      const server = await start({ onMessage: answerEcho })
      const c = connection(server.url())
      let joined = 0
      const a = binding.mountConnectionSocket(c, {
        types: ['joined'],
        on: { joined: () => joined++ },
      })
      const b = binding.mountConnectionSocket(c, {})
      await rendered(a, isOpen, 'a OPEN')
      await rendered(b, isOpen, 'b OPEN')
      server.send('{"type":"joined","data":"ann"}')
      server.send('{"type":"news","data":1}')
      await rendered(b, (s) => s.lastMessage?.type === 'news', 'b gets the news')
      const s = await rendered(a, (s) => s.lastMessage !== null, 'a gets the join')
      expect(s.lastMessage).toEqual({ type: 'joined', data: 'ann' })
      await expect(b.api.request('echo', { x: 1 }, { timeout: 2_000 })).resolves.toEqual({ x: 1 })
      expect(a.api.emit('hello', 1)).toBe(true)
      await server.until(() => server.received.includes('{"type":"hello","data":1}'), 'the emit')
      a.unmount()
      b.unmount()
      server.send('{"type":"joined","data":"bob"}')
      await waitFor(
        () => (c.getSnapshot().lastJsonMessage as { data?: string } | null)?.data === 'bob',
        TIMEOUT,
        'the connection gets bob',
      )
      // React renders under StrictMode: still one handler call per event, one socket.
      expect(joined).toBe(1)
      expect(server.open).toBe(1)
      expect(server.sockets).toHaveLength(1)
    },
  },
]
