import { WebSocket as MockSocket } from 'mock-socket'
import { describe, expect, it, vi } from 'vitest'
import { type CloseInfo, ReadyState } from '../src'
import { mockServer, tick, useFakeClock } from './support'

const connect = useFakeClock()
const heartbeat = { interval: 1_000, timeout: 500 }

describe('heartbeat', () => {
  it('probes after `interval` of silence and consumes the reply', async () => {
    const server = mockServer({ answerPing: true })
    const c = connect(server.url, { heartbeat })
    await tick()
    const messages = vi.fn()
    c.on('message', messages)
    await tick(5_000)
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
    expect(messages).not.toHaveBeenCalled()
    expect(c.getSnapshot().lastMessage).toBeNull()
    expect(server.clients).toHaveLength(1)
  })

  it('counts any inbound message as alive: no probe while data flows', async () => {
    const server = mockServer()
    const pings: unknown[] = []
    server.server.on('connection', (s) => s.on('message', (d) => pings.push(d)))
    const c = connect(server.url, { heartbeat })
    await tick()
    for (let i = 0; i < 20; i++) {
      server.last.send('{"tick":1}')
      await tick(400)
    }
    expect(pings).toEqual([])
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
  })

  it('declares a silent socket dead at interval + timeout and abandons it at once', async () => {
    const server = mockServer() // never answers
    const closes: Array<CloseInfo & { at: number }> = []
    let openedAt = 0
    const c = connect(server.url, {
      heartbeat,
      reconnectInterval: 10_000,
      onOpen: () => (openedAt = Date.now()),
      onClose: (i) => closes.push({ ...i, at: Date.now() }),
    })
    await tick()
    const dead = c.getWebSocket()
    await tick(1_400)
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
    await tick(200)
    // No wait for the socket's own close event: on a dead network it takes 30–60 s.
    expect(c.getSnapshot().readyState).toBe(ReadyState.CLOSED)
    expect(c.getSnapshot().error?.code).toBe('HEARTBEAT_TIMEOUT')
    expect(closes).toEqual([expect.objectContaining({ code: 1006, wasClean: false })])
    expect(closes[0]?.at).toBe(openedAt + 1_000 + 500)
    expect(c.getSnapshot().nextReconnectAt).toBe(openedAt + 1_500 + 10_000)
    expect(c.getWebSocket()).toBeNull()
    expect(dead?.onmessage).toBeNull()
  })

  it('a late deadline (sleep, throttled tab) probes again instead of killing a healthy socket', async () => {
    const server = mockServer()
    let awake = false
    const pings: unknown[] = []
    server.server.on('connection', (s) =>
      s.on('message', (d) => {
        pings.push(d)
        if (awake) s.send('pong')
      }),
    )
    const c = connect(server.url, { heartbeat })
    await tick()
    vi.advanceTimersByTime(1_000) // the probe goes out; its answer is held up
    expect(pings).toEqual(['ping'])
    // The machine sleeps: the clock jumps while no timer runs, then the deadline fires late.
    vi.setSystemTime(Date.now() + 60_000)
    awake = true
    await tick(600)
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
    expect(c.getSnapshot().error).toBeNull()
    expect(pings).toEqual(['ping', 'ping'])
  })
})

describe('heartbeat where every timer is late (a hidden tab runs them a minute apart)', () => {
  /** Runs the next `checks` timers a minute late each, as Chrome's intensive throttling does. */
  const throttled = async (checks: number, until = () => false) => {
    for (let i = 0; i < checks && !until(); i++) {
      vi.setSystemTime(Date.now() + 60_000)
      vi.advanceTimersToNextTimer()
      await tick(10) // the answer, if one comes, is not throttled
    }
  }

  it('declares a socket that answers nothing dead after one probe more, not probing forever', async () => {
    const server = mockServer() // never answers
    const c = connect(server.url, { heartbeat, reconnectInterval: 1_000_000_000 })
    await tick()
    await throttled(10, () => c.getSnapshot().error !== null)
    expect(c.getSnapshot().error?.code).toBe('HEARTBEAT_TIMEOUT')
    expect(c.getSnapshot().readyState).toBe(ReadyState.CLOSED)
    // The interval's probe, and one more from the first late check: then the deadline holds.
    expect(server.received).toEqual(['ping', 'ping'])
  })

  it('keeps a socket that answers open', async () => {
    const server = mockServer({ answerPing: true })
    const c = connect(server.url, { heartbeat })
    await tick()
    await throttled(10)
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
    expect(c.getSnapshot().error).toBeNull()
  })
})

