import type { Client } from 'mock-socket'
import { describe, expect, it } from 'vitest'
import { ReadyState, reliable, type SessionInfo } from '../src'
import { mockServer, tick, useFakeClock } from './support'

const connect = useFakeClock()

/** A server half of the wire format, by hand, with what it saw. */
function reliableServer(options: { resume?: boolean; keepAck?: boolean } = {}) {
  const base = mockServer()
  const hellos: unknown[] = []
  const got: string[] = []
  const acks: number[] = []
  let lastIn = 0
  let outSeq = 0
  base.server.on('connection', (socket: Client) => {
    socket.on('message', (raw) => {
      const frame = String(raw)
      if (frame.startsWith('h:')) {
        const hello = JSON.parse(frame.slice(2))
        hellos.push(hello)
        const resumed = hello.session !== null && options.resume !== false
        // `keepAck`: a session it knows but cannot resume; it says what it got of it.
        const ack = resumed || options.keepAck ? lastIn : 0
        if (!resumed) lastIn = 0
        socket.send(`w:${JSON.stringify({ v: 1, session: 's1', resumed, ack })}`)
      } else if (frame.startsWith('m:')) {
        const colon = frame.indexOf(':', 2)
        const seq = Number(frame.slice(2, colon))
        if (seq > lastIn) {
          lastIn = seq
          got.push(frame.slice(colon + 1))
        }
      } else if (frame.startsWith('a:')) {
        acks.push(Number(frame.slice(2)))
      }
    })
  })
  return {
    url: base.url,
    get last() {
      return base.last
    },
    hellos,
    got,
    acks,
    push: (payload: string, seq = ++outSeq) => base.last.send(`m:${seq}:${payload}`),
    ack: (seq: number) => base.last.send(`a:${seq}`),
  }
}

