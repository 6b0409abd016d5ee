// Reliable delivery on the server: the wire format spoken by hand with a raw `ws` client
// (so every frame is visible), then with the real @tethered/core client.
import {
  type Connection,
  createConnection,
  ReadyState,
  reliable,
  type SessionInfo,
} from '@tethered/core'
import type { Hello, Welcome } from '@tethered/protocol'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { waitFor } from '../../../test/support/wait'
import {
  type AdapterMember,
  type ClaimedSession,
  type Client,
  CloseCode,
  createSocketServer,
  memoryAdapter,
  ReplayBuffer,
  type SessionLogConfig,
  type SessionLogStats,
  type SocketServerOptions,
} from '../src/index'
import {
  closed,
  connect,
  inbox,
  nextEvent,
  onCleanup,
  start,
  WAIT,
  within,
  withMethod,
} from './helpers'

type Events = {
  in: { news: number; direct: string; blob: string }
  out: { say: number }
}

const reliableStart = (
  options: Omit<SocketServerOptions, 'port' | 'host' | 'server' | 'noServer'> = {},
) => start<Events>({ delivery: 'reliable', ...options })

/** Connects by hand, says hello, and returns the socket with the welcome it got. */
async function hello(url: string, said: Partial<Hello> = {}) {
  const ws = await connect(url)
  const box = inbox(ws)
  const read = box.messages.length
  ws.send(`h:${JSON.stringify({ v: 1, session: null, ack: 0, ...said })}`)
  const messages = await box.waitFor(read + 1, 'the welcome')
  const frame = messages[read] as string
  expect(frame.startsWith('w:')).toBe(true)
  return { ws, box, welcome: JSON.parse(frame.slice(2)) as Welcome, from: read + 1 }
}

/** Data frames received from index `from` on, as `[seq, payload]`. */
const dataFrames = (messages: string[], from = 0) =>
  messages
    .slice(from)
    .filter((m) => m.startsWith('m:'))
    .map((m) => {
      const colon = m.indexOf(':', 2)
      return [Number(m.slice(2, colon)), m.slice(colon + 1)] as const
    })

const acks = (messages: string[]) =>
  messages.filter((m) => m.startsWith('a:')).map((m) => Number(m.slice(2)))

const say = (n: number) => JSON.stringify({ type: 'say', data: n })