describe('heartbeat cadence', () => {
  // mock-socket hands a client's frame to its server 4 ms late; the answer comes back at once.
  const LAG = 4

  /** A server that answers the first `answers` probes; when each probe left (ms after open). */
  const answering = (answers = Infinity) => {
    const server = mockServer()
    const probes: number[] = []
    let opened = 0
    server.server.on('connection', (s) =>
      s.on('message', (d) => {
        if (d !== 'ping') return
        probes.push(Date.now() - LAG - opened)
        if (probes.length <= answers) s.send('pong')
      }),
    )
    return { server, probes, opened: () => opened, open: () => (opened = Date.now()) }
  }

  it.each([
    [300, 2_000],
    [25_000, 60_000],
    [1_000, 1_000],
    [1_000, 500],
  ])(
    'interval %i, timeout %i: a healthy socket is probed `interval` after each answer',
    async (interval, timeout) => {
      const { server, probes, open } = answering()
      const c = connect(server.url, { heartbeat: { interval, timeout }, onOpen: open })
      await tick()
      await tick(10 * (interval + LAG))
      expect(probes).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * interval + i * LAG))
      expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
      expect(c.getSnapshot().error).toBeNull()
    },
  )

  it.each([
    [300, 2_000],
    [1_000, 1_000],
    [1_000, 500],
  ])(
    'interval %i, timeout %i: a probe with no answer still kills at probe + timeout',
    async (interval, timeout) => {
      const { server, probes, opened, open } = answering(3)
      let closedAt = 0
      const c = connect(server.url, {
        heartbeat: { interval, timeout },
        reconnectInterval: 60_000,
        onOpen: open,
        onClose: () => (closedAt = Date.now()),
      })
      await tick(4 * (interval + LAG) + timeout)
      expect(probes).toEqual([1, 2, 3, 4].map((n) => n * interval + (n - 1) * LAG))
      expect(c.getSnapshot().error?.code).toBe('HEARTBEAT_TIMEOUT')
      expect(closedAt - opened()).toBe((probes[3] ?? 0) + timeout)
    },
  )
})

/** A socket whose peer never answers the closing handshake; the test feeds its messages. */
class StuckSocket {
  static last: StuckSocket | null = null
  readyState = 0
  binaryType = 'blob'
  sent: unknown[] = []
  onopen: ((event: unknown) => void) | null = null
  onmessage: ((event: unknown) => void) | null = null
  onerror: ((event: unknown) => void) | null = null
  onclose: ((event: unknown) => void) | null = null
  constructor() {
    StuckSocket.last = this
    setTimeout(() => {
      this.readyState = 1
      this.onopen?.({ type: 'open' })
    }, 1)
  }
  send(data: unknown) {
    this.sent.push(data)
  }
  close() {
    this.readyState = 2
  }
  receive(data: string) {
    this.onmessage?.({ type: 'message', data })
  }
}

describe('heartbeat while closing', () => {
  it('a message during a manual close does not restart the heartbeat: the close keeps its code', async () => {
    const closes: number[] = []
    const errors: string[] = []
    const c = connect('ws://stuck.test/', {
      WebSocket: StuckSocket as never,
      heartbeat: { interval: 300, timeout: 2_000 },
      parse: false,
      onClose: (info) => closes.push(info.code),
      onError: (e) => errors.push(e.code),
    })
    await tick(301) // open, then a probe goes out
    expect(StuckSocket.last?.sent).toEqual(['ping'])
    c.close(4000)
    StuckSocket.last?.receive('late')
    await tick(3_000) // the close's grace: the peer never answered
    expect({ closes, errors }).toEqual({ closes: [4000], errors: [] })
    expect(c.getSnapshot()).toMatchObject({
      status: 'stopped',
      stopped: { reason: 'manual', code: 4000 },
    })
  })
})

describe('heartbeat death, seen by an error handler', () => {
  it('an open() from onError on HEARTBEAT_TIMEOUT reconnects now, not after a backoff', async () => {
    const server = mockServer() // never answers
    const c = connect(server.url, {
      heartbeat,
      reconnectInterval: 60_000,
      onError: (e) => e.code === 'HEARTBEAT_TIMEOUT' && c.open(),
    })
    await tick()
    await tick(1_500) // interval + timeout: dead
    await tick()
    expect(server.clients).toHaveLength(2)
    expect(c.getSnapshot().status).toBe('open')
  })
})

describe('probe()', () => {
  it('sends the probe now, once until answered, and the deadline still holds', async () => {
    const server = mockServer() // never answers
    const pings: unknown[] = []
    server.server.on('connection', (s) => s.on('message', (d) => pings.push(d)))
    // An interval that never comes: the app's own cadence drives the probes.
    const c = connect(server.url, { heartbeat: { interval: 2 ** 31 - 1, timeout: 500 } })
    await tick()
    c.probe()
    await tick(100)
    c.probe()
    expect(pings).toEqual(['ping'])
    await tick(380)
    expect(c.getSnapshot().status).toBe('open')
    await tick(20)
    expect(c.getSnapshot().error?.code).toBe('HEARTBEAT_TIMEOUT')
    expect(c.getSnapshot().status).toBe('reconnecting')
  })

  it('an answer ends the probe: the next probe() sends again', async () => {
    const server = mockServer({ answerPing: true })
    const c = connect(server.url, { heartbeat: { interval: 2 ** 31 - 1, timeout: 500 } })
    const sent = vi.spyOn(MockSocket.prototype, 'send')
    await tick()
    c.probe()
    await tick(100)
    c.probe()
    await tick(1_000)
    expect(sent.mock.calls).toEqual([['ping'], ['ping']])
    expect(c.getSnapshot().status).toBe('open')
    sent.mockRestore()
  })

  it('does nothing without a heartbeat or an open socket', async () => {
    const server = mockServer()
    const sent = vi.spyOn(MockSocket.prototype, 'send')
    const plain = connect(server.url)
    const beating = connect(server.url, { heartbeat, connect: false })
    await tick()
    plain.probe()
    beating.probe()
    expect(sent).not.toHaveBeenCalled()
    sent.mockRestore()
  })
})
