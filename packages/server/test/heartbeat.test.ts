import { once } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import type { Client } from '../src/index'
import { closed, connect, inbox, nextEvent, start, within } from './helpers'

const INTERVAL = 30_000

describe('protocol-level ping sweeps', () => {
  // Only the sweep timer is faked: sockets, handshakes and waits run on real time.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  async function setup(heartbeat: boolean | { interval: number } = { interval: INTERVAL }) {
    const { server, url } = await start({ heartbeat })
    const connected = nextEvent(server, 'connection')
    const ws = await connect(url, { autoPong: false })
    const [client] = await connected
    return { server, ws, client: client as Client }
  }

  it('terminates a peer that did not answer the previous sweep', async () => {
    const { server, ws } = await setup()
    const pinged = once(ws, 'ping')
    vi.advanceTimersByTime(INTERVAL)
    await within(pinged, 'first ping')
    const gone = closed(ws)
    const disconnected = nextEvent(server, 'disconnect')
    vi.advanceTimersByTime(INTERVAL)
    expect((await gone).code).toBe(1006)
    expect((await disconnected)[1].code).toBe(1006)
    expect(server.stats.terminations).toBe(1)
    expect(server.clients.size).toBe(0)
  })

  it('keeps a peer that answers every ping', async () => {
    const { server, ws, client } = await setup()
    ws.on('ping', () => ws.pong())
    for (let sweep = 0; sweep < 4; sweep++) {
      const ponged = once(client.socket, 'pong')
      vi.advanceTimersByTime(INTERVAL)
      await within(ponged, `pong ${sweep}`)
    }
    expect(ws.readyState).toBe(WebSocket.OPEN)
    expect(server.stats.terminations).toBe(0)
  })

  it('counts any inbound message as a sign of life', async () => {
    const { server, ws, client } = await setup()
    for (let sweep = 0; sweep < 3; sweep++) {
      const received = new Promise<void>((resolve) => {
        const off = client.on('tick', () => {
          off()
          resolve()
        })
      })
      vi.advanceTimersByTime(INTERVAL)
      ws.send(JSON.stringify({ type: 'tick' }))
      await within(received, `tick ${sweep}`)
    }
    expect(ws.readyState).toBe(WebSocket.OPEN)
    expect(server.stats.terminations).toBe(0)
  })

  it('does not sweep with heartbeat: false', async () => {
    const { server, ws } = await setup(false)
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(INTERVAL * 5)
    expect(ws.readyState).toBe(WebSocket.OPEN)
    expect(server.stats.terminations).toBe(0)
  })

  it('stops its timer on close()', async () => {
    const { server } = await setup()
    expect(vi.getTimerCount()).toBe(1)
    await server.close({ timeout: 500 })
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('text heartbeat', () => {
  it("answers 'ping' with 'pong' and never passes it to handlers", async () => {
    const { server, url } = await start()
    const errors: unknown[] = []
    server.on('error', (error) => errors.push(error))
    const ws = await connect(url)
    const box = inbox(ws)
    ws.send('ping')
    expect(await box.waitFor(1)).toEqual(['pong'])
    expect(server.stats).toMatchObject({
      heartbeats: 1,
      messagesIn: 0,
      messagesOut: 0,
      malformed: 0,
    })
    expect(errors).toEqual([])
  })

  it('uses the configured messages', async () => {
    const { server, url } = await start({
      textHeartbeat: { message: 'hb', returnMessage: 'hb-ack' },
    })
    const errors: unknown[] = []
    server.on('error', (error) => errors.push(error))
    const ws = await connect(url)
    const box = inbox(ws)
    ws.send('hb')
    expect(await box.waitFor(1)).toEqual(['hb-ack'])
    expect(errors).toEqual([])
  })

  it("treats 'ping' as bad input when turned off", async () => {
    const { server, url } = await start({ textHeartbeat: false })
    const ws = await connect(url)
    const error = nextEvent(server, 'error')
    ws.send('ping')
    expect((await error)[0].code).toBe('MALFORMED_JSON')
  })
})
