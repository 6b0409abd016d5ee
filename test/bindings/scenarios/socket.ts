// `useSocket`: typed events and requests over the same connection.
import { expect } from 'vitest'
import { waitFor } from '../../support/wait'
import { answerEcho, base, isOpen, json, rendered, type Scenario } from '../harness'
import { TIMEOUT } from '../timeout'

const event = (type: string, data?: unknown) => JSON.stringify({ type, data })

export const socketScenarios: Scenario[] = [
  {
    name: 'useSocket: an emit before the open waits for it; `on` handlers get the data and the envelope of every event of their type',
    async run({ binding, server: start }) {
      const server = await start()
      const joined: unknown[] = []
      const m = binding.mountSocket(server.url(), {
        ...base,
        on: { joined: (data, envelope) => joined.push([data, envelope]) },
      })
      expect(m.api.emit('message', { text: 'early' })).toBe(false)
      await rendered(m, isOpen, 'OPEN')
      expect(m.api.emit('typing')).toBe(true)
      await server.until(() => server.received.length === 2, 'both emits')
      expect(server.received.map((text) => JSON.parse(text))).toEqual([
        { type: 'message', data: { text: 'early' } },
        { type: 'typing' },
      ])
      server.send(event('joined', 'ann'))
      server.send('[1,2]')
      server.send('{"no":"type"}')
      server.send(event('joined', 'bob'))
      server.send(event('message', 'hi'))
      await rendered(m, (s) => s.lastMessage?.type === 'message', 'the message event')
      expect(m.state.lastMessage).toEqual({ type: 'message', data: 'hi' })
      await waitFor(() => joined.length === 2, TIMEOUT, 'both joined events')
      expect(joined).toEqual([
        ['ann', { type: 'joined', data: 'ann' }],
        ['bob', { type: 'joined', data: 'bob' }],
      ])
    },
  },
  {
    name: 'useSocket: a component that asked for some types renders only when one of them arrives; its handlers still see all',
    async run({ binding, server: start }) {
      const server = await start()
      let joined = 0
      const options = { ...base, share: true, linger: 20 }
      const some = binding.mountSocket(server.url(), {
        ...options,
        types: ['message'],
        on: { joined: () => joined++ },
      })
      const all = binding.mountSocket(server.url(), options)
      await rendered(some, isOpen, 'some OPEN')
      await rendered(all, isOpen, 'all OPEN')
      // Past any render still scheduled for the open.
      server.send(event('message', 0))
      await rendered(some, (s) => s.lastMessage?.data === 0, 'some gets message 0')
      await rendered(all, (s) => s.lastMessage?.data === 0, 'all gets message 0')
      const before = some.renders
      for (let n = 1; n <= 20; n++) server.send(event('joined', n))
      await rendered(all, (s) => s.lastMessage?.data === 20, 'all gets joined 20')
      expect(joined).toBe(20)
      expect(some.renders).toBe(before)
      server.send(event('message', 21))
      await rendered(some, (s) => s.lastMessage?.data === 21, 'some gets message 21')
      expect(server.sockets).toHaveLength(1)
    },
  },
  {
    name: 'useSocket and useWebSocket on one url with share: one socket, each reading it its own way',
    async run({ binding, server: start }) {
      const server = await start()
      const typed = binding.mountSocket(server.url(), { ...base, share: true, linger: 20 })
      const raw = binding.mountWebSocket(server.url(), { ...base, share: true, linger: 20 })
      await rendered(typed, isOpen, 'useSocket OPEN')
      await rendered(raw, isOpen, 'useWebSocket OPEN')
      server.send('{"type":"joined","n":1}')
      await rendered(typed, (s) => s.lastMessage?.type === 'joined', 'the event')
      await rendered(raw, (s) => json(s)?.n === 1, 'the message')
      expect(server.sockets).toHaveLength(1)
    },
  },
  {
    name: 'useSocket: a reply resolves its request, a missing one times out',
    async run({ binding, server: start }) {
      const server = await start({ onMessage: answerEcho })
      const m = binding.mountSocket(server.url(), { ...base, types: ['news'] })
      await rendered(m, isOpen, 'OPEN')
      await expect(m.api.request('echo', { x: 1 }, { timeout: 2_000 })).resolves.toEqual({ x: 1 })
      const started = Date.now()
      await expect(m.api.request('silent', null, { timeout: 60 })).rejects.toMatchObject({
        code: 'REQUEST_TIMEOUT',
      })
      expect(Date.now() - started).toBeGreaterThanOrEqual(50)
      // Replies are no events, and only `news` moves lastMessage.
      server.send('{"type":"other","data":1}')
      server.send('{"type":"news","data":"hi"}')
      const s = await rendered(m, (s) => s.lastMessage !== null, 'the news event')
      expect(s.lastMessage).toEqual({ type: 'news', data: 'hi' })
      expect(m.api.emit('hello', { to: 'all' })).toBe(true)
      await server.until(
        () => server.received.includes('{"type":"hello","data":{"to":"all"}}'),
        'the emit',
      )
    },
  },
]
