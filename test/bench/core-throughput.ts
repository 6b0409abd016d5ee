// Receive throughput: 100,000 small JSON messages over loopback from a `ws` server, read
// by @tethered/core and by the clients people use today. Each client runs in a process of
// its own, alternating round by round with a raw ws client doing `JSON.parse`; the median
// of the rounds' ratios is reported.
//
//   pnpm exec tsx --conditions=@tethered/source test/bench/core-throughput.ts
//
// (without the condition it measures packages/core/dist: run `pnpm build` first).
// BENCH_MESSAGES and BENCH_ROUNDS override the defaults (100000, 11).
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createConnection } from '@tethered/core'
import { WebSocket as PartySocket } from 'partysocket'
import ReconnectingWebSocket from 'reconnecting-websocket'
import { WebSocket } from 'ws'
import { coreBuild, machine, median, startFloodServer, writeResults } from '../support/bench'

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11)
// Issue #13's target for the engine: at least this fraction of raw ws's receive rate.
const TARGET = 0.95

interface Tick {
  type: string
  seq: number
  value: number
}

/** One measured run: connect, ask for the flood, resolve with the time until the last message. */
interface Client {
  name: string
  note: string
  run(url: string, n: number): Promise<number>
}

const expectedSum = (n: number) => (n * (n - 1)) / 2

/**
 * Drives one client through a run. `start` opens the client and returns its `send` and
 * `close`; the client calls `onTick` for every parsed message.
 */
async function measure(
  n: number,
  start: (
    onTick: (tick: Tick) => void,
    opened: () => void,
  ) => {
    send: (text: string) => void
    close: () => Promise<void>
  },
): Promise<number> {
  let count = 0
  let sum = 0
  let t0 = 0
  let done!: (ms: number) => void
  const finished = new Promise<number>((resolve) => {
    done = resolve
  })
  let ready!: () => void
  const open = new Promise<void>((resolve) => {
    ready = resolve
  })
  const client = start((tick) => {
    sum += tick.seq
    if (++count === n) done(performance.now() - t0)
  }, ready)
  await open
  t0 = performance.now()
  client.send(`flood:${n}`)
  const ms = await finished
  await client.close()
  if (sum !== expectedSum(n)) throw new Error(`checksum mismatch: ${sum} != ${expectedSum(n)}`)
  return ms
}

const closed = (ws: WebSocket) =>
  new Promise<void>((resolve) => {
    if (ws.readyState === ws.CLOSED) resolve()
    else ws.once('close', () => resolve())
  })

/**
 * Raw ws plus what core's contract asks for every message and no more: a `{ type, target,
 * data }` event handed to a handler with the parsed JSON and, with `keep`, held as the newest
 * message until the next one replaces it.
 */
function eventClient(name: string, keep: boolean): Client {
  return {
    name,
    note: keep
      ? "as 'ws + event', and the event kept as the newest message (as lastMessage is)"
      : "ws.on('message'): a { type, target, data } event and JSON.parse's result to a handler",
    run: (url, n) =>
      measure(n, (onTick, opened) => {
        const ws = new WebSocket(url)
        let newest: { data: string } | null = null
        const handler = (_event: { data: string }, json: Tick) => onTick(json)
        ws.on('open', opened)
        ws.on('message', (data: Buffer) => {
          const event = { type: 'message', target: ws, data: data.toString() }
          if (keep) newest = event
          handler(event, JSON.parse(event.data) as Tick)
        })
        return {
          send: (text) => ws.send(text),
          close: () => {
            const last = newest && (JSON.parse(newest.data) as Tick).seq
            if (keep && last !== n - 1)
              throw new Error(`${name}: kept message ${last}, not ${n - 1}`)
            ws.close()
            return closed(ws)
          },
        }
      }),
  }
}