describe('delivery: reliable', () => {
  it('is open for the app only after the welcome, and numbers what it sends', async () => {
    const server = reliableServer()
    const c = connect(server.url, { delivery: reliable })
    const states: number[] = []
    c.subscribe(() => states.push(c.getSnapshot().readyState))
    c.sendMessage('early')
    await tick()
    expect(server.hellos).toEqual([{ v: 1, session: null, ack: 0 }])
    expect(states).toContain(ReadyState.OPEN)
    expect(c.sendMessage('now')).toBe(true)
    await tick()
    expect(server.got).toEqual(['early', 'now'])
    expect(c.getSnapshot().resumed).toBeNull()
  })

  it('sends again after a reconnect what the server did not acknowledge, once, in order', async () => {
    const server = reliableServer()
    const sessions: SessionInfo[] = []
    const c = connect(server.url, { delivery: reliable, reconnectInterval: 100 })
    c.on('session', (s) => sessions.push(s))
    await tick()
    c.sendMessage('1')
    c.sendMessage('2')
    await tick()
    server.ack(1)
    await tick()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    c.sendMessage('3') // while down
    await tick(200)
    expect(server.hellos.at(-1)).toEqual({ v: 1, session: 's1', ack: 0 })
    expect(server.got).toEqual(['1', '2', '3'])
    expect(sessions).toEqual([
      { id: 's1', resumed: null },
      { id: 's1', resumed: true },
    ])
    expect(c.getSnapshot().resumed).toBe(true)
  })

  it('delivers payloads, drops replayed duplicates and acknowledges in batches', async () => {
    const server = reliableServer()
    const seen: unknown[] = []
    const c = connect<{ n: number }>(server.url, { delivery: reliable })
    c.on('message', (_e, json) => seen.push(json?.n))
    await tick()
    for (let n = 1; n <= 40; n++) server.push(JSON.stringify({ n }))
    server.push('{"n":40}', 40) // a replay of what already arrived
    expect(seen).toHaveLength(40)
    expect(c.getSnapshot().lastMessage?.data).toBe('{"n":40}')
    await tick()
    expect(server.acks).toEqual([32])
    await tick(50)
    expect(server.acks).toEqual([32, 40])
  })

  it('delivers a sequenced message whose text is the heartbeat answer: only a bare answer is consumed', async () => {
    const server = reliableServer()
    const seen: unknown[] = []
    const c = connect(server.url, {
      delivery: reliable,
      heartbeat: true,
      parse: false,
      onMessage: (e) => seen.push(e.data),
    })
    await tick()
    server.last.send('pong')
    server.push('pong')
    expect(seen).toEqual(['pong'])
    expect(c.getSnapshot().lastMessage?.data).toBe('pong')
    await tick()
    await tick(50)
    expect(server.acks).toEqual([1])
  })

  it('says when the session was not resumed, and numbers its kept messages anew', async () => {
    const server = reliableServer({ resume: false })
    const c = connect(server.url, { delivery: reliable, reconnectInterval: 100 })
    await tick()
    c.sendMessage('a')
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick(200)
    expect(c.getSnapshot().resumed).toBe(false)
    expect(server.got).toEqual(['a', 'a'])
  })

  it('does not send again what the server got of a session it could not resume', async () => {
    const server = reliableServer({ resume: false, keepAck: true })
    const c = connect(server.url, { delivery: reliable, reconnectInterval: 100 })
    await tick()
    c.sendMessage('a')
    c.sendMessage('b')
    await tick()
    // The server got both but its ack never left: the socket dies first.
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    c.sendMessage('c') // while down
    await tick(200)
    expect(c.getSnapshot().resumed).toBe(false)
    // 'c' went out as message 1 of the new session; 'a' and 'b' not again.
    expect(server.got).toEqual(['a', 'b', 'c'])
  })

  it('keeps at most queueSize unacknowledged, reports the overflow, and sends again only what is left', async () => {
    const server = reliableServer()
    const errors: string[] = []
    const c = connect(server.url, {
      delivery: reliable,
      reconnectInterval: 100,
      queueSize: 5,
      onError: (e) => errors.push(e.code),
    })
    await tick()
    for (let n = 1; n <= 4; n++) c.sendMessage(`${n}`)
    await tick()
    server.ack(3)
    await tick()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    // Down: '4' is still unacknowledged, so the last two of these six push out 4, then 5.
    for (let n = 5; n <= 10; n++) c.sendMessage(`${n}`)
    expect(errors).toEqual(['QUEUE_OVERFLOW', 'QUEUE_OVERFLOW'])
    await tick(200)
    // The server had 1–4; 5 was lost (and reported); 6–10 go out, in order.
    expect(server.got).toEqual(['1', '2', '3', '4', '6', '7', '8', '9', '10'])
  })

  it('fails the attempt when no welcome comes within connectTimeout', async () => {
    const server = mockServer() // speaks no reliable delivery
    const c = connect(server.url, { delivery: reliable, connectTimeout: 1_000, reconnect: false })
    await tick(999)
    expect(c.getSnapshot().readyState).toBe(ReadyState.CONNECTING)
    await tick(1)
    expect(c.getSnapshot().error?.code).toBe('CONNECT_TIMEOUT')
  })

  it('takes a malformed frame as a protocol error (1002) that changes none of its counts', async () => {
    const server = reliableServer()
    const closes: number[] = []
    const seen: unknown[] = []
    const c = connect(server.url, {
      delivery: reliable,
      parse: false,
      onClose: (info) => closes.push(info.code),
      onMessage: (event) => seen.push(event.data),
    })
    await tick()
    server.push('one')
    expect(() => server.last.send('m:1e308:x')).not.toThrow()
    expect(c.getSnapshot().error?.code).toBe('PROTOCOL')
    expect(c.getSnapshot().error?.message).toBe(
      'data (m:): sequence number "1e308" is not a positive integer',
    )
    expect(closes).toEqual([1002])
    expect(seen).toEqual(['one'])
    // Not retried (the policy stops on 1002); once opened again it resumes where it was.
    await tick(60_000)
    c.open()
    await tick()
    expect(server.hellos.at(-1)).toEqual({ v: 1, session: 's1', ack: 1 })
    server.push('two', 2)
    expect(seen).toEqual(['one', 'two'])
  })

  it('passes binary from the server to the app as it is, as without reliable delivery: no protocol error', async () => {
    const server = reliableServer()
    const seen: unknown[] = []
    const c = connect(server.url, { delivery: reliable, onMessage: (e) => seen.push(e.data) })
    await tick()
    expect(() => server.last.send(new Uint8Array([109, 58, 120]).buffer)).not.toThrow()
    expect(seen).toHaveLength(1)
    // The default parse reads text only: a PARSE error, the socket kept.
    expect(c.getSnapshot().error?.code).toBe('PARSE')
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
  })

  it('refuses binary with a clear error', async () => {
    const server = reliableServer()
    const c = connect(server.url, { delivery: reliable })
    await tick()
    expect(c.sendMessage(new Uint8Array([1]))).toBe(false)
    expect(c.getSnapshot().error?.message).toMatch(/text only/)
  })
})
