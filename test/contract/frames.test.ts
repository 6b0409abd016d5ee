// The reliable wire format between the two ends Tethered ships: every frame kind one side
// writes, the other reads (recorded on a real loopback socket), and the frames that break
// the format are refused by both, the same ones.
import {
  type Connection,
  createConnection,
  reliable,
  type TetheredError,
  type WebSocketConstructor,
} from '@tethered/core'
import { type FrameKind, parseFrame } from '@tethered/protocol'
import { createSocketServer, type SocketServer } from '@tethered/server'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { waitFor } from '../support/wait'

type Events = { in: { news: number }; out: { say: number } }

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

async function startServer(): Promise<{ server: SocketServer<Events>; url: string }> {
  const server = createSocketServer<Events>({ port: 0, host: '127.0.0.1', delivery: 'reliable' })
  cleanups.push(() => server.close({ timeout: 500 }))
  await server.ready
  return { server, url: `ws://127.0.0.1:${server.address()?.port}/` }
}

function connect(url: string, options: { WebSocket?: WebSocketConstructor } = {}) {
  const errors: TetheredError[] = []
  const got: unknown[] = []
  const c: Connection<unknown, string> = createConnection<unknown, string>(url, {
    WebSocket,
    delivery: reliable,
    parse: false,
    reconnectInterval: 10,
    onError: (e) => errors.push(e),
    onMessage: (event) => got.push(event.data),
    ...options,
  })
  cleanups.push(() => c.dispose())
  return { c, errors, got }
}

/** `ws`, recording every text frame that crosses the socket into `sent` and `received`. */
function recorder(sent: string[], received: string[]): WebSocketConstructor {
  return class extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols)
      this.on('message', (data, binary) => {
        if (!binary) received.push(String(data))
      })
    }
    override send(data: unknown, ...rest: unknown[]): void {
      sent.push(String(data))
      ;(WebSocket.prototype.send as (...args: unknown[]) => void).call(this, data, ...rest)
    }
  } as unknown as WebSocketConstructor
}

const say = (n: number) => JSON.stringify({ type: 'say', data: n })
const kinds = (frames: string[]) => [...new Set(frames.map((f) => parseFrame(f)?.kind ?? 'app'))]

describe('every frame one end writes, the other reads', () => {
  it('hello, welcome, data and acks both ways, on a real socket', async () => {
    const { server, url } = await startServer()
    const said: number[] = []
    server.on('connection', (client) => {
      client.on('say', (n) => {
        said.push(n)
        client.emit('news', n)
      })
    })
    const sent: string[] = []
    const received: string[] = []
    const { c, errors, got } = connect(url, { WebSocket: recorder(sent, received) })
    // More than ACK_EVERY (32) each way, so both ends ack on count and on delay.
    const n = 40
    await waitFor(() => c.getSnapshot().readyState === 1, 2_000, 'the welcome')
    for (let i = 1; i <= n; i++) c.sendMessage(say(i))
    await waitFor(() => got.length === n, 2_000, 'the news for every say')
    // The client's acks reached the server: it keeps nothing for replay.
    await waitFor(() => server.stats.sessions.buffered === 0, 2_000, "the client's acks")
    // The server's acks reached the client: after a cut it sends nothing again.
    await waitFor(() => received.some((f) => f.startsWith('a:')), 2_000, "the server's acks")
    await waitFor(
      () => received.filter((f) => f.startsWith('a:')).at(-1) === `a:${n}`,
      2_000,
      `a:${n}`,
    )
    for (const client of server.clients.values()) client.terminate()
    await waitFor(() => c.getSnapshot().resumed === true, 2_000, 'the resumed session')
    c.sendMessage(say(n + 1))
    await waitFor(() => said.length === n + 1, 2_000, 'the say after the resume')

    expect(errors).toEqual([])
    expect(said).toEqual(Array.from({ length: n + 1 }, (_, i) => i + 1))
    expect(server.stats.sessions.duplicates).toBe(0)
    expect(server.stats.malformed).toBe(0)
    expect(kinds(sent).sort()).toEqual(['ack', 'data', 'hello'])
    expect(kinds(received).sort()).toEqual(['ack', 'data', 'welcome'])
    for (const frame of [...sent, ...received]) {
      expect(parseFrame(frame), frame).toMatchObject({
        kind: expect.not.stringMatching('malformed'),
      })
    }
  })
})

