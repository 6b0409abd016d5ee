// Reliable delivery against plain messages: 100,000 small JSON messages each way over
// loopback, @tethered/core (in a forked child) and @tethered/server (here), one server per
// mode, alternating rounds, the median of each.
//
//   pnpm exec tsx --conditions=@tethered/source test/bench/reliable-throughput.ts
//
// Both sides send in chunks of 1,000 messages per macrotask, as an app draining a queue
// would, so acknowledgements flow while a round runs. Buffers are sized for a whole round
// (the client's `queueSize`, the server's `bufferSize` and `maxBufferedBytes`): this
// measures the cost of sequencing, acknowledging and keeping messages, not the limits.
// BENCH_MESSAGES and BENCH_ROUNDS override 100000 and 11.
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { type Connection, createConnection, reliable } from '@tethered/core'
import { createSocketServer, type SocketServer } from '@tethered/server'
import { WebSocket } from 'ws'
import { machine, median, writeResults } from '../support/bench'

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11)
const WARMUP = 2
const CHUNK = 1_000
const STEP_TIMEOUT = 60_000

type Mode = 'plain' | 'reliable'
const MODES: Mode[] = ['plain', 'reliable']

type ToChild =
  | { cmd: 'connect'; mode: Mode; url: string }
  | { cmd: 'send'; mode: Mode; n: number }
  | { cmd: 'expect'; mode: Mode; n: number }
  | { cmd: 'exit' }

type FromChild =
  | { event: 'connected'; mode: Mode }
  | { event: 'armed'; mode: Mode }
  | { event: 'received'; mode: Mode; sum: number }
  | { event: 'error'; mode: Mode; message: string }

type Events = { in: { news: number }; out: { say: number } }

const checksum = (n: number) => (n * (n + 1)) / 2

/** Calls `step(i)` for i = 1..n, CHUNK per macrotask. */
function chunked(n: number, step: (i: number) => void): Promise<void> {
  return new Promise((resolve) => {
    let i = 0
    const next = () => {
      const end = Math.min(n, i + CHUNK)
      while (i < end) step(++i)
      if (i < n) setImmediate(next)
      else resolve()
    }
    next()
  })
}

// ---------------------------------------------------------------- child: the clients

function runClients(): void {
  const send = (message: FromChild) => process.send?.(message)
  const connections = new Map<Mode, Connection<{ data: number }, string>>()
  const expected: Record<Mode, number> = { plain: 0, reliable: 0 }
  const count: Record<Mode, number> = { plain: 0, reliable: 0 }
  const sum: Record<Mode, number> = { plain: 0, reliable: 0 }

  process.on('message', (message: ToChild) => {
    if (message.cmd === 'exit') {
      for (const c of connections.values()) c.dispose()
      process.exit(0)
    }
    const { mode } = message
    if (message.cmd === 'connect') {
      const c = createConnection<{ data: number }, string>(message.url, {
        WebSocket,
        ...(mode === 'reliable' ? { delivery: reliable } : {}),
        queueSize: MESSAGES * 2,
        batch: 'microtask',
        onOpen: () => send({ event: 'connected', mode }),
        onError: (e) => send({ event: 'error', mode, message: `${e.code}: ${e.message}` }),
        onMessage: (_event, json) => {
          sum[mode] += json?.data ?? 0
          if (++count[mode] === expected[mode]) send({ event: 'received', mode, sum: sum[mode] })
        },
      })
      connections.set(mode, c)
    } else if (message.cmd === 'expect') {
      expected[mode] = message.n
      count[mode] = 0
      sum[mode] = 0
      send({ event: 'armed', mode })
    } else if (message.cmd === 'send') {
      const c = connections.get(mode)
      void chunked(message.n, (i) => c?.sendMessage(`{"type":"say","data":${i}}`))
    }
  })
}

// ---------------------------------------------------------------- parent: the servers

