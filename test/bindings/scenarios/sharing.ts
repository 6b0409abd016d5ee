// `share: true`: one socket for many components, each with its own filter and its own share.
import { ReadyState } from '@tethered/core'
import { expect } from 'vitest'
import { base, isOpen, json, type Msg, rendered, type Scenario } from '../harness'

export const sharingScenarios: Scenario[] = [
  {
    name: 'share: a component mounting on a socket the server closed for good opens it again, for everyone on it',
    async run({ binding, server: start }) {
      const server = await start()
      const options = { ...base, share: true, linger: 20 }
      const a = binding.mountWebSocket(server.url(), options)
      await rendered(a, isOpen, 'a OPEN')
      // 1000 from the server: the close policy does not retry it.
      server.sockets[0]?.close(1000, 'done')
      await rendered(a, (s) => s.status === 'stopped', 'a stopped')
      const b = binding.mountWebSocket(server.url(), options)
      await rendered(b, isOpen, 'b OPEN')
      await rendered(a, isOpen, 'a OPEN again')
      expect(server.sockets).toHaveLength(2)
      expect(server.open).toBe(1)
    },
  },
  {
    name: 'a remount keeps the shared socket: one server connection',
    async run({ binding, server: start }) {
      const server = await start()
      const options = { ...base, share: true, linger: 300 }
      const first = binding.mountWebSocket(server.url(), options)
      await rendered(first, isOpen, 'OPEN')
      first.unmount()
      const again = binding.mountWebSocket(server.url(), options)
      await rendered(again, isOpen, 'OPEN after the remount')
      server.send('{"type":"a","n":1}')
      await rendered(again, (s) => json(s)?.n === 1, 'a message on the same socket')
      expect(server.sockets).toHaveLength(1)
      expect(server.open).toBe(1)
    },
  },
  {
    name: 'share: one socket for two components, closed once the last leaves',
    async run({ binding, server: start }) {
      const server = await start()
      const options = { ...base, share: true, linger: 20 }
      const a = binding.mountWebSocket(server.url(), options)
      const b = binding.mountWebSocket(server.url(), options)
      await rendered(a, isOpen, 'a OPEN')
      await rendered(b, isOpen, 'b OPEN')
      expect(server.sockets).toHaveLength(1)
      server.send('{"type":"x","n":1}')
      await rendered(a, (s) => json(s)?.n === 1, 'a gets it')
      await rendered(b, (s) => json(s)?.n === 1, 'b gets it')
      a.unmount()
      server.send('{"type":"x","n":2}')
      await rendered(b, (s) => json(s)?.n === 2, 'b still gets messages')
      b.unmount()
      await server.until(() => server.open === 0, 'the close after the linger')
      expect(server.sockets).toHaveLength(1)
    },
  },
  {
    name: 'share: a component whose url becomes null lets go of its own share only',
    async run({ binding, server: start }) {
      const server = await start()
      const options = { ...base, share: true, linger: 10 }
      const a = binding.mountWebSocket(server.url(), options)
      const b = binding.mountWebSocket(server.url(), options)
      await rendered(a, isOpen, 'a OPEN')
      await rendered(b, isOpen, 'b OPEN')
      await a.setUrl(null)
      await rendered(a, (s) => s.readyState === ReadyState.UNINSTANTIATED, 'a released')
      server.send('{"type":"x","n":1}')
      await rendered(b, (s) => json(s)?.n === 1, 'b still receives')
      expect(server.open).toBe(1)
      expect(server.sockets).toHaveLength(1)
    },
  },
  {
    name: 'filter: a component renders only for its messages; onMessage sees every one',
    async run({ binding, server: start }) {
      const server = await start()
      const seen = { a: 0, b: 0 }
      const widget = (type: 'a' | 'b') =>
        binding.mountWebSocket(server.url(), {
          ...base,
          share: true,
          linger: 20,
          filter: (_event, data) => (data as Msg | undefined)?.type === type,
          onMessage: () => seen[type]++,
        })
      const a = widget('a')
      const b = widget('b')
      await rendered(a, isOpen, 'a OPEN')
      await rendered(b, isOpen, 'b OPEN')
      server.send('{"type":"b","n":0}')
      await rendered(b, (s) => json(s)?.n === 0, 'b gets its message')
      // Past any render still scheduled for b's message.
      await rendered(a, (s) => a.renders > 0 && isOpen(s), 'a settled')
      const bRenders = b.renders
      for (let n = 1; n <= 100; n++) server.send(JSON.stringify({ type: 'a', n }))
      await rendered(a, (s) => json(s)?.n === 100, 'a gets its last message')
      server.send('{"type":"b","n":101}')
      await rendered(b, (s) => json(s)?.n === 101, 'b gets its next message')
      // b rendered for its own message only (twice under StrictMode), never for a's 100.
      expect(b.renders - bRenders).toBeLessThanOrEqual(2)
      expect(seen).toEqual({ a: 102, b: 102 })
      expect(a.renders).toBeLessThan(100)
    },
  },
]
