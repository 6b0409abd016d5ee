// `useConnection`: binding a connection made outside components.
import { expect } from 'vitest'
import { waitFor } from '../../support/wait'
import { isOpen, json, type Msg, rendered, type Scenario } from '../harness'
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
]