class ChildLink {
  private waiters: Array<{ test: (m: FromChild) => boolean; resolve: (m: FromChild) => void }> = []
  constructor(readonly child: ChildProcess) {
    child.on('message', (message: FromChild) => {
      if (message.event === 'error') {
        console.error(`client (${message.mode}) error: ${message.message}`)
        process.exit(1)
      }
      const i = this.waiters.findIndex((w) => w.test(message))
      if (i >= 0) this.waiters.splice(i, 1)[0]?.resolve(message)
    })
  }
  send(message: ToChild): void {
    this.child.send(message)
  }
  wait<E extends FromChild['event']>(event: E, mode: Mode): Promise<FromChild & { event: E }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${event} (${mode})`)),
        STEP_TIMEOUT,
      )
      this.waiters.push({
        test: (m) => m.event === event && m.mode === mode,
        resolve: (m) => {
          clearTimeout(timer)
          resolve(m as FromChild & { event: E })
        },
      })
    })
  }
}

interface Side {
  server: SocketServer<Events>
  /** Resolves with the checksum once the server's handler has seen `n` messages. */
  expect(n: number): Promise<number>
}

async function startSide(mode: Mode): Promise<Side & { url: string }> {
  const server = createSocketServer<Events>({
    port: 0,
    host: '127.0.0.1',
    rateLimit: false,
    backpressure: { maxBufferedBytes: 256 * 1024 * 1024 },
    delivery: mode === 'reliable' ? { reliable: { bufferSize: MESSAGES * 2 } } : 'plain',
  })
  await server.ready
  let count = 0
  let sum = 0
  let target = 0
  let done: ((sum: number) => void) | undefined
  server.on('connection', (client) =>
    client.on('say', (n) => {
      sum += n
      if (++count === target) done?.(sum)
    }),
  )
  return {
    server,
    url: `ws://127.0.0.1:${server.address()?.port}/`,
    expect(n) {
      count = 0
      sum = 0
      target = n
      return new Promise((resolve) => {
        done = resolve
      })
    },
  }
}

async function runParent(): Promise<void> {
  const sides = {} as Record<Mode, Side & { url: string }>
  for (const mode of MODES) sides[mode] = await startSide(mode)
  const child = fork(fileURLToPath(import.meta.url), ['clients'], { execArgv: process.execArgv })
  const link = new ChildLink(child)
  for (const mode of MODES) {
    const connected = link.wait('connected', mode)
    link.send({ cmd: 'connect', mode, url: sides[mode].url })
    await connected
  }

  const samples: Record<Mode, { up: number[]; down: number[] }> = {
    plain: { up: [], down: [] },
    reliable: { up: [], down: [] },
  }
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const order: Mode[] = round % 2 ? ['reliable', 'plain'] : ['plain', 'reliable']
    for (const mode of order) {
      const side = sides[mode]
      // client → server
      const got = side.expect(MESSAGES)
      let t0 = performance.now()
      link.send({ cmd: 'send', mode, n: MESSAGES })
      const upSum = await got
      const up = performance.now() - t0
      if (upSum !== checksum(MESSAGES)) throw new Error(`${mode}: server checksum ${upSum}`)
      // server → client
      const armed = link.wait('armed', mode)
      link.send({ cmd: 'expect', mode, n: MESSAGES })
      await armed
      const received = link.wait('received', mode)
      t0 = performance.now()
      await chunked(MESSAGES, (i) => side.server.broadcast('news', i))
      const { sum } = await received
      const down = performance.now() - t0
      if (sum !== checksum(MESSAGES)) throw new Error(`${mode}: client checksum ${sum}`)
      if (round >= WARMUP) {
        samples[mode].up.push(up)
        samples[mode].down.push(down)
      }
    }
  }

  const rate = (ms: number[]) => Math.round(MESSAGES / (median(ms) / 1000))
  // The ratio is taken per round (both modes ran back to back), then the median of those:
  // on a shared machine the load of other processes moves from second to second.
  const rows = [
    { direction: 'client → server', key: 'up' as const },
    { direction: 'server → client', key: 'down' as const },
  ].map(({ direction, key }) => {
    const plainMs = samples.plain[key]
    const reliableMs = samples.reliable[key]
    const ratio = median(plainMs.map((ms, i) => ms / (reliableMs[i] as number)))
    return { direction, plain: rate(plainMs), reliable: rate(reliableMs), ratio }
  })
  const fmt = (n: number) => n.toLocaleString('en-US')
  console.log(
    `\nreliable delivery vs plain: ${fmt(MESSAGES)} messages each way, median of ${ROUNDS} rounds (${machine().cpus} cores, load ${machine().loadAverage}, ${process.version})\n`,
  )
  console.log('| direction       | plain msg/s | reliable msg/s | ratio |')
  console.log('| --------------- | ----------: | -------------: | ----: |')
  for (const row of rows) {
    console.log(
      `| ${row.direction} | ${fmt(row.plain).padStart(11)} | ${fmt(row.reliable).padStart(14)} | ${row.ratio.toFixed(2)}x |`,
    )
  }
  const sessions = sides.reliable.server.stats.sessions
  console.log(
    `\nreliable server after the run: ${JSON.stringify(sessions)} (buffered: what the last acks had not trimmed yet)`,
  )
  writeResults('reliable-throughput', {
    messages: MESSAGES,
    rounds: ROUNDS,
    chunk: CHUNK,
    rows,
    samplesMs: samples,
    sessions,
  })
  link.send({ cmd: 'exit' })
  for (const mode of MODES) await sides[mode].server.close({ timeout: 1_000 })
}

if (process.argv[2] === 'clients') runClients()
else
  void runParent().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
