// After a component unmounts nothing of it runs: no callback, no render, whatever is in flight.
import { expect } from 'vitest'
import { base, isOpen, json, rendered, type Scenario } from '../harness'

export const unmountScenarios: Scenario[] = [
  {
    name: 'a component that left a shared socket gets no callback and no render; the one that stays gets every message',
    async run({ binding, server: start }) {
      const server = await start()
      const options = { ...base, share: true, linger: 20 }
      let gone = 0
      const stays = binding.mountWebSocket(server.url(), options)
      const leaving = binding.mountWebSocket(server.url(), { ...options, onMessage: () => gone++ })
      await rendered(leaving, isOpen, 'OPEN')
      server.send('{"type":"x","n":0}')
      await rendered(leaving, (s) => json(s)?.n === 0, 'the leaving one gets n: 0')
      leaving.unmount()
      const at = { messages: gone, renders: leaving.renders }
      for (let n = 1; n <= 50; n++) server.send(JSON.stringify({ type: 'x', n }))
      await rendered(stays, (s) => json(s)?.n === 50, 'the one that stays gets n: 50')
      expect({ messages: gone, renders: leaving.renders }).toEqual(at)
    },
  },
  {
    name: 'a component unmounted mid-flood on its own socket: its callbacks stop at once',
    async run({ binding, server: start }) {
      const server = await start()
      let seen = 0
      const m = binding.mountWebSocket(server.url(), { ...base, onMessage: () => seen++ })
      await rendered(m, isOpen, 'OPEN')
      const flood = setInterval(() => {
        for (let i = 0; i < 20; i++) server.send('{"type":"f","n":1}')
      })
      try {
        await rendered(m, (s) => json(s)?.n === 1, 'the flood arriving')
        m.unmount()
      } finally {
        // What was sent until now is still on its way to the closing socket. (In a browser
        // run every send is a call over the control channel: a flood that went on would
        // queue them faster than they are answered.)
        clearInterval(flood)
      }
      const at = seen
      await server.until(() => server.open === 0, 'the close after unmount')
      expect(seen).toBe(at)
    },
  },
]