/**
 * Data and ack frames travel both ways: both ends must take or refuse each one alike. Two
 * well-formed ones are out of order for the client right after a welcome (a gap; an ack of
 * more than it sent): it refuses those too (the hostile-server suite), while the server
 * clamps an ack and takes a gap.
 */
const OUT_OF_ORDER = new Set([`m:${Number.MAX_SAFE_INTEGER}:x`, 'a:7'])
const verdicts: Array<[frame: string, kind: FrameKind, valid: boolean]> = [
  ['m:1:x', 'data', true],
  [`m:${Number.MAX_SAFE_INTEGER}:x`, 'data', true],
  ['m:1:', 'data', true],
  ['m:1e308:x', 'data', false],
  ['m:abc:x', 'data', false],
  ['m:1.5:x', 'data', false],
  ['m:-1:x', 'data', false],
  ['m:+1:x', 'data', false],
  ['m:0:x', 'data', false],
  ['m:01:x', 'data', false],
  ['m::x', 'data', false],
  ['m:9007199254740992:x', 'data', false],
  ['m:5', 'data', false],
  ['a:0', 'ack', true],
  ['a:7', 'ack', true],
  ['a:1e308', 'ack', false],
  ['a:abc', 'ack', false],
  ['a:-1', 'ack', false],
  ['a:01', 'ack', false],
  ['a:', 'ack', false],
]

/** A server that welcomes, then sends `frame` and `end`, a plain message. */
async function startSender(frame: string): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => wss.once('listening', resolve))
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate()
        wss.close(() => resolve())
      }),
  )
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      if (!String(data).startsWith('h:')) return
      ws.send('w:{"v":1,"session":"s1","resumed":false,"ack":0}')
      ws.send(frame)
      // Not a reliable frame: it reaches the app as is, after the frame was taken.
      ws.send('end')
    })
  })
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`
}

describe('the frames that break the format, each end refuses', () => {
  it.each(verdicts)('%s (%s): valid %s', async (frame, kind, valid) => {
    expect(parseFrame(frame)).toMatchObject(valid ? { kind } : { kind: 'malformed', frame: kind })

    // The client: a valid frame is taken, a malformed one is a PROTOCOL error.
    const takes = valid && !OUT_OF_ORDER.has(frame)
    const client = connect(await startSender(frame))
    const closes: number[] = []
    client.c.on('close', (info) => closes.push(info.code))
    await waitFor(
      () => client.got.includes('end') || closes.length > 0,
      2_000,
      'the message after the frame, or the close',
    )
    expect(client.errors.map((e) => e.code)).toEqual(takes ? [] : ['PROTOCOL'])
    expect(closes).toEqual(takes ? [] : [1002])
    const payload = frame.slice(frame.indexOf(':', 2) + 1)
    expect(client.got).toEqual(takes ? (kind === 'data' ? [payload, 'end'] : ['end']) : [])

    // The server: a valid frame is taken, a malformed one counted as malformed (the
    // connection is kept, as for any malformed message).
    const { server, url } = await startServer()
    const said: number[] = []
    server.on('connection', (c) => c.on('say', (n) => said.push(n)))
    const ws = new WebSocket(url)
    await new Promise((resolve) => ws.once('open', resolve))
    cleanups.push(() => ws.terminate())
    ws.send('h:{"v":1,"session":null,"ack":0}')
    // The payload of a data frame is an event the server counts when it takes the frame.
    const toServer =
      kind === 'data' ? `${frame.slice(0, frame.lastIndexOf(':') + 1)}${say(1)}` : frame
    ws.send(frame === 'm:5' ? frame : toServer)
    // Not a reliable frame either: an event the server takes as is.
    ws.send(say(2))
    await waitFor(() => said.includes(2), 2_000, 'the say after the frame')
    expect(server.stats.malformed).toBe(valid ? 0 : 1)
    if (kind === 'data') expect(said).toEqual(valid ? [1, 2] : [2])
    expect(ws.readyState).toBe(WebSocket.OPEN)
  })
})
