import type { AddressInfo, Socket } from 'node:net'
import {
  type CloseInfo,
  createConnection,
  ReadyState,
  type ReconnectStopInfo,
} from '@tethered/core'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer, type WebSocket as WsSocket } from 'ws'
import { nextEvent } from '../support/wait'

const servers: WebSocketServer[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    for (const client of s.clients) client.terminate()
    await new Promise((r) => s.close(r))
  }
})

async function echoServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  servers.push(wss)
  await new Promise((r) => wss.once('listening', r))
  const seen: { url: string; protocol: string }[] = []
  wss.on('connection', (socket, req) => {
    seen.push({ url: req.url ?? '', protocol: socket.protocol })
    socket.on('message', (data, binary) => socket.send(binary ? data : data.toString()))
  })
  return { wss, seen, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/live` }
}

/** The TCP socket under a server-side `ws` socket, to write frames ws would never send. */
const rawSocket = (s: WsSocket) => (s as unknown as { _socket: Socket })._socket

/** The first value a handler is given: the shared bounded wait, labelled, unsubscribed after. */
const until = <T>(label: string, subscribe: (done: (value: T) => void) => () => void) =>
  nextEvent<[T]>(subscribe, 5_000, label).then(([value]) => value)

describe('core against a real ws server', () => {
  it('round-trips JSON, with query parameters and protocols on the handshake', async () => {
    const { url, seen } = await echoServer()
    const c = createConnection<{ n: number }, { n: number }>(url, {
      WebSocket,
      protocols: ['v1'],
      queryParams: { token: 'a b/c' },
    })
    c.sendJsonMessage({ n: 1 }) // queued until open
    const json = await until<{ n: number } | undefined>('message', (done) =>
      c.on('message', (_e, j) => done(j)),
    )
    expect(json).toEqual({ n: 1 })
    expect(seen).toEqual([{ url: '/live?token=a+b%2Fc', protocol: 'v1' }])
    c.dispose()
  })

  it('receives binary as ArrayBuffer when asked, and reports it when JSON was expected', async () => {
    const { url } = await echoServer()
    const c = createConnection(url, { WebSocket, binaryType: 'arraybuffer' })
    await until('open', (done) => c.on('open', done))
    c.sendMessage(new Uint8Array([1, 2, 3]))
    const error = await until<Error>('error', (done) => c.on('error', done))
    expect(error.message).toMatch(/binary message/i)
    expect(c.getSnapshot().lastMessage?.data).toBeInstanceOf(ArrayBuffer)
    c.dispose()
  })

  it('gives ws messages the MessageEvent fields apps read: type, data as text or bytes, target', async () => {
    const { url } = await echoServer()
    const c = createConnection(url, { WebSocket, parse: false })
    await until('open', (done) => c.on('open', done))
    c.sendMessage('héllo')
    const text = await until<MessageEvent>('message', (done) => c.on('message', done))
    expect(text).toMatchObject({ type: 'message', data: 'héllo', target: c.getWebSocket() })
    expect(c.getSnapshot().lastMessage).toBe(text)
    c.sendMessage(new Uint8Array([1, 2, 3]))
    const bytes = await until<MessageEvent>('message', (done) => c.on('message', done))
    // ws's own default binaryType: a Buffer.
    expect(Buffer.isBuffer(bytes.data)).toBe(true)
    expect([...(bytes.data as Buffer)]).toEqual([1, 2, 3])
    c.dispose()
  })

  it('ignores messages still arriving on a socket it replaced', async () => {
    const { url, wss } = await echoServer()
    // The first connection gets bursts of 'stale': frames arrive many to a TCP read, so
    // more of them follow the one that triggers the replacement.
    let flood: ReturnType<typeof setInterval> | undefined
    wss.once('connection', (s) => {
      flood = setInterval(() => {
        for (let i = 0; i < 50 && s.readyState === s.OPEN; i++) s.send('stale')
      }, 1)
    })
    const c = createConnection(url, { WebSocket, parse: false })
    let replaced = false
    let late = 0
    c.on('message', (e) => {
      if (e.data !== 'stale') return
      if (replaced) late++
      else {
        replaced = true
        c.open() // a new socket now; the flooding one is let go
      }
    })
    await until('open', (done) => c.on('open', () => replaced && done(undefined)))
    c.sendMessage('fresh')
    await until('message', (done) => c.on('message', (e) => e.data === 'fresh' && done(undefined)))
    clearInterval(flood)
    expect(late).toBe(0)
    c.dispose()
  })

  it('retries a server restart (1001) and stops on a normal closure (1000)', async () => {
    const { url, wss } = await echoServer()
    const c = createConnection(url, { WebSocket, reconnectInterval: 20 })
    await until('open', (done) => c.on('open', done))
    for (const client of wss.clients) client.close(1001, 'restarting')
    await until('open', (done) => c.on('open', done))
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
    const stopped = until('reconnect-stop', (done) => c.on('reconnect-stop', done))
    for (const client of wss.clients) client.close(1000, 'bye')
    await expect(stopped).resolves.toMatchObject({ reason: 'policy' })
    expect(c.getSnapshot().readyState).toBe(ReadyState.CLOSED)
    c.dispose()
  })

  it('a manual close sends the code and reason to the server', async () => {
    const { url, wss } = await echoServer()
    const closed = until<[number, string]>('the server-side close', (done) => {
      const connected = (s: WsSocket) =>
        s.on('close', (code, reason) => done([code, reason.toString()]))
      wss.on('connection', connected)
      return () => wss.off('connection', connected)
    })
    const c = createConnection(url, { WebSocket })
    await until('open', (done) => c.on('open', done))
    c.close(4001, 'logout')
    await expect(closed).resolves.toEqual([4001, 'logout'])
    await until('close', (done) => c.on('close', done))
    expect(c.getSnapshot().readyState).toBe(ReadyState.CLOSED)
    c.dispose()
  })

  it.each([
    ['too big (1009)', 1009, (s: WsSocket) => s.send('x'.repeat(4_096))],
    [
      'not UTF-8 (1007)',
      1007,
      (s: WsSocket) => s.send(Buffer.from([0xff, 0xfe]), { binary: false }),
    ],
    // A frame with a reserved opcode (3), written under ws's own framing.
    ['a protocol error (1002)', 1002, (s: WsSocket) => rawSocket(s).write(Buffer.from([0x83, 0]))],
  ])(
    'a message the socket refuses, %s, closes with its code and is not retried',
    async (_, code, send) => {
      const { url, wss } = await echoServer()
      let connections = 0
      wss.on('connection', (s) => {
        connections++
        send(s)
      })
      // ws closes the socket itself with the code of what it refused; its close event says 1006.
      class Small extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { maxPayload: 1_024 })
        }
      }
      const c = createConnection(url, { WebSocket: Small, parse: false, reconnectInterval: 20 })
      const errors: Error[] = []
      c.on('error', (e) => errors.push(e))
      const closed = until<CloseInfo>('close', (done) => c.on('close', done))
      const stopped = until<ReconnectStopInfo>('reconnect-stop', (done) =>
        c.on('reconnect-stop', done),
      )
      expect(await closed).toMatchObject({ code, wasClean: false })
      await expect(stopped).resolves.toMatchObject({ reason: 'policy', close: { code } })
      expect(errors).toEqual([expect.objectContaining({ code: 'SOCKET' })])
      expect(c.getSnapshot()).toMatchObject({
        readyState: ReadyState.CLOSED,
        nextReconnectAt: null,
      })
      expect(connections).toBe(1)
      c.dispose()
    },
  )
})
