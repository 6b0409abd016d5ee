import { describe, expect, it, vi } from 'vitest'
import {
  backoffDelay,
  CloseCode,
  type Connection,
  createSocketObserver,
  defaultShouldReconnect,
  IDLE_SNAPSHOT,
  ReadyState,
  type ReconnectingInfo,
  type ReconnectStopInfo,
  type Snapshot,
} from '../src'
import { mockServer, tick, useFakeClock } from './support'

const connect = useFakeClock()

describe('backoff', () => {
  it('is exponential with full jitter and a cap', () => {
    const top = [1, 2, 3, 4, 5, 6, 7, 10].map((n) => backoffDelay(n, () => 1))
    expect(top).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000])
    expect(backoffDelay(4, () => 0)).toBe(0)
    expect(backoffDelay(4, () => 0.5)).toBe(4_000)
  })

  it('is the default, so clients that lost the same server spread out', async () => {
    const server = mockServer()
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.25)
    const delays: ReconnectingInfo[] = []
    const c = connect(server.url)
    c.on('reconnecting', (i) => delays.push(i))
    await tick()
    server.refuse()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick(60_000)
    random.mockRestore()
    expect(delays.slice(0, 4)).toEqual([
      { attempt: 1, delay: 250 },
      { attempt: 2, delay: 500 },
      { attempt: 3, delay: 1_000 },
      { attempt: 4, delay: 2_000 },
    ])
  })
})