const clients: Client[] = [
  {
    name: 'raw ws',
    note: "ws.on('message') + JSON.parse",
    run: (url, n) =>
      measure(n, (onTick, opened) => {
        const ws = new WebSocket(url)
        ws.on('open', opened)
        ws.on('message', (data: Buffer) => onTick(JSON.parse(data.toString()) as Tick))
        return {
          send: (text) => ws.send(text),
          close: () => {
            ws.close()
            return closed(ws)
          },
        }
      }),
  },
  {
    name: 'raw ws (onmessage)',
    note: 'the browser API on ws: ws.onmessage + JSON.parse(event.data)',
    run: (url, n) =>
      measure(n, (onTick, opened) => {
        const ws = new WebSocket(url)
        ws.onopen = opened
        ws.onmessage = (event) => onTick(JSON.parse(event.data as string) as Tick)
        return {
          send: (text) => ws.send(text),
          close: () => {
            ws.close()
            return closed(ws)
          },
        }
      }),
  },
  // The floor the engine's contract sets: an event object made for every message (what a
  // handler and Snapshot.lastMessage get), and that event kept as the newest message.
  eventClient('ws + event', false),
  eventClient('ws + newest kept', true),
  {
    name: '@tethered/core',
    note: "createConnection(url, { WebSocket: ws }), on('message')",
    run: (url, n) =>
      measure(n, (onTick, opened) => {
        const connection = createConnection<Tick, string>(url, { WebSocket })
        connection.on('open', opened)
        connection.on('message', (_event, json) => onTick(json as Tick))
        return {
          send: (text) => connection.sendMessage(text),
          close: () => {
            const ws = connection.getWebSocket() as unknown as WebSocket
            connection.dispose()
            return closed(ws)
          },
        }
      }),
  },
  {
    name: 'reconnecting-websocket',
    note: "{ WebSocket: ws }, addEventListener('message') + JSON.parse",
    run: (url, n) =>
      measure(n, (onTick, opened) => {
        const rws = new ReconnectingWebSocket(url, [], { WebSocket })
        rws.addEventListener('open', opened)
        rws.addEventListener('message', (event) => onTick(JSON.parse(event.data as string) as Tick))
        return {
          send: (text) => rws.send(text),
          close: () =>
            new Promise<void>((resolve) => {
              rws.addEventListener('close', () => resolve())
              rws.close()
            }),
        }
      }),
  },
  {
    name: 'partysocket',
    note: "{ WebSocket: ws }, addEventListener('message') + JSON.parse",
    run: (url, n) =>
      measure(n, (onTick, opened) => {
        const ps = new PartySocket(url, [], { WebSocket })
        ps.addEventListener('open', opened)
        ps.addEventListener('message', (event) => onTick(JSON.parse(event.data as string) as Tick))
        return {
          send: (text) => ps.send(text),
          close: () =>
            new Promise<void>((resolve) => {
              ps.addEventListener('close', () => resolve())
              ps.close()
            }),
        }
      }),
  },
]

const gc = (globalThis as { gc?: () => void }).gc

/** One client's rounds, each against raw ws: the run times of both, round by round. */
interface PairResult {
  client: string
  rawMs: number[]
  clientMs: number[]
}

/**
 * The child's part: `client` and raw ws, alternating, in a process of their own. A real app
 * loads one WebSocket client; in one process shared with the others, ws's own hot paths
 * (its emitter, its MessageEvent wrapper) see every client's listeners, and which client
 * pays for that depends on who else is loaded, not on its own code.
 */
async function measurePair(name: string): Promise<PairResult> {
  const raw = clients[0] as Client
  const client = clients.find((c) => c.name === name)
  if (!client) throw new Error(`no client named ${name}`)
  const server = await startFloodServer()
  const rawMs: number[] = []
  const clientMs: number[] = []
  for (let round = -1; round < ROUNDS; round++) {
    // Alternate who goes first, so neither always runs on a freshly collected heap.
    const order = round % 2 ? [raw, client] : [client, raw]
    for (const c of order) {
      gc?.()
      const ms = await c.run(server.url, MESSAGES)
      if (round >= 0) (c === raw ? rawMs : clientMs).push(ms)
    }
  }
  server.close()
  return { client: name, rawMs, clientMs }
}

