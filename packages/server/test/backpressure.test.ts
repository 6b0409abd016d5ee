import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { waitFor } from '../../../test/support/wait'
import { backpressureVerdict } from '../src/backpressure'
import type { Client } from '../src/index'
import { closed, connect, inbox, nextEvent, start, WAIT, within } from './helpers'

const LIMIT = 256 * 1024
const CHUNK = 'x'.repeat(64 * 1024)
const FRAME = CHUNK.length + 32

/** Emits until the client's buffer is over the limit and a message was dropped (bounded). */
function fillUntilDrop(client: Client) {
  let attempts = 0
  while (client.drops === 0 && attempts < 2_000) {
    client.emit('blob', CHUNK)
    attempts++
  }
  return attempts
}

describe('backpressure', () => {
  it('decides from bufferedAmount and the policy', () => {
    expect(backpressureVerdict(0, 10, 'drop')).toBe('send')
    expect(backpressureVerdict(10, 10, 'drop')).toBe('send')
    expect(backpressureVerdict(11, 10, 'drop')).toBe('drop')
    expect(backpressureVerdict(11, 10, 'close')).toBe('close')
  })

  it('drop: a client that stops reading costs at most maxBufferedBytes plus one message, and catches up later', async () => {
    const { server, url } = await start({
      backpressure: { maxBufferedBytes: LIMIT, policy: 'drop' },
    })
    const connected = nextEvent(server, 'connection')
    const ws = await connect(url)
    const [client] = await connected
    ws.pause()
    const attempts = fillUntilDrop(client)
    expect(client.drops).toBe(1)
    expect(attempts).toBeLessThan(2_000)
    // Keep sending at it: nothing more is held.
    for (let i = 0; i < 500; i++) client.emit('blob', CHUNK)
    expect(client.bufferedAmount).toBeLessThanOrEqual(LIMIT + FRAME)
    expect(client.drops).toBe(501)
    expect(server.stats.drops).toBe(501)
    expect(client.messagesOut).toBe(attempts - 1)
    expect(client.isOpen).toBe(true)
    expect(server.broadcast('blob', CHUNK)).toBe(0)

    // It reads again: once its buffer is under the limit, messages flow.
    const box = inbox(ws)
    ws.resume()
    await waitFor(() => client.bufferedAmount <= LIMIT, WAIT, 'the buffer to drain', 1)
    expect(client.emit('blob', 'after')).toBe(true)
    await box.waitFor(attempts, 'every message that was written')
    expect(box.messages.at(-1)).toBe(JSON.stringify({ type: 'blob', data: 'after' }))
    expect(box.messages).toHaveLength(attempts)
  })

  it('close: closes a slow client with 1013 and counts it', async () => {
    const { server, url } = await start({
      backpressure: { maxBufferedBytes: LIMIT, policy: 'close' },
    })
    const connected = nextEvent(server, 'connection')
    const ws = await connect(url)
    const [client] = await connected
    ws.pause()
    fillUntilDrop(client)
    expect(client.isOpen).toBe(false)
    expect(client.socket.readyState).toBe(WebSocket.CLOSING)
    expect(client.emit('blob', CHUNK)).toBe(false)
    expect(server.stats.slowConsumersClosed).toBe(1)
    expect(client.bufferedAmount).toBeLessThanOrEqual(LIMIT + FRAME + 64)
    // The close frame waits behind the data the client has not read.
    const done = closed(ws)
    ws.resume()
    expect(await done).toEqual({ code: 1013, reason: 'slow consumer: too much data buffered' })
  })

  // Neither the text heartbeat nor a protocol ping gets an answer the client would not read.
  it.each([
    { kind: 'text heartbeat', event: 'message', n: 200, send: (ws: WebSocket) => ws.send('ping') },
    {
      kind: 'protocol ping',
      event: 'ping',
      n: 50,
      send: (ws: WebSocket) => ws.ping('x'.repeat(100)),
    },
  ])('does not answer the $kind of a client that is not reading', async ({ event, n, send }) => {
    const { server, url } = await start({ backpressure: { maxBufferedBytes: LIMIT } })
    const connected = nextEvent(server, 'connection')
    const ws = await connect(url)
    const [client] = await connected
    ws.pause()
    fillUntilDrop(client)
    const before = client.bufferedAmount
    const seen = new Promise<void>((resolve) => {
      let pings = 0
      client.socket.on(event, () => {
        if (++pings === n) resolve()
      })
    })
    for (let i = 0; i < n; i++) send(ws)
    await within(seen, 'the pings')
    if (event === 'message') expect(server.stats.heartbeats).toBe(n)
    expect(client.bufferedAmount).toBe(before)
    expect(client.isOpen).toBe(true)
  })

  it('never drops for a client that keeps up', async () => {
    const { server, url } = await start({ backpressure: { maxBufferedBytes: LIMIT } })
    const connected = nextEvent(server, 'connection')
    const ws = await connect(url)
    const box = inbox(ws)
    const [client] = await connected
    for (let i = 0; i < 50; i++) {
      client.emit('n', i)
      await box.waitFor(i + 1)
    }
    expect(server.stats.drops).toBe(0)
  })
})