describe('reconnect', () => {
  it('shows the attempt and when the next one starts', async () => {
    const server = mockServer()
    const c = connect(server.url, { reconnectInterval: 3_000 })
    await tick()
    const closes = new Promise<number>((resolve) => c.on('close', () => resolve(Date.now())))
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    expect(c.getSnapshot()).toMatchObject({
      readyState: ReadyState.CLOSED,
      reconnectAttempt: 1,
      nextReconnectAt: (await closes) + 3_000,
    })
    await tick(3_000)
    expect(c.getSnapshot()).toMatchObject({
      readyState: ReadyState.OPEN,
      reconnectAttempt: 0,
      nextReconnectAt: null,
    })
  })

  it('stops after reconnectAttempts and says why', async () => {
    const server = mockServer()
    const stops: ReconnectStopInfo[] = []
    const c = connect(server.url, {
      reconnectAttempts: 3,
      reconnectInterval: 100,
      onReconnectStop: (i) => stops.push(i),
    })
    await tick()
    server.refuse()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick(10_000)
    expect(stops).toEqual([
      { reason: 'attempts', attempts: 3, close: expect.objectContaining({ code: 1006 }) },
    ])
    expect(c.getSnapshot().readyState).toBe(ReadyState.CLOSED)
    expect(c.getSnapshot().nextReconnectAt).toBeNull()
  })

  it('calls a reconnectInterval function with the attempt number', async () => {
    const server = mockServer()
    const interval = vi.fn((attempt: number) => attempt * 10)
    connect(server.url, { reconnectInterval: interval, reconnectAttempts: 4 })
    await tick()
    server.refuse()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick(1_000)
    expect(interval.mock.calls.map(([n]) => n)).toEqual([1, 2, 3, 4])
  })

  it('does not reset the backoff for a connection that drops soon after opening (flap damping)', async () => {
    const server = mockServer()
    const attempts: number[] = []
    server.server.on('connection', (s) => {
      setTimeout(() => s.close({ code: 1011, reason: 'crash', wasClean: true }), 100)
    })
    connect(server.url, {
      reconnectInterval: (n) => {
        attempts.push(n)
        return 10
      },
    })
    await tick(2_000)
    expect(attempts.slice(0, 5)).toEqual([1, 2, 3, 4, 5])
  })

  it('starts the backoff over once a connection stayed up for stableAfter', async () => {
    const server = mockServer()
    const attempts: number[] = []
    const c = connect(server.url, {
      stableAfter: 1_000,
      reconnectInterval: (n) => {
        attempts.push(n)
        return 10
      },
    })
    await tick()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick(50)
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick(50)
    expect(attempts).toEqual([1, 2])
    await tick(1_000)
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick(50)
    expect(attempts).toEqual([1, 2, 1])
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
  })

  it('numbers retries from 1 after every connection that opened, flap damping or not (server restart)', async () => {
    const server = mockServer()
    const scheduled: Array<ReconnectingInfo & { shown: number }> = []
    const steps: number[] = []
    const c = connect(server.url, {
      reconnectInterval: (n) => {
        steps.push(n)
        return 100
      },
    })
    c.on('reconnecting', (i) => scheduled.push({ ...i, shown: c.getSnapshot().reconnectAttempt }))
    await tick()
    server.last.close({ code: 1006, reason: '', wasClean: false }) // a cut: retry 1 reconnects
    await tick(200)
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
    // Within stableAfter the server restarts: 1012, then refused for a while.
    server.refuse()
    server.last.close({ code: CloseCode.SERVICE_RESTART, reason: 'restart', wasClean: true })
    await tick(250)
    server.refuse(false)
    await tick(200)
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
    expect(scheduled.map(({ attempt, shown }) => [attempt, shown])).toEqual([
      [1, 1],
      [1, 1],
      [2, 2],
      [3, 3],
    ])
    // The backoff still remembers that the connection in between did not hold.
    expect(steps).toEqual([1, 2, 3, 4])
  })

  it('follows the default close-code policy and reports a policy stop', async () => {
    const server = mockServer()
    const stops: ReconnectStopInfo[] = []
    const c = connect(server.url, { reconnectInterval: 10, onReconnectStop: (i) => stops.push(i) })
    await tick()
    server.last.close({ code: CloseCode.GOING_AWAY, reason: 'restart', wasClean: true })
    await tick(50)
    expect(server.clients).toHaveLength(2)
    server.last.close({ code: CloseCode.REPLACED, reason: 'replaced', wasClean: true })
    await tick(50)
    expect(server.clients).toHaveLength(2)
    expect(stops).toEqual([
      { reason: 'policy', attempts: 1, close: expect.objectContaining({ code: 4409 }) },
    ])
    expect(c.getSnapshot().readyState).toBe(ReadyState.CLOSED)
  })

  it.each([
    [1000, false],
    [1001, true],
    [1002, false],
    [1003, false],
    [1005, true],
    [1006, true],
    [1007, false],
    [1008, false],
    [1009, false],
    [1010, false],
    [1011, true],
    [1012, true],
    [1013, true],
    [1014, true],
    [1015, false],
    [3000, false],
    [3003, false],
    [3008, true],
    [4000, false],
    [4409, false],
    [4999, false],
  ])('default policy: close %i retries = %s', (code, retries) => {
    expect(defaultShouldReconnect({ code, reason: '', wasClean: true })).toBe(retries)
  })

  it('shouldReconnect replaces the policy; reconnect: false turns retries off', async () => {
    const server = mockServer()
    const should = vi.fn(() => true)
    connect(server.url, { shouldReconnect: should, reconnectInterval: 10 })
    await tick()
    server.last.close({ code: 1000, reason: 'done', wasClean: true })
    await tick(50)
    expect(should).toHaveBeenCalledWith(expect.objectContaining({ code: 1000, reason: 'done' }))
    expect(server.clients).toHaveLength(2)

    const other = mockServer()
    connect(other.url, { reconnect: false })
    await tick()
    other.last.close({ code: 1006, reason: '', wasClean: false })
    await tick(100_000)
    expect(other.clients).toHaveLength(1)
  })

  it('open() while waiting reconnects now and resets the count; close() cancels the wait', async () => {
    const server = mockServer()
    const c = connect(server.url, { reconnectInterval: 60_000 })
    await tick()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    expect(c.getSnapshot().reconnectAttempt).toBe(1)
    c.open()
    await tick()
    expect(server.clients).toHaveLength(2)
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)

    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    expect(c.getSnapshot().reconnectAttempt).toBe(1)
    c.close()
    expect(c.getSnapshot().nextReconnectAt).toBeNull()
    await tick(120_000)
    expect(server.clients).toHaveLength(2)
  })

  it('ignores every event of a superseded socket', async () => {
    const server = mockServer()
    const c = connect(server.url)
    await tick()
    const first = server.last
    c.open() // while open: a fresh socket replaces the current one
    await tick()
    expect(server.clients).toHaveLength(2)
    first.send('stale')
    first.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    expect(c.getSnapshot().lastMessage).toBeNull()
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
    server.last.send('"fresh"')
    expect(c.getSnapshot().lastJsonMessage).toBe('fresh')
  })
})