/** Runs `measurePair` for `name` in a child process with this process's flags. */
function pairInChild(name: string): Promise<PairResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, BENCH_PAIR: name },
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const limit = setTimeout(() => child.kill(), 5 * 60_000)
    let result: PairResult | undefined
    child.once('message', (m) => {
      result = m as PairResult
    })
    child.once('exit', (code) => {
      clearTimeout(limit)
      if (result) resolve(result)
      else reject(new Error(`${name}: the bench process exited with ${code} and no result`))
    })
  })
}

async function main() {
  const build = coreBuild()
  console.log(
    `core-throughput: ${MESSAGES.toLocaleString('en')} messages per run, ${ROUNDS} rounds (+1 warm-up); each client alternates with raw ws in a process of its own, server in a worker thread`,
  )
  console.log(
    `  @tethered/core from ${build.from} (${build.path}); load average ${machine().loadAverage} on ${machine().cpus} cpus`,
  )

  const pairs: PairResult[] = []
  for (const client of clients.slice(1)) pairs.push(await pairInChild(client.name))

  // Ratios are taken within a round (the two runs of a round are a fraction of a second
  // apart, so they share the machine's load) and the median of those is reported: other
  // work on a shared machine moves whole rounds, not one client.
  const allRaw = pairs.flatMap((p) => p.rawMs)
  const row = (client: Client, ms: number[], rawMs: number[]) => ({
    client: client.name,
    how: client.note,
    medianMs: Number(median(ms).toFixed(1)),
    minMs: Number(Math.min(...ms).toFixed(1)),
    maxMs: Number(Math.max(...ms).toFixed(1)),
    messagesPerSecond: Math.round(MESSAGES / (median(ms) / 1000)),
    ratioToRaw: Number(median(ms.map((m, i) => (rawMs[i] as number) / m)).toFixed(3)),
    bestRatioToRaw: Number((Math.min(...rawMs) / Math.min(...ms)).toFixed(3)),
  })
  const rows = [
    row(clients[0] as Client, allRaw, allRaw),
    ...pairs.map((p) =>
      row(clients.find((c) => c.name === p.client) as Client, p.clientMs, p.rawMs),
    ),
  ]
  console.table(
    rows.map((r) => ({
      client: r.client,
      'msg/s (median)': r.messagesPerSecond.toLocaleString('en'),
      'ms median': r.medianMs,
      'ms min..max': `${r.minMs}..${r.maxMs}`,
      'x raw (median of rounds)': r.ratioToRaw.toFixed(2),
      'x raw (best runs)': r.bestRatioToRaw.toFixed(2),
    })),
  )
  const core = rows.find((r) => r.client === '@tethered/core')
  const kept = rows.find((r) => r.client === 'ws + newest kept')
  console.log(
    `the contract's floor: ${rows.find((r) => r.client === 'ws + event')?.ratioToRaw.toFixed(2)}x raw ws with an event per message, ${kept?.ratioToRaw.toFixed(2)}x with that event kept as the newest message`,
  )
  const verdict = core && core.ratioToRaw >= TARGET ? 'meets' : 'MISSES'
  console.log(
    `@tethered/core: ${core?.ratioToRaw.toFixed(2)}x raw ws (median of the rounds' ratios), ${core?.bestRatioToRaw.toFixed(2)}x best run against best run (${verdict} the ${TARGET}x target)`,
  )
  writeResults('core-throughput', {
    core: build,
    messages: MESSAGES,
    rounds: ROUNDS,
    target: { client: '@tethered/core', ratioToRaw: TARGET },
    results: rows,
    runsMs: Object.fromEntries(pairs.map((p) => [p.client, { client: p.clientMs, raw: p.rawMs }])),
  })
}

const pair = process.env.BENCH_PAIR
if (pair) process.send?.(await measurePair(pair))
else await main()
