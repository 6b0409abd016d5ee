import { expect } from 'vitest'
import { base, isOpen, rendered, type Scenario } from '../harness'

export const socketScenarios: Scenario[] = [
  {
    name: 'useSocket: a reply resolves its request, a missing one times out',
    async run({ binding, server: start }) {
      const server = await start({
        onMessage(socket, text) {
          const { type, id, data } = JSON.parse(text) as {
            type: string
            id?: number
            data?: unknown
          }
          if (type === 'echo') socket.send(JSON.stringify({ type, id, data }))
        },
      })
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