describe('status and stopped', () => {
  type Seen = Pick<Snapshot, 'status' | 'stopped'>
  /** Every snapshot a subscriber was shown, checked as it comes: `stopped` iff status is 'stopped'. */
  const watch = (c: Connection) => {
    const seen: Seen[] = []
    const take = () => {
      const { status, stopped } = c.getSnapshot()
      expect(stopped === null).toBe(status !== 'stopped')
      if (seen.at(-1)?.status !== status) seen.push({ status, stopped })
    }
    take()
    c.subscribe(take)
    return seen
  }

  it('is idle before a socket is asked for, in every snapshot that has none', () => {
    expect(connect(null).getSnapshot()).toMatchObject({ status: 'idle', stopped: null })
    expect(connect(mockServer().url, { connect: false }).getSnapshot()).toMatchObject({
      status: 'idle',
      stopped: null,
    })
    expect(IDLE_SNAPSHOT).toMatchObject({ status: 'idle', stopped: null })
    expect(createSocketObserver('ws://localhost:1/').getServerSnapshot()).toMatchObject({
      status: 'idle',
      stopped: null,
    })
  })

  it('goes connecting, open, closing, then stopped by a manual close with its code', async () => {
    const c = connect(mockServer().url, { connect: false })
    const seen = watch(c)
    c.open()
    await tick()
    c.close(4001, 'logout')
    await tick()
    expect(seen).toEqual([
      { status: 'idle', stopped: null },
      { status: 'connecting', stopped: null },
      { status: 'open', stopped: null },
      { status: 'closing', stopped: null },
      { status: 'stopped', stopped: { reason: 'manual', code: 4001 } },
    ])
  })

  it('is reconnecting while a retry waits, also as the close handlers see it', async () => {
    const server = mockServer()
    const c = connect(server.url, { reconnectInterval: 1_000 })
    const seen = watch(c)
    const atClose: Seen[] = []
    c.on('close', () => atClose.push({ ...c.getSnapshot() }))
    await tick()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    expect(c.getSnapshot()).toMatchObject({ status: 'reconnecting', stopped: null })
    expect(atClose).toEqual([expect.objectContaining({ status: 'reconnecting', stopped: null })])
    await tick(1_000)
    expect(seen.map((s) => s.status)).toEqual([
      'connecting',
      'open',
      'reconnecting',
      'connecting',
      'open',
    ])
  })

  it('close() while waiting to retry stops with its code; open() starts over', async () => {
    const server = mockServer()
    const c = connect(server.url, { reconnectInterval: 60_000 })
    watch(c)
    await tick()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    c.close(4000)
    expect(c.getSnapshot()).toMatchObject({
      status: 'stopped',
      stopped: { reason: 'manual', code: 4000 },
    })
    c.open()
    expect(c.getSnapshot()).toMatchObject({ status: 'connecting', stopped: null })
  })

  it.each([
    ['the close-code policy', {}, 4409, { reason: 'policy', code: 4409 }],
    ['shouldReconnect', { shouldReconnect: () => false }, 1006, { reason: 'policy', code: 1006 }],
    ['reconnect: false', { reconnect: false }, 1012, { reason: 'policy', code: 1012 }],
  ] as const)('stops on %s with the close code', async (_, options, code, stopped) => {
    const server = mockServer()
    const c = connect(server.url, options)
    watch(c)
    await tick()
    server.last.close({ code, reason: '', wasClean: true })
    await tick()
    expect(c.getSnapshot()).toMatchObject({ status: 'stopped', stopped, nextReconnectAt: null })
  })

  it('stops when reconnectAttempts are used up, with the last close code', async () => {
    const server = mockServer()
    const c = connect(server.url, { reconnectAttempts: 2, reconnectInterval: 100 })
    watch(c)
    await tick()
    server.refuse()
    server.last.close({ code: 1012, reason: '', wasClean: true })
    await tick(1_000)
    expect(c.getSnapshot()).toMatchObject({
      status: 'stopped',
      stopped: { reason: 'attempts', code: 1006 },
    })
  })

  it('stops on a terminal failure with no socket, without a code', () => {
    const bad = connect('not a url')
    expect(bad.getSnapshot()).toMatchObject({
      status: 'stopped',
      stopped: { reason: 'error', code: null },
    })
    expect(bad.getSnapshot().error?.code).toBe('INVALID_URL')
    const original = globalThis.WebSocket
    Reflect.deleteProperty(globalThis, 'WebSocket')
    try {
      const none = connect('ws://localhost:1/', { WebSocket: undefined as never })
      expect(none.getSnapshot().error?.code).toBe('NO_WEBSOCKET')
      expect(none.getSnapshot()).toMatchObject({
        status: 'stopped',
        stopped: { reason: 'error', code: null },
      })
    } finally {
      if (original) globalThis.WebSocket = original
    }
  })
})
