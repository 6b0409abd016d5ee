// A hostile server on a real socket: every kind of malformed reliable frame, one connection
// each. The client must report PROTOCOL, close with 1002, throw nothing into the event loop,
// and come back unharmed: the frame changed nothing, so a valid message after it arrives.
import {
  type CloseInfo,
  type Connection,
  createConnection,
  type ReconnectStopInfo,
  reliable,
  type TetheredError,
} from '@tethered/core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { waitFor } from '../support/wait'

const WELCOME = 'w:{"v":1,"session":"s1","resumed":false,"ack":0}'

/** What the first connection gets after the client's hello; a later one is served properly. */
const cases: Array<[name: string, frames: string[], kind: RegExp]> = [
  ['w:null', ['w:null'], /welcome/],
  ['w:{bad', ['w:{bad'], /welcome/],
  ['w:[]', ['w:[]'], /welcome/],
  ['w: a string', ['w:"s1"'], /welcome/],
  ['w: v missing', ['w:{"session":"s1","resumed":false,"ack":0}'], /welcome.*version/],
  ['w: v 2', ['w:{"v":2,"session":"s1","resumed":false,"ack":0}'], /welcome.*version/],
  ['w: session a number', ['w:{"v":1,"session":5,"resumed":false,"ack":0}'], /welcome.*session/],
  ['w: session empty', ['w:{"v":1,"session":"","resumed":false,"ack":0}'], /welcome.*session/],
  ['w: session null', ['w:{"v":1,"session":null,"resumed":false,"ack":0}'], /welcome.*session/],
  ['w: resumed a string', ['w:{"v":1,"session":"s1","resumed":"no","ack":0}'], /welcome.*resumed/],
  ['w: ack -1', ['w:{"v":1,"session":"s1","resumed":false,"ack":-1}'], /welcome.*ack/],
  ['w: ack 1.5', ['w:{"v":1,"session":"s1","resumed":false,"ack":1.5}'], /welcome.*ack/],
  ['w: ack a string', ['w:{"v":1,"session":"s1","resumed":false,"ack":"0"}'], /welcome.*ack/],
  ['m:1e308:x', [WELCOME, 'm:1e308:x'], /data/],
  ['m:abc:x', [WELCOME, 'm:abc:x'], /data/],
  ['m:1.5:x', [WELCOME, 'm:1.5:x'], /data/],
  ['m:-1:x', [WELCOME, 'm:-1:x'], /data/],
  ['m:+1:x', [WELCOME, 'm:+1:x'], /data/],
  ['m:0:x', [WELCOME, 'm:0:x'], /data/],
  ['m:01:x', [WELCOME, 'm:01:x'], /data/],
  ['m::x', [WELCOME, 'm::x'], /data/],
  ['m:9007199254740992:x', [WELCOME, 'm:9007199254740992:x'], /data/],
  ['m:5 (no second colon)', [WELCOME, 'm:5'], /data/],
  ['a:1e308', [WELCOME, 'a:1e308'], /ack/],
  ['a:abc', [WELCOME, 'a:abc'], /ack/],
  ['a:-1', [WELCOME, 'a:-1'], /ack/],
  ['a: empty', [WELCOME, 'a:'], /ack/],
  ['a hello sent to the client', [WELCOME, 'h:{"v":1,"session":null,"ack":0}'], /hello/],
  // Well formed, out of order: each would lose or corrupt messages if taken.
  ['m: a gap (2 after 0)', [WELCOME, 'm:2:x'], /data.*missing/],
  ['m: the largest sequence number', [WELCOME, 'm:9007199254740991:x'], /data.*missing/],
  ['m before the welcome', ['m:1:x'], /data.*before the welcome/],
  ['a before the welcome', ['a:0'], /ack.*before the welcome/],
  ['a: beyond what was sent', [WELCOME, 'a:99'], /ack.*sent/],
  [
    'w: ack beyond what was sent',
    ['w:{"v":1,"session":"s1","resumed":false,"ack":5}'],
    /welcome.*sent/,
  ],
  ['a second welcome on the socket', [WELCOME, WELCOME], /welcome.*second/],
  [
    'w: a deeply nested v',
    [`w:{"v":${'['.repeat(100_000)}${']'.repeat(100_000)},"session":"s1","resumed":false,"ack":0}`],
    /welcome.*version/,
  ],
  ['a hello instead of the welcome', ['h:{"v":1,"session":null,"ack":0}'], /hello/],
]

