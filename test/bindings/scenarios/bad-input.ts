// What a user passes that cannot work: the error is rendered and reported, nothing throws,
// nothing is sent or opened by mistake.
import { ReadyState, type TetheredError } from '@tethered/core'
import { expect } from 'vitest'
import { base, isOpen, rendered, type Scenario } from '../harness'

export const badInputScenarios: Scenario[] = [
  {
    name: 'a message that cannot be serialised: false, reported, nothing sent; the socket stays usable',
    async run({ binding, server: start }) {
      const server = await start()
      const errors: string[] = []
      const m = binding.mountWebSocket(server.url(), {
        ...base,
        onError: (e) => errors.push(e.code),
      })
      await rendered(m, isOpen, 'OPEN')
      const circular: Record<string, unknown> = {}
      circular.self = circular
      expect(m.api.sendJsonMessage(circular)).toBe(false)
      const s = await rendered(m, (s) => s.error?.code === 'SERIALIZE', 'the SERIALIZE error')
      expect(s.readyState).toBe(ReadyState.OPEN)
      expect(m.api.sendMessage('after')).toBe(true)
      await server.until(() => server.received.length === 1, 'the next send')
      expect(server.received).toEqual(['after'])
      expect(errors).toEqual(['SERIALIZE'])
    },
  },
  ...['ws://[not a host', 'ftp://example.com/socket'].map(
    (url): Scenario => ({
      name: `an invalid url (${url}): rendered as INVALID_URL, reported once, nothing opened, nothing thrown`,
      async run({ binding }) {
        const errors: TetheredError[] = []
        const m = binding.mountWebSocket(url, { ...base, onError: (e) => errors.push(e) })
        const s = await rendered(m, (s) => s.error?.code === 'INVALID_URL', 'INVALID_URL')
        expect(s.readyState).toBe(ReadyState.CLOSED)
        // React renders under StrictMode: still one attempt, one report.
        expect(errors.map((e) => e.code)).toEqual(['INVALID_URL'])
        expect(errors[0]?.message).toContain(url)
      },
    }),
  ),
]
