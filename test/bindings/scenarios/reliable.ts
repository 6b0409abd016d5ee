// Reliable delivery (`delivery: reliable` against a @tethered/server): sessions that resume.
import { reliable } from '@tethered/core'
import { expect } from 'vitest'
import { waitFor } from '../../support/wait'
import { base, isOpen, rendered, type Scenario } from '../harness'
import { TIMEOUT } from '../timeout'

const sayOf = (n: number) => ({ type: 'say', data: n })
const newsOf = (s: { lastJsonMessage: unknown }) =>
  (s.lastJsonMessage as { type: string; data: number } | null)?.data

export const reliableScenarios: Scenario[] = [
  {
    name: 'reliable delivery, shared: one session for two components; a dropped socket resumes, nothing lost or doubled',
    async run({ binding, reliableServer }) {
      const { server, url } = await reliableServer()
      const got: number[] = []
      server.on('connection', (client) => client.on('say', (n) => got.push(n)))
      const seen: number[] = []
      const options = { ...base, share: true, linger: 20, delivery: reliable }
      const a = binding.mountWebSocket(url, {
        ...options,
        onMessage: (_e, json) => seen.push((json as { data: number }).data),
      })
      const b = binding.mountWebSocket(url, options)
      await rendered(a, isOpen, 'a OPEN')
      await rendered(b, isOpen, 'b OPEN')
      // A first connection is neither resumed nor not.
      expect(a.state.resumed).toBeNull()
      a.api.sendJsonMessage(sayOf(1))
      server.broadcast('news', 1)
      await rendered(b, (s) => newsOf(s) === 1, 'b renders news 1')
      // Dropped from the server's side; what both ends send meanwhile is kept.
      for (const client of server.clients.values()) client.terminate()
      b.api.sendJsonMessage(sayOf(2))
      server.broadcast('news', 2)
      await rendered(a, (s) => s.resumed === true && isOpen(s), 'a resumed')
      await rendered(b, (s) => s.resumed === true && newsOf(s) === 2, 'b resumed, with news 2')
      await waitFor(() => got.length >= 2 && seen.length >= 2, TIMEOUT, 'both messages each way')
      expect(got).toEqual([1, 2])
      expect(seen).toEqual([1, 2])
      // React renders under StrictMode: still one socket, one session, resumed once.
      expect(server.stats.connectionsTotal).toBe(2)
      expect(server.stats.sessions).toMatchObject({ started: 1, resumed: 1 })
    },
  },
  {
    name: 'reliable delivery, useSocket: a restarted server is rendered as resumed: false',
    async run({ binding, reliableServer }) {
      const first = await reliableServer()
      const got: number[] = []
      first.server.on('connection', (client) => client.on('say', (n) => got.push(n)))
      const m = binding.mountSocket(first.url, { ...base, delivery: reliable, types: ['news'] })
      await rendered(m, isOpen, 'OPEN')
      expect(m.state.resumed).toBeNull()
      m.api.emit('say', 1)
      await waitFor(() => got.length === 1, TIMEOUT, 'the first emit')
      const port = first.server.address()?.port
      // Graceful shutdown: 1001, which the client retries.
      await first.server.close()
      const next = await reliableServer(port)
      next.server.on('connection', (client) => client.on('say', (n) => got.push(n)))
      await rendered(m, (s) => s.resumed === false && isOpen(s), 'resumed: false')
      m.api.emit('say', 2)
      next.server.broadcast('news', 3)
      await rendered(m, (s) => s.lastMessage?.data === 3, 'news from the new server')
      await waitFor(() => got.length === 2, TIMEOUT, 'the second emit')
      expect(got).toEqual([1, 2])
    },
  },
]