interface Hostile {
  url: string
  /** Text frames each connection received, by connection. */
  got: string[][]
  /** The close code each connection saw from the client. */
  closes: number[]
  close(): Promise<void>
}

/** The first connection gets `frames` after the hello; later ones a proper welcome and `m:1:ok`. */
async function startHostile(frames: string[]): Promise<Hostile> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve)
    wss.once('error', reject)
  })
  const got: string[][] = []
  const closes: number[] = []
  wss.on('connection', (ws) => {
    const n = got.push([]) - 1
    ws.on('error', () => {})
    ws.on('close', (code) => {
      closes[n] = code
    })
    ws.on('message', (data) => {
      const text = String(data)
      got[n]?.push(text)
      if (!text.startsWith('h:')) return
      if (n === 0) {
        for (const frame of frames) ws.send(frame)
        return
      }
      // Resumed when the client presents a session: whatever the bad frame did to its
      // counts stays, so `m:1` is eaten if the client took `m:1e308` as a sequence number.
      const { session } = JSON.parse(text.slice(2)) as { session: string | null }
      ws.send(`w:${JSON.stringify({ v: 1, session: 's1', resumed: session !== null, ack: 0 })}`)
      ws.send('m:1:ok')
    })
  })
  const { port } = wss.address() as { port: number }
  return {
    url: `ws://127.0.0.1:${port}/`,
    got,
    closes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate()
        wss.close(() => resolve())
      }),
  }
}

const uncaught: unknown[] = []
const onUncaught = (error: unknown) => uncaught.push(error)
beforeAll(() => {
  process.on('uncaughtException', onUncaught)
})
afterAll(() => {
  process.off('uncaughtException', onUncaught)
})

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

describe('a hostile server: every malformed reliable frame is a protocol error', () => {
  it.each(cases)('%s', async (_name, frames, kind) => {
    const server = await startHostile(frames)
    cleanups.push(() => server.close())
    const errors: TetheredError[] = []
    const closes: CloseInfo[] = []
    const stops: ReconnectStopInfo[] = []
    const delivered: unknown[] = []
    const c: Connection<unknown, string> = createConnection(server.url, {
      WebSocket,
      delivery: reliable,
      parse: false,
      reconnectInterval: 10,
      onError: (e) => errors.push(e),
      onClose: (info) => closes.push(info),
      onReconnectStop: (info) => stops.push(info),
      onMessage: (event) => delivered.push(event.data),
    })
    cleanups.push(() => c.dispose())

    // Bounded, and not thrown on timeout: the assertion below then shows what happened
    // instead (what was delivered, the acks the server got).
    await waitFor(() => closes.length > 0, 1_000, 'the close').catch(() => {})
    await waitFor(() => server.closes[0] !== undefined, 1_000, 'the server to see the close').catch(
      () => {},
    )
    expect({
      errors: errors.map((e) => e.code),
      closes: closes.map((info) => info.code),
      stops: stops.map((info) => info.reason),
      delivered,
      serverSawClose: server.closes[0],
      acks: server.got[0]?.filter((text) => text.startsWith('a:')),
      uncaught: uncaught.map(String),
    }).toEqual({
      errors: ['PROTOCOL'],
      closes: [1002],
      stops: ['policy'],
      delivered: [],
      serverSawClose: 1002,
      acks: [],
      uncaught: [],
    })
    expect(errors[0]?.message).toMatch(kind)

    // The frame changed nothing: after a reconnect, the next message is delivered and acked.
    c.open()
    await waitFor(() => delivered.length > 0, 2_000, "the next connection's m:1:ok")
    expect(delivered).toEqual(['ok'])
    await waitFor(() => (server.got[1] ?? []).includes('a:1'), 2_000, 'the ack of m:1')
    expect(server.got[1]?.filter((text) => text.startsWith('a:'))).toEqual(['a:1'])
    expect(uncaught).toEqual([])
  })
})
