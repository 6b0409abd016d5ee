import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { waitFor } from '../../../test/support/wait'
import { TokenBucket } from '../src/rate-limit'
import { closed, connect, inbox, nextEvent, start, WAIT } from './helpers'

describe('maxPayload', () => {
  it('closes a client sending a bigger message with 1009, and takes one of exactly the limit', async () => {
    const { server, url } = await start({ maxPayload: 1024 })
    const sizes: number[] = []
    server.on('connection', (client) =>
      client.on('blob', (data) => sizes.push(String(data).length)),
    )
    const ws = await connect(url)
    const box = inbox(ws)
    const envelope = (length: number) => JSON.stringify({ type: 'blob', data: 'x'.repeat(length) })
    const fits = envelope(1024 - envelope(0).length)
    expect(Buffer.byteLength(fits)).toBe(1024)
    ws.send(fits)
    ws.send(JSON.stringify({ type: 'sync', id: 1 }))
    await box.waitFor(1)
    expect(sizes).toEqual([1024 - envelope(0).length])

    const error = nextEvent(server, 'error')
    const disconnected = nextEvent(server, 'disconnect')
    const done = closed(ws)
    ws.send(envelope(2000))
    expect((await done).code).toBe(1009)
    const [err] = await error
    expect(err.code).toBe('SOCKET_ERROR')
    expect(err.message).toMatch(/larger than maxPayload; closed with 1009$/)
    // The server stops reading at the oversized frame, so it never sees the client's close frame.
    expect((await disconnected)[1].code).toBe(1006)
    expect(sizes).toHaveLength(1)
  })
})

describe('rate limit', () => {
  it('closes a client going over its rate with 1008 and ignores what follows', async () => {
    const { server, url } = await start({ rateLimit: { messages: 5, interval: 60_000 } })
    let handled = 0
    server.on('connection', (client) => client.on('m', () => handled++))
    const ws = await connect(url)
    const done = closed(ws)
    for (let i = 0; i < 20; i++) ws.send(JSON.stringify({ type: 'm' }))
    expect(await done).toEqual({ code: 1008, reason: 'rate limit exceeded' })
    expect(handled).toBe(5)
    expect(server.stats.rateLimited).toBe(1)
  })

  it('counts text heartbeats too, so they cannot be used to flood', async () => {
    const { url } = await start({ rateLimit: { messages: 3, interval: 60_000 } })
    const ws = await connect(url)
    const done = closed(ws)
    for (let i = 0; i < 4; i++) ws.send('ping')
    expect((await done).code).toBe(1008)
  })

  it('counts protocol pings too: a ping flood is closed with 1008 and counted, not cut silently', async () => {
    const { server, url } = await start({ rateLimit: { messages: 5, interval: 60_000 } })
    const ws = await connect(url)
    const done = closed(ws)
    for (let i = 0; i < 200; i++) ws.ping()
    expect(await done).toEqual({ code: 1008, reason: 'rate limit exceeded' })
    expect(server.stats.rateLimited).toBe(1)
  })

  it('is off with rateLimit: false', async () => {
    const { server, url } = await start({ rateLimit: false })
    let handled = 0
    server.on('connection', (client) => client.on('m', () => handled++))
    const ws = await connect(url)
    const box = inbox(ws)
    for (let i = 0; i < 3_000; i++) ws.send(JSON.stringify({ type: 'm' }))
    ws.send(JSON.stringify({ type: 'sync', id: 1 }))
    await box.waitFor(1)
    expect(handled).toBe(3_000)
    expect(ws.readyState).toBe(WebSocket.OPEN)
  })

  it('refills over time: a burst of `messages`, then `messages` per `interval`', () => {
    const bucket = new TokenBucket({ messages: 4, interval: 1_000 }, 0)
    expect([1, 2, 3, 4, 5].map(() => bucket.take(0))).toEqual([true, true, true, true, false])
    expect(bucket.take(249)).toBe(false)
    expect(bucket.take(250)).toBe(true)
    expect(bucket.take(250)).toBe(false)
    // Idle time never banks more than one burst.
    expect(Array.from({ length: 6 }, () => bucket.take(60_000)).filter(Boolean)).toHaveLength(4)
  })
})

describe('requests in flight', () => {
  it('answers a request past maxPendingRequests at once with TOO_MANY_REQUESTS, and takes more once replies went out', async () => {
    const { server, url } = await start({ rateLimit: false, maxPendingRequests: 3 })
    const waiting: Array<() => void> = []
    server.handle('slow', () => new Promise<string>((resolve) => waiting.push(() => resolve('ok'))))
    const ws = await connect(url)
    const box = inbox(ws)
    for (let id = 1; id <= 5; id++) ws.send(JSON.stringify({ type: 'slow', id }))
    const refused = [await box.next(), await box.next()]
    expect(refused).toEqual(
      [4, 5].map((id) => ({
        type: 'slow',
        id,
        error: {
          message: 'too many requests in flight (maxPendingRequests: 3); wait for replies first',
          code: 'TOO_MANY_REQUESTS',
        },
      })),
    )
    expect(waiting).toHaveLength(3)
    expect(server.stats.requestErrors).toBe(2)
    for (const release of waiting.splice(0)) release()
    expect(await box.next()).toEqual({ type: 'slow', id: 1, data: 'ok' })
    await box.waitFor(5)
    ws.send(JSON.stringify({ type: 'slow', id: 6 }))
    await waitFor(() => waiting.length === 1, WAIT, 'the handler to run again', 1)
    expect(ws.readyState).toBe(WebSocket.OPEN)
  })

  it('bounds a client flooding a handler that never answers: 100 in flight by default', async () => {
    const { server, url } = await start({ rateLimit: false })
    let running = 0
    server.handle('hang', () => {
      running++
      return new Promise(() => {})
    })
    const ws = await connect(url)
    const box = inbox(ws)
    const flood = 100 + 50
    for (let id = 1; id <= flood; id++) ws.send(JSON.stringify({ type: 'hang', id }))
    await box.waitFor(50, 'the refusals')
    expect(running).toBe(100)
    expect(JSON.parse(box.messages[0]!)).toMatchObject({
      id: 100 + 1,
      error: { code: 'TOO_MANY_REQUESTS' },
    })
  })
})