describe('reliable delivery: the wire format', () => {
  it('waits for the hello before the client exists for the app, then welcomes it', async () => {
    const { server, url } = await reliableStart()
    const connections: Client<Events>[] = []
    server.on('connection', (client) => {
      connections.push(client)
      client.emit('direct', 'first')
    })
    const ws = await connect(url)
    // Open (a plain server would have emitted `connection` before its 101 went out), but
    // nothing is known of it until the hello.
    expect(server.stats.connections).toBe(1)
    expect(connections).toHaveLength(0)
    expect(server.clients.size).toBe(0)
    const box = inbox(ws)
    ws.send('h:{"v":1,"session":null,"ack":0}')
    await box.waitFor(2)
    const welcome = JSON.parse((box.messages[0] as string).slice(2)) as Welcome
    expect(welcome).toEqual({ v: 1, session: expect.any(String), resumed: false, ack: 0 })
    // The session id is the client's secret, not the id application code sees.
    expect(welcome.session).not.toBe(connections[0]?.id)
    // The welcome first, then what the connection handler sent, numbered from 1.
    expect(box.messages[1]).toBe('m:1:{"type":"direct","data":"first"}')
    expect(connections).toHaveLength(1)
    expect(server.stats.sessions).toMatchObject({ active: 1, started: 1, detached: 0 })
  })

  it('hands each client message to handlers once, in order, and acknowledges in batches', async () => {
    const { server, url } = await reliableStart()
    const seen: number[] = []
    server.on('connection', (client) => client.on('say', (n) => seen.push(n)))
    const { ws, box } = await hello(url)
    for (let n = 1; n <= 40; n++) ws.send(`m:${n}:${say(n)}`)
    // Sent again, as a client does after a reconnect when its ack was lost: dropped.
    ws.send(`m:40:${say(40)}`)
    ws.send(`m:39:${say(39)}`)
    await box.waitFor(3, 'two acks')
    // One ack after 32 messages, the rest within ACK_DELAY: not one per message.
    expect(acks(box.messages)).toEqual([32, 40])
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    expect(server.stats.sessions.duplicates).toBe(2)
    expect(server.stats.messagesIn).toBe(40)
  })

  it('numbers what it sends per client, broadcasts included, and trims on acks', async () => {
    const { server, url } = await reliableStart()
    const a = await hello(url)
    const b = await hello(url)
    server.clients.values().next().value?.emit('direct', 'only a')
    server.broadcast('news', 1)
    server.broadcast('news', 2)
    await a.box.waitFor(a.from + 3)
    await b.box.waitFor(b.from + 2)
    expect(dataFrames(a.box.messages, a.from)).toEqual([
      [1, '{"type":"direct","data":"only a"}'],
      [2, '{"type":"news","data":1}'],
      [3, '{"type":"news","data":2}'],
    ])
    expect(dataFrames(b.box.messages, b.from)).toEqual([
      [1, '{"type":"news","data":1}'],
      [2, '{"type":"news","data":2}'],
    ])
    expect(server.stats.sessions.buffered).toBe(5)
    const bytes = server.stats.sessions.bufferedBytes
    expect(bytes).toBe(
      Buffer.byteLength('{"type":"direct","data":"only a"}') +
        4 * Buffer.byteLength('{"type":"news","data":1}'),
    )
    a.ws.send('a:2')
    b.ws.send('a:2')
    await waitFor(() => server.stats.sessions.buffered === 1, WAIT, 'the acks to trim the buffers')
    expect(server.stats.sessions.bufferedBytes).toBe(Buffer.byteLength('{"type":"news","data":2}'))
  })

  it('closes a client that does not start with a hello with 1002, and one that never says anything', async () => {
    const { server, url } = await reliableStart({
      delivery: { reliable: { helloTimeout: 200 } },
    })
    const connections: Client<Events>[] = []
    server.on('connection', (client) => connections.push(client))
    const plain = await connect(url)
    const refused = closed(plain)
    plain.send(say(1))
    expect(await refused).toEqual({
      code: 1002,
      reason: 'reliable delivery: expected a hello (h:{...}) as the first message',
    })
    const silent = await connect(url)
    const started = performance.now()
    expect(await closed(silent)).toEqual({
      code: 1002,
      reason: 'reliable delivery: no hello within 200 ms',
    })
    expect(performance.now() - started).toBeGreaterThanOrEqual(150)
    const future = await connect(url)
    const unsupported = closed(future)
    future.send('h:{"v":2,"session":null,"ack":0}')
    expect((await unsupported).reason).toBe(
      'reliable delivery: hello (h:): version 2 not supported (this end speaks 1)',
    )
    expect(connections).toHaveLength(0)
    expect(server.stats.sessions.started).toBe(0)
  })

  it('refuses a malformed hello with 1002 and a reason naming what is wrong, however long the hello', async () => {
    const { server, url } = await reliableStart()
    const hellos: Array<[string, string]> = [
      ['h:null', 'not a JSON object'],
      ['h:{bad', 'not JSON'],
      ['h:[]', 'not a JSON object'],
      ['h:{"v":1,"session":"","ack":0}', 'session must be a non-empty string or null'],
      ['h:{"v":1,"session":null,"ack":-1}', 'ack must be a non-negative integer'],
      ['h:{"v":1,"session":null,"ack":"0"}', 'ack must be a non-negative integer'],
      // Once a reason over 123 bytes, which ws refuses to send: a throw in the listener.
      [
        `h:{"v":"${'9'.repeat(200)}","session":null,"ack":0}`,
        'version "9999999999" not supported (this end speaks 1)',
      ],
      // Deeper than JSON.stringify recurses: once a RangeError out of the listener.
      [
        `h:{"v":${'['.repeat(100_000)}${']'.repeat(100_000)},"session":null,"ack":0}`,
        'version (an array) not supported (this end speaks 1)',
      ],
    ]
    for (const [text, problem] of hellos) {
      const ws = await connect(url)
      const done = closed(ws)
      ws.send(text)
      expect(await done).toEqual({
        code: 1002,
        reason: `reliable delivery: hello (h:): ${problem}`,
      })
    }
    expect(server.stats.sessions.started).toBe(0)
  })

  it('counts a malformed data or ack frame as a malformed message, handles nothing of it and keeps the connection', async () => {
    const { server, url } = await reliableStart()
    const said: number[] = []
    const good = new Promise<void>((resolve) =>
      server.on('connection', (client) =>
        client.on('say', (n) => {
          said.push(n)
          if (n === 1) resolve()
        }),
      ),
    )
    const { ws } = await hello(url)
    // m:01 was once taken as message 1, m:0 as a duplicate.
    const bad = ['01', '0', '1e308', 'abc', '-1', '1.5', ''].map((seq) => `m:${seq}:${say(9)}`)
    bad.push('m:', 'a:1e308', 'a:abc', 'a:-1', 'a:')
    for (const frame of bad) ws.send(frame)
    ws.send(`m:1:${say(1)}`)
    await within(good, 'the valid message after the malformed ones')
    expect(said).toEqual([1])
    expect(server.stats.malformed).toBe(bad.length)
    expect(server.stats.sessions.duplicates).toBe(0)
    expect(ws.readyState).toBe(WebSocket.OPEN)
  })

  it('a server without reliable delivery closes a client that says hello with 1002', async () => {
    const { url } = await start()
    const ws = await connect(url)
    const done = closed(ws)
    ws.send('h:{"v":1,"session":null,"ack":0}')
    expect(await done).toEqual({
      code: 1002,
      reason: 'reliable delivery is not enabled on this server',
    })
  })

  it('resumes: same client object, listeners and rooms; replays what was missed, sent while away included', async () => {
    const { server, url } = await reliableStart()
    const seen: number[] = []
    let connections = 0
    let disconnects = 0
    server.on('connection', (client) => {
      connections++
      client.join('room')
      client.on('say', (n) => seen.push(n))
    })
    server.on('disconnect', () => disconnects++)
    const first = await hello(url)
    first.ws.send(`m:1:${say(1)}`)
    server.to('room').emit('news', 1)
    server.to('room').emit('news', 2)
    await first.box.waitFor(first.from + 2)
    first.ws.send('a:1')
    const client = [...server.clients.values()][0] as Client<Events>
    first.ws.terminate()
    await waitFor(() => server.stats.sessions.detached === 1, WAIT, 'the session to detach')
    expect(client.isOpen).toBe(false)
    expect(server.clients.get(client.key)).toBe(client)
    // Sent while the client is away: kept.
    expect(server.to('room').emit('news', 3)).toBe(1)
    expect(client.emit('direct', 'while away')).toBe(true)

    const again = await hello(url, { session: first.welcome.session, ack: 1 })
    expect(again.welcome).toEqual({
      v: 1,
      session: first.welcome.session,
      resumed: true,
      ack: 1,
    })
    await again.box.waitFor(again.from + 3)
    expect(dataFrames(again.box.messages, again.from)).toEqual([
      [2, '{"type":"news","data":2}'],
      [3, '{"type":"news","data":3}'],
      [4, '{"type":"direct","data":"while away"}'],
    ])
    // The same client: no new `connection`, its listener and room still there.
    again.ws.send(`m:1:${say(1)}`) // a resend of what the server had: dropped
    again.ws.send(`m:2:${say(2)}`)
    server.to('room').emit('news', 5)
    await again.box.waitFor(again.from + 4)
    expect(dataFrames(again.box.messages, again.from).at(-1)).toEqual([
      5,
      '{"type":"news","data":5}',
    ])
    await waitFor(() => seen.length >= 2, WAIT, 'the second message')
    expect(seen).toEqual([1, 2])
    expect(connections).toBe(1)
    expect(disconnects).toBe(0)
    expect(client.isOpen).toBe(true)
    expect(server.stats.sessions).toMatchObject({
      active: 1,
      detached: 0,
      resumed: 1,
      replayed: 3,
      duplicates: 1,
    })
    expect(server.stats.connections).toBe(1)
  })

  it('takes a session over from a socket the server still thinks open (a dead network)', async () => {
    const { server, url } = await reliableStart()
    const first = await hello(url)
    server.broadcast('news', 1)
    await first.box.waitFor(first.from + 1)
    // The old socket is not closed: the server cannot tell it is dead.
    const again = await hello(url, { session: first.welcome.session, ack: 0 })
    expect(again.welcome.resumed).toBe(true)
    await again.box.waitFor(again.from + 1)
    expect(dataFrames(again.box.messages, again.from)).toEqual([[1, '{"type":"news","data":1}']])
    // The superseded socket is destroyed, and nothing more goes to it.
    await closed(first.ws).catch(() => undefined)
    expect(first.ws.readyState).toBe(WebSocket.CLOSED)
    expect(server.stats.connections).toBe(1)
    expect(server.clients.size).toBe(1)
  })

  it('tells a client whose missed messages are gone that it was not resumed, and keeps what it got', async () => {
    const { server, url } = await reliableStart({
      delivery: { reliable: { bufferSize: 3 } },
    })
    const seen: number[] = []
    const disconnects: string[] = []
    server.on('connection', (client) => client.on('say', (n) => seen.push(n)))
    server.on('disconnect', (_client, info) => disconnects.push(info.reason))
    const first = await hello(url)
    first.ws.send(`m:1:${say(1)}`)
    first.ws.send(`m:2:${say(2)}`)
    for (let n = 1; n <= 5; n++) server.broadcast('news', n)
    await first.box.waitFor(first.from + 5)
    first.ws.terminate()
    await waitFor(() => server.stats.sessions.detached === 1, WAIT, 'the session to detach')
    // Messages 1 and 2 were pushed out of the 3-message buffer unacknowledged.
    expect(server.stats.sessions.evicted).toBe(2)
    const again = await hello(url, { session: first.welcome.session, ack: 0 })
    // A new session; `ack` says what the server got of the old one.
    expect(again.welcome).toMatchObject({ resumed: false, ack: 2 })
    expect(again.welcome.session).not.toBe(first.welcome.session)
    expect(disconnects).toEqual(['replaced by a newer session'])
    // The new session counts from 1 both ways, and nothing of the old one is replayed.
    again.ws.send(`m:1:${say(3)}`)
    server.broadcast('news', 6)
    await again.box.waitFor(again.from + 1)
    expect(dataFrames(again.box.messages, again.from)).toEqual([[1, '{"type":"news","data":6}']])
    await waitFor(() => seen.length >= 3, WAIT, 'the message on the new session')
    expect(seen).toEqual([1, 2, 3])
    expect(server.stats.sessions).toMatchObject({ active: 1, notResumed: 1, started: 2 })
    // An id the server never gave: not resumed either, nothing acknowledged.
    const stranger = await hello(url, { session: 'no-such-session', ack: 7 })
    expect(stranger.welcome).toMatchObject({ resumed: false, ack: 0 })
  })

  it('bounded memory: a client that never comes back costs at most bufferSize messages, released at expiry', async () => {
    const { server, url } = await reliableStart({
      delivery: { reliable: { bufferSize: 10, maxAge: 400 } },
    })
    const first = await hello(url)
    first.ws.terminate()
    await waitFor(() => server.stats.sessions.detached === 1, WAIT, 'the session to detach')
    const gone = nextEvent(server, 'disconnect')
    const payload = 'x'.repeat(100)
    for (let n = 0; n < 50; n++) server.broadcast('direct', payload)
    const size = Buffer.byteLength(JSON.stringify({ type: 'direct', data: payload }))
    expect(server.stats.sessions).toMatchObject({
      active: 1,
      detached: 1,
      buffered: 10,
      bufferedBytes: 10 * size,
      evicted: 40,
    })
    const [client, info] = await within(gone, 'the expiry', 2_000)
    expect(info.code).toBe(1006)
    expect(client.isOpen).toBe(false)
    expect(server.stats.sessions).toMatchObject({
      active: 0,
      detached: 0,
      buffered: 0,
      bufferedBytes: 0,
      expired: 1,
    })
    expect(server.clients.size).toBe(0)
    // Expired: the client is told it was not resumed.
    const again = await hello(url, { session: first.welcome.session, ack: 0 })
    expect(again.welcome.resumed).toBe(false)
  })

  it('maxSessions: past it the longest-detached session ends first, reported, and is not resumed', async () => {
    const { server, url } = await reliableStart({ maxSessions: 3 })
    const connected: string[] = []
    const gone: Array<[string, number]> = []
    server.on('connection', (client) => connected.push(client.id))
    server.on('disconnect', (client, info) => gone.push([client.id, info.code]))
    const sessions: string[] = []
    // One anonymous client looping connect, hello, drop: each loop is a new session.
    for (let n = 1; n <= 5; n++) {
      const { ws, welcome } = await hello(url)
      sessions.push(welcome.session)
      ws.terminate()
      await waitFor(
        () => server.stats.sessions.detached === Math.min(n, 3),
        WAIT,
        `session ${n} to detach`,
      )
    }
    expect(server.stats.sessions).toMatchObject({ active: 3, detached: 3, evictedSessions: 2 })
    // Oldest first, reported as a disconnect with the code its socket closed with.
    expect(gone).toEqual([
      [connected[0], 1006],
      [connected[1], 1006],
    ])
    const evicted = await hello(url, { session: sessions[0] as string, ack: 0 })
    expect(evicted.welcome.resumed).toBe(false)
    // That new session took the place of the third; the fifth is still there.
    expect(server.stats.sessions).toMatchObject({ active: 3, evictedSessions: 3 })
    const kept = await hello(url, { session: sessions[4] as string, ack: 0 })
    expect(kept.welcome.resumed).toBe(true)
  })

  it('maxSessions never evicts a session whose client is connected (maxConnections bounds those)', async () => {
    const { server, url } = await reliableStart({ maxSessions: 2 })
    const a = await hello(url)
    await hello(url)
    await hello(url)
    expect(server.stats.sessions).toMatchObject({ active: 3, detached: 0, evictedSessions: 0 })
    a.ws.terminate()
    await waitFor(() => server.stats.sessions.detached === 1, WAIT, 'a to detach')
    await hello(url)
    expect(server.stats.sessions).toMatchObject({ active: 3, detached: 0, evictedSessions: 1 })
  })

  /** What a client gone mid-handshake may leave: nothing announced, registered, stored or active. */
  const leftBehind = (
    server: { clients: { size: number }; stats: { sessions: { active: number } } },
    store: { localSessions(): Iterable<unknown> },
    connected: string[],
  ) => ({
    connected,
    clients: server.clients.size,
    sessions: [...store.localSessions()].length,
    active: server.stats.sessions.active,
  })
  const NOTHING = { connected: [], clients: 0, sessions: 0, active: 0 }

  it('a client gone before a slow store confirmed its new session is never connected, and holds nothing', async () => {
    // A store that answers later (Redis): addSession is confirmed only once `confirm` runs.
    const base = memoryAdapter()
    let confirm!: () => void
    const confirmed = new Promise<void>((resolve) => (confirm = resolve))
    const adapter = withMethod(
      base,
      'addSession',
      (target) => (id: string, member: AdapterMember) =>
        confirmed.then(() => target.addSession(id, member)),
    )
    const { server, url } = await reliableStart({ adapter })
    const connected: string[] = []
    server.on('connection', (client) => connected.push(client.id))
    const ws = await connect(url)
    ws.send('h:{"v":1,"session":null,"ack":0}')
    await waitFor(() => server.stats.sessions.started === 1, WAIT, 'the session to start')
    // Gone while the store is still writing the session down.
    ws.terminate()
    await waitFor(() => server.stats.connections === 0, WAIT, 'the server to see it go')
    confirm()
    await confirmed
    await new Promise((resolve) => setImmediate(resolve))
    expect(leftBehind(server, base, connected)).toEqual(NOTHING)
  })

  it('a client gone before a slow store took its session over from another instance holds nothing', async () => {
    // A shared store (Redis) that holds session "elsewhere" and hands it over later: as
    // Redis does, it keeps the member it made as this instance's session and registers it.
    const base = memoryAdapter()
    let claim!: () => void
    const claimed = new Promise<void>((resolve) => (claim = resolve))
    const adapter = withMethod(
      base,
      'claimSession',
      (target) =>
        async (
          id: string,
          _ack: number,
          _key: string | null,
          config: SessionLogConfig,
          stats: SessionLogStats,
          become: (session: ClaimedSession) => AdapterMember,
        ) => {
          await claimed
          const log = new ReplayBuffer(config, stats)
          const member = become({
            memberId: 'm1',
            key: 'k1',
            inSeq: 0,
            outSeq: 0,
            log,
            rooms: [],
          })
          target.addSession(id, member)
          ;(target.clients as Map<string, AdapterMember>).set(member.key, member)
          return member
        },
    )
    const { server, url } = await reliableStart({ adapter })
    const connected: string[] = []
    server.on('connection', (client) => connected.push(client.id))
    const ws = await connect(url)
    ws.send('h:{"v":1,"session":"elsewhere","ack":0}')
    // Gone while the store is still taking the session over.
    ws.terminate()
    await waitFor(() => server.stats.connections === 0, WAIT, 'the server to see it go')
    claim()
    await claimed
    await new Promise((resolve) => setImmediate(resolve))
    expect(leftBehind(server, base, connected)).toEqual(NOTHING)
  })

  it('closes with 1002 a client that sends before its welcome, while a slow store writes its session down: nothing of it is handled', async () => {
    const base = memoryAdapter()
    let confirm!: () => void
    const confirmed = new Promise<void>((resolve) => (confirm = resolve))
    const adapter = withMethod(
      base,
      'addSession',
      (target) => (id: string, member: AdapterMember) =>
        confirmed.then(() => target.addSession(id, member)),
    )
    const { server, url } = await reliableStart({ adapter })
    const handled: unknown[] = []
    // A request: its handler would run at once, and its reply go out ahead of the welcome.
    server.handle('ask' as never, ((n: unknown) => handled.push(n)) as never)
    const ws = await connect(url)
    const box = inbox(ws)
    const gone = closed(ws)
    ws.send('h:{"v":1,"session":null,"ack":0}')
    ws.send('m:1:{"type":"ask","data":1,"id":1}')
    ws.send('{"type":"ask","data":2,"id":2}')
    // Bounded, and not thrown on timeout: the assertion then shows what was handled and sent.
    const close = await gone.catch(() => null)
    confirm()
    await confirmed
    await new Promise((resolve) => setImmediate(resolve))
    expect({ close, handled, got: box.messages }).toEqual({
      close: {
        code: 1002,
        reason: 'reliable delivery: nothing but the heartbeat before the welcome',
      },
      handled: [],
      got: [],
    })
  })

  it('one identity holds at most one session: a new one replaces its detached one', async () => {
    const { server, url } = await reliableStart({
      authenticate: (_req, { token }) => token ?? null,
    })
    for (let n = 0; n < 3; n++) {
      const { ws } = await hello(`${url}?token=alice`)
      ws.terminate()
      await waitFor(() => server.stats.sessions.detached === 1, WAIT, `session ${n} to detach`)
    }
    expect(server.stats.sessions).toMatchObject({ active: 1, detached: 1, started: 3 })
  })

  it("maxSessions: an identity's new session replaces its own detached one, evicting nobody else's", async () => {
    const { server, url } = await reliableStart({
      authenticate: (_req, { token }) => token ?? null,
      maxSessions: 2,
    })
    const bob = await hello(`${url}?token=bob`)
    bob.ws.terminate()
    await waitFor(() => server.stats.sessions.detached === 1, WAIT, 'bob to detach')
    const alice = await hello(`${url}?token=alice`)
    alice.ws.terminate()
    await waitFor(() => server.stats.sessions.detached === 2, WAIT, 'alice to detach')
    // A reload: alice starts over, at the limit.
    await hello(`${url}?token=alice`)
    expect(server.stats.sessions).toMatchObject({ evictedSessions: 0, active: 2 })
    const back = await hello(`${url}?token=bob`, { session: bob.welcome.session, ack: 0 })
    expect(back.welcome.resumed).toBe(true)
  })

  it('resumes only for the identity that owns the session', async () => {
    const { url } = await reliableStart({
      authenticate: (_req, { token }) => token ?? null,
    })
    const alice = await hello(`${url}?token=alice`)
    alice.ws.terminate()
    const mallory = await hello(`${url}?token=mallory`, {
      session: alice.welcome.session,
      ack: 0,
    })
    expect(mallory.welcome.resumed).toBe(false)
    const back = await hello(`${url}?token=alice`, { session: alice.welcome.session, ack: 0 })
    expect(back.welcome.resumed).toBe(true)
  })

  it("duplicate: 'reject' holds at the hello: a second socket of the identity is closed with 4410", async () => {
    const { server, url } = await reliableStart({
      authenticate: (_req, { token }) => token ?? null,
      duplicate: 'reject',
    })
    // Both pass the upgrade: neither has said hello, so neither is connected yet.
    const first = await connect(`${url}?token=alice`)
    const second = await connect(`${url}?token=alice`)
    const refusals: unknown[] = []
    server.on('refused', (info) => refusals.push(info))
    const sayHello = (ws: WebSocket) => ws.send('h:{"v":1,"session":null,"ack":0}')
    sayHello(first)
    await inbox(first).waitFor(1, 'the first welcome')
    const refused = closed(second)
    sayHello(second)
    expect(await refused).toEqual({
      code: CloseCode.DUPLICATE,
      reason: 'already connected with this identity',
    })
    expect(inbox(second).messages).toEqual([])
    expect(first.readyState).toBe(WebSocket.OPEN)
    expect(server.clients.size).toBe(1)
    expect(server.clients.get('alice')?.isOpen).toBe(true)
    expect(server.stats.refused.duplicate).toBe(1)
    expect(server.stats.sessions).toMatchObject({ active: 1, started: 1 })
    expect(refusals).toEqual([expect.objectContaining({ reason: 'duplicate', closeCode: 4410 })])
    // The first keeps its session: it resumes after a drop, and with it gone a new socket
    // of the identity is welcome.
    const welcome = JSON.parse((inbox(first).messages[0] as string).slice(2)) as Welcome
    first.terminate()
    const back = await hello(`${url}?token=alice`, { session: welcome.session, ack: 0 })
    expect(back.welcome.resumed).toBe(true)
  })

  it('client.close() acknowledges what it got, then ends the session', async () => {
    const { server, url } = await reliableStart()
    const seen: number[] = []
    server.on('connection', (client) => client.on('say', (n) => seen.push(n)))
    const first = await hello(url)
    first.ws.send(`m:1:${say(1)}`)
    await waitFor(() => seen.length >= 1, WAIT, 'the message')
    const ended = nextEvent(server, 'disconnect')
    const done = closed(first.ws)
    ;[...server.clients.values()][0]?.close(4000, 'bye')
    expect(await done).toEqual({ code: 4000, reason: 'bye' })
    // The ack came before the close, within less than ACK_DELAY.
    expect(acks(first.box.messages)).toEqual([1])
    await ended
    expect(server.stats.sessions.active).toBe(0)
    const again = await hello(url, { session: first.welcome.session, ack: 0 })
    expect(again.welcome.resumed).toBe(false)
  })

  it('close() ends every session, away ones included, and acknowledges before the 1001', async () => {
    const { server, url } = await reliableStart()
    const seen: number[] = []
    server.on('connection', (client) => client.on('say', (n) => seen.push(n)))
    const away = await hello(url)
    away.ws.terminate()
    const here = await hello(url)
    here.ws.send(`m:1:${say(1)}`)
    await waitFor(() => seen.length >= 1, WAIT, 'the message')
    const reasons: number[] = []
    server.on('disconnect', (_c, info) => reasons.push(info.code))
    const done = closed(here.ws)
    await within(server.close(), 'close')
    expect((await done).code).toBe(1001)
    expect(acks(here.box.messages)).toEqual([1])
    expect(reasons.sort()).toEqual([1001, 1001])
    expect(server.stats.sessions).toMatchObject({ active: 0, detached: 0, buffered: 0 })
  })

  it('backpressure holds messages for a client that reads slowly, and its acks clock them out', async () => {
    const limit = 256 * 1024
    const chunk = 'x'.repeat(64 * 1024)
    const { server, url } = await reliableStart({
      backpressure: { maxBufferedBytes: limit, policy: 'drop' },
    })
    const reader = await hello(url)
    const client = [...server.clients.values()][0] as Client<Events>
    // It acknowledges every message it reads, as soon as it reads it.
    reader.ws.on('message', (data) => {
      const text = data.toString()
      if (text.startsWith('m:')) reader.ws.send(`a:${text.slice(2, text.indexOf(':', 2))}`)
    })
    reader.ws.pause()
    for (let n = 0; n < 200; n++) expect(client.emit('blob', chunk)).toBe(true)
    // 12.8 MB sent at a client that reads nothing: the socket holds about the limit, the
    // session the rest, and nothing is dropped.
    expect(client.bufferedAmount).toBeLessThanOrEqual(limit + chunk.length + 64)
    expect(client.drops).toBe(0)
    expect(server.stats.sessions.buffered).toBe(200)
    reader.ws.resume()
    await reader.box.waitFor(reader.from + 200, 'all 200')
    expect(dataFrames(reader.box.messages, reader.from).map(([seq]) => seq)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    )
    expect(server.stats.drops).toBe(0)
  })

  it('a slow reader whose held messages were pushed out of the buffer is closed, and not resumed', async () => {
    const chunk = 'x'.repeat(64 * 1024)
    const { server, url } = await reliableStart({
      backpressure: { maxBufferedBytes: 256 * 1024 },
      delivery: { reliable: { bufferSize: 20 } },
    })
    const reader = await hello(url)
    const client = [...server.clients.values()][0] as Client<Events>
    reader.ws.pause()
    const done = closed(reader.ws)
    for (let n = 0; n < 200; n++) client.emit('blob', chunk)
    reader.ws.resume()
    expect(await done).toEqual({
      code: 1013,
      reason: 'slow consumer: messages it had not received were dropped',
    })
    const frames = dataFrames(reader.box.messages, reader.from)
    const last = frames.at(-1)?.[0] ?? 0
    expect(last).toBeLessThan(200)
    const again = await hello(url, { session: reader.welcome.session, ack: last })
    expect(again.welcome.resumed).toBe(false)
  })

  it('rejects a bad delivery option with the fix', () => {
    expect(() =>
      createSocketServer({ noServer: true, delivery: 'exactly-once' as 'reliable' }),
    ).toThrow(/`delivery` must be 'plain', 'reliable' or \{ reliable/)
    expect(() =>
      createSocketServer({ noServer: true, delivery: { reliable: { bufferSize: 0 } } }),
    ).toThrow(/`delivery.reliable.bufferSize` must be a positive integer/)
  })
})

describe('reliable delivery: with the @tethered/core client', () => {
  function client(url: string, options: Parameters<typeof createConnection>[1] = {}) {
    const c: Connection<unknown, string> = createConnection(url, {
      WebSocket,
      delivery: reliable,
      batch: 'sync',
      reconnectInterval: 20,
      parse: false,
      ...options,
    })
    onCleanup(() => c.dispose())
    return c
  }

  const opened = (c: Connection<unknown, string>) =>
    within(
      new Promise<SessionInfo>((resolve) => {
        const off = c.on('session', (info) => {
          off()
          resolve(info)
        })
      }),
      'the session',
    )

  it('exactly once, in order, across a dropped socket, both ways', async () => {
    const { server, url } = await reliableStart()
    const got: number[] = []
    server.on('connection', (c) => c.on('say', (n) => got.push(n)))
    const c = client(url)
    const received: string[] = []
    c.on('message', (event) => received.push(String(event.data)))
    expect(await opened(c)).toMatchObject({ resumed: null })
    for (let n = 1; n <= 20; n++) c.sendMessage(say(n))
    for (let n = 1; n <= 20; n++) server.broadcast('news', n)
    // Cut from the server's side at once: some of both directions is in flight.
    const session = opened(c)
    ;[...server.clients.values()][0]?.terminate()
    for (let n = 21; n <= 30; n++) c.sendMessage(say(n))
    for (let n = 21; n <= 30; n++) server.broadcast('news', n)
    expect(await session).toMatchObject({ resumed: true })
    await waitFor(() => got.length >= 30 && received.length >= 30, WAIT, 'everything')
    const range = Array.from({ length: 30 }, (_, i) => i + 1)
    expect(got).toEqual(range)
    expect(received.map((m) => (JSON.parse(m) as { data: number }).data)).toEqual(range)
    expect(c.getSnapshot().resumed).toBe(true)
  })

  it('a restarted server: the client is told, and sends again only what the old one did not acknowledge', async () => {
    const first = await reliableStart()
    const got: number[] = []
    first.server.on('connection', (c) => c.on('say', (n) => got.push(n)))
    const port = first.port
    const c = client(first.url)
    await opened(c)
    for (let n = 1; n <= 5; n++) c.sendMessage(say(n))
    first.server.broadcast('news', 1)
    await waitFor(() => got.length >= 5, WAIT, 'the first messages')
    // Graceful shutdown: acks first, then 1001, which the client retries.
    await first.server.close()
    const next = createSocketServer<Events>({ port, host: '127.0.0.1', delivery: 'reliable' })
    onCleanup(() => next.close({ timeout: 500 }))
    await within(next.ready, 'the restarted server')
    const gotAfter: number[] = []
    next.on('connection', (client) => client.on('say', (n) => gotAfter.push(n)))
    const received: string[] = []
    c.on('message', (event) => received.push(String(event.data)))
    expect(await opened(c)).toMatchObject({ resumed: false })
    expect(c.getSnapshot().resumed).toBe(false)
    c.sendMessage(say(6))
    next.broadcast('news', 2)
    await waitFor(
      () => gotAfter.length >= 1 && received.length >= 1,
      WAIT,
      'the first messages after the restart',
    )
    // The old server acknowledged 1–5 before its 1001: none is sent twice.
    expect(got).toEqual([1, 2, 3, 4, 5])
    expect(gotAfter).toEqual([6])
    expect(received).toEqual(['{"type":"news","data":2}'])
  })

  it('a session that lost messages is not resumed, and what the server got is not sent again', async () => {
    const { server, url } = await reliableStart({ delivery: { reliable: { bufferSize: 5 } } })
    const got: number[] = []
    server.on('connection', (client) =>
      client.on('say', (n) => {
        got.push(n)
        if (n !== 3) return
        // Gone before its ack could leave, and more sent meanwhile than the buffer holds.
        client.terminate()
        for (let i = 1; i <= 10; i++) server.broadcast('news', i)
      }),
    )
    const c = client(url)
    await opened(c)
    const next = opened(c)
    for (let n = 1; n <= 5; n++) c.sendMessage(say(n))
    expect(await next).toMatchObject({ resumed: false })
    expect(server.stats.sessions).toMatchObject({ notResumed: 1, evicted: 5 })
    c.sendMessage(say(6))
    await waitFor(() => got.includes(6), WAIT, 'the message after the new session')
    expect(got).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('a heartbeat keeps flowing outside the sequence', async () => {
    const { server, url } = await reliableStart()
    const c = client(url, { heartbeat: { interval: 30, timeout: 200 } })
    await opened(c)
    await waitFor(() => server.stats.heartbeats >= 3, WAIT, 'three heartbeats')
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
    expect(server.stats.messagesIn).toBe(0)
    expect(server.stats.sessions.buffered).toBe(0)
  })
})
