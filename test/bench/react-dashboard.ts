// Dashboard benchmark: 20 widgets on one url, 5 message types (4 widgets each), a flood of
// 2,000 messages from a real loopback `ws` server, rendered by React in jsdom.
//
//   pnpm exec tsx --conditions=@tethered/source test/bench/react-dashboard.ts
//
// Compared: Tethered useWebSocket (share + filter), Tethered useSocket (types),
// react-use-websocket (share + filter), and react-use-websocket's widget code on
// `@tethered/react/compat` (its import swapped: migration step 1). Prints a table and writes
// test/bench/results/react-dashboard.json. React runs its production build.
import { mkdirSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, WebSocket as WS } from 'ws'
// test/ has react, react-dom and jsdom but not their @types: the modules are loaded by a
// computed specifier and typed from packages/react's @types and a local interface.
import type * as ReactTypes from '../../packages/react/node_modules/@types/react'
import type * as ReactDomClient from '../../packages/react/node_modules/@types/react-dom/client'

const load = (id: string): Promise<unknown> => import(id)
type JSDOMConstructor = new (
  html: string,
  options: { pretendToBeVisual: boolean; url: string },
) => { window: Window & typeof globalThis }

const WIDGETS = 20
const TYPES = 5
const MESSAGES = 2_000
const TIMEOUT = 120_000

// --- environment: a visual jsdom (requestAnimationFrame at 60 Hz), set up before React loads
process.env.NODE_ENV = 'production'
const { JSDOM } = (await load('jsdom')) as { JSDOM: JSDOMConstructor }
const dom = new JSDOM('<!doctype html><html><body></body></html>', {
  pretendToBeVisual: true,
  url: 'http://localhost/',
})
const win = dom.window
const globals: Record<string, unknown> = {
  window: win,
  document: win.document,
  navigator: win.navigator,
  location: win.location,
  HTMLElement: win.HTMLElement,
  Element: win.Element,
  Node: win.Node,
  Text: win.Text,
  MutationObserver: win.MutationObserver,
  getComputedStyle: win.getComputedStyle.bind(win),
  requestAnimationFrame: win.requestAnimationFrame.bind(win),
  cancelAnimationFrame: win.cancelAnimationFrame.bind(win),
  // react-use-websocket takes the global; everyone gets `ws` (Node 20 has no WebSocket).
  WebSocket: WS,
}
for (const [key, value] of Object.entries(globals)) {
  Object.defineProperty(globalThis, key, { value, configurable: true, writable: true })
}

// Loaded after NODE_ENV is set, which is also why this file uses createElement and no JSX:
// the JSX runtime import would be hoisted above it and load React's development build.
const React = (await load('react')) as typeof ReactTypes
const h = React.createElement
const { createRoot } = (await load('react-dom/client')) as typeof ReactDomClient
const { useSocket, useWebSocket } = await import('@tethered/react')
const ruw = await import('react-use-websocket')
const useRuw = ruw.default
const { default: useCompat } = await import('@tethered/react/compat')

// --- counters
const realParse = JSON.parse
let parses = 0
JSON.parse = function countedParse(this: JSON, ...args: Parameters<typeof JSON.parse>) {
  parses++
  return realParse.apply(this, args)
} as typeof JSON.parse

interface Tally {
  renders: number[]
  onMessage: number[]
}

type Envelope = { type: string; data: { seq: number } }
type Dash = { in: Record<`t${number}`, { seq: number }>; out: Record<string, never> }

const typeOf = (widget: number) => `t${widget % TYPES}`

interface WidgetProps {
  url: string
  index: number
  tally: Tally
}

// Each widget shows the seq of the last message of its type; `-` until then.
function TetheredWidget({ url, index, tally }: WidgetProps) {
  tally.renders[index] = (tally.renders[index] ?? 0) + 1
  const type = typeOf(index)
  const { lastJsonMessage, readyState } = useWebSocket<Envelope>(url, {
    WebSocket: WS,
    share: true,
    filter: (_event, json) => json?.type === type,
    onMessage: () => {
      tally.onMessage[index] = (tally.onMessage[index] ?? 0) + 1
    },
  })
  return h('span', { 'data-ready': readyState }, lastJsonMessage ? lastJsonMessage.data.seq : '-')
}

function SocketWidget({ url, index, tally }: WidgetProps) {
  tally.renders[index] = (tally.renders[index] ?? 0) + 1
  const type = typeOf(index) as `t${number}`
  const { lastMessage, readyState } = useSocket<Dash>(url, {
    WebSocket: WS,
    share: true,
    types: [type],
    onMessage: () => {
      tally.onMessage[index] = (tally.onMessage[index] ?? 0) + 1
    },
  })
  return h('span', { 'data-ready': readyState }, lastMessage ? lastMessage.data.seq : '-')
}

function RuwWidget({ url, index, tally }: WidgetProps) {
  tally.renders[index] = (tally.renders[index] ?? 0) + 1
  const type = typeOf(index)
  const { lastJsonMessage, readyState } = useRuw<Envelope | null>(url, {
    share: true,
    // The filter only gets the MessageEvent: finding the type means parsing it.
    filter: (message) => (JSON.parse(message.data) as Envelope).type === type,
    onMessage: () => {
      tally.onMessage[index] = (tally.onMessage[index] ?? 0) + 1
    },
  })
  return h('span', { 'data-ready': readyState }, lastJsonMessage ? lastJsonMessage.data.seq : '-')
}

// RuwWidget with only its import swapped to `@tethered/react/compat`.
function CompatWidget({ url, index, tally }: WidgetProps) {
  tally.renders[index] = (tally.renders[index] ?? 0) + 1
  const type = typeOf(index)
  const { lastJsonMessage, readyState } = useCompat<Envelope | null>(url, {
    share: true,
    filter: (message) => (JSON.parse(message.data) as Envelope).type === type,
    onMessage: () => {
      tally.onMessage[index] = (tally.onMessage[index] ?? 0) + 1
    },
  })
  return h('span', { 'data-ready': readyState }, lastJsonMessage ? lastJsonMessage.data.seq : '-')
}

const contenders = [
  { name: 'Tethered useWebSocket (share+filter)', Widget: TetheredWidget },
  { name: 'Tethered useSocket (types)', Widget: SocketWidget },
  { name: 'react-use-websocket (share+filter)', Widget: RuwWidget },
  // Not held to Tethered's targets: it is react-use-websocket's code, parsing in its filter
  // and rendering every message at once, as react-use-websocket does.
  { name: 'compat: its code on @tethered/react/compat', Widget: CompatWidget },
] as const

// --- helpers
async function startServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve)
    wss.once('error', reject)
  })
  let connections = 0
  wss.on('connection', () => connections++)
  const { port } = wss.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}/dashboard`,
    connections: () => connections,
    flood() {
      const frames: string[] = []
      for (let seq = 1; seq <= MESSAGES; seq++) {
        frames.push(JSON.stringify({ type: `t${seq % TYPES}`, data: { seq } }))
      }
      for (const client of wss.clients) for (const frame of frames) client.send(frame)
    },
    close() {
      for (const client of wss.clients) client.terminate()
      return new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}

/** Resolves when `check` holds, re-checked on every DOM change; rejects after `timeout`. */
function whenDom(root: HTMLElement, check: () => boolean, what: string, timeout = TIMEOUT) {
  return new Promise<number>((resolve, reject) => {
    if (check()) return resolve(performance.now())
    const observer = new win.MutationObserver(() => {
      if (!check()) return
      const at = performance.now()
      observer.disconnect()
      clearTimeout(timer)
      resolve(at)
    })
    const timer = setTimeout(() => {
      observer.disconnect()
      reject(new Error(`timed out after ${timeout} ms waiting for ${what}`))
    }, timeout)
    observer.observe(root, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    })
  })
}

/** Two animation frames and a macrotask: any batched render still pending has run. */
const settle = () =>
  new Promise<void>((resolve) =>
    win.requestAnimationFrame(() =>
      win.requestAnimationFrame(() => {
        setTimeout(resolve, 0)
      }),
    ),
  )

// The last seq of each type in the flood.
const lastSeq = new Map<string, number>()
for (let seq = 1; seq <= MESSAGES; seq++) lastSeq.set(`t${seq % TYPES}`, seq)

interface Result {
  name: string
  socketsOpened: number
  totalRenders: number
  rendersPerWidget: number[]
  jsonParseCalls: number
  onMessagePerWidget: number[]
  everyWidgetOnLastMessage: boolean
  wallMs: number
}

async function run({ name, Widget }: (typeof contenders)[number]): Promise<Result> {
  const server = await startServer()
  const container = win.document.createElement('div')
  win.document.body.append(container)
  const root = createRoot(container)
  const tally: Tally = { renders: [], onMessage: [] }
  const spans = () => [...container.querySelectorAll('span')]

  const widgets = Array.from({ length: WIDGETS }, (_, index) =>
    h(Widget, { key: index, url: server.url, index, tally }),
  )
  root.render(h(React.Fragment, null, ...widgets))
  await whenDom(
    container,
    () => spans().length === WIDGETS && spans().every((s) => s.dataset.ready === '1'),
    `${name}: every widget open`,
    10_000,
  )
  await settle()
  tally.renders = []
  tally.onMessage = []
  parses = 0

  const started = performance.now()
  server.flood()
  const onLast = () => spans().every((s, i) => s.textContent === String(lastSeq.get(typeOf(i))))
  let everyWidgetOnLastMessage = true
  let finished = started
  try {
    finished = await whenDom(container, onLast, `${name}: every widget on its last message`)
  } catch (error) {
    everyWidgetOnLastMessage = false
    console.error(String(error))
  }
  const wallMs = finished - started
  await settle()
  const result: Result = {
    name,
    socketsOpened: server.connections(),
    totalRenders: tally.renders.reduce((a, b) => a + b, 0),
    rendersPerWidget: Array.from({ length: WIDGETS }, (_, i) => tally.renders[i] ?? 0),
    jsonParseCalls: parses,
    onMessagePerWidget: Array.from({ length: WIDGETS }, (_, i) => tally.onMessage[i] ?? 0),
    everyWidgetOnLastMessage: everyWidgetOnLastMessage && onLast(),
    wallMs: Math.round(wallMs),
  }
  root.unmount()
  container.remove()
  await server.close()
  return result
}

const results: Result[] = []
for (const contender of contenders) results.push(await run(contender))
JSON.parse = realParse

// --- report
const range = (xs: number[]) => {
  const min = Math.min(...xs)
  const max = Math.max(...xs)
  return min === max ? String(min) : `${min}–${max}`
}
const rows: [string, (r: Result) => string][] = [
  ['sockets opened', (r) => String(r.socketsOpened)],
  ['total renders', (r) => String(r.totalRenders)],
  ['renders per widget (min–max)', (r) => range(r.rendersPerWidget)],
  ['JSON.parse calls', (r) => String(r.jsonParseCalls)],
  ['onMessage calls per widget', (r) => range(r.onMessagePerWidget)],
  ['every widget on its last message', (r) => (r.everyWidgetOnLastMessage ? 'yes' : 'NO')],
  ['wall time (ms)', (r) => String(r.wallMs)],
]
const header = ['', ...results.map((r) => r.name)]
const table = [header, ...rows.map(([label, cell]) => [label, ...results.map(cell)])]
const widths = header.map((_, col) => Math.max(...table.map((row) => (row[col] ?? '').length)))
const line = (row: string[]) =>
  `| ${row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join(' | ')} |`
console.log(
  `\nDashboard: ${WIDGETS} widgets, ${TYPES} types, ${MESSAGES} messages, React ${React.version} (production), jsdom, loopback ws\n`,
)
console.log(line(table[0] ?? []))
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
for (const row of table.slice(1)) console.log(line(row))

const targets = {
  socketsOpened: 1,
  jsonParseCalls: MESSAGES,
  maxTotalRenders: ((WIDGETS / TYPES) * MESSAGES) / 10,
  onMessagePerWidget: MESSAGES,
}
const misses = results
  .filter((r) => r.name.startsWith('Tethered'))
  .flatMap((r) => [
    r.socketsOpened !== targets.socketsOpened && `${r.name}: ${r.socketsOpened} sockets`,
    r.jsonParseCalls !== targets.jsonParseCalls && `${r.name}: ${r.jsonParseCalls} parses`,
    r.totalRenders > targets.maxTotalRenders && `${r.name}: ${r.totalRenders} renders`,
    r.onMessagePerWidget.some((n) => n !== MESSAGES) && `${r.name}: onMessage missed messages`,
    !r.everyWidgetOnLastMessage && `${r.name}: a widget is not on its last message`,
  ])
  .filter((miss): miss is string => typeof miss === 'string')
console.log(
  misses.length === 0
    ? `\nTethered meets every target (1 socket, ${MESSAGES} parses, ≤ ${targets.maxTotalRenders} renders, onMessage sees all ${MESSAGES}).`
    : `\nMissed targets:\n  ${misses.join('\n  ')}`,
)

const out = new URL('./results/react-dashboard.json', import.meta.url)
mkdirSync(new URL('.', out), { recursive: true })
writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      react: React.version,
      widgets: WIDGETS,
      types: TYPES,
      messages: MESSAGES,
      targets,
      results,
    },
    null,
    2,
  )}\n`,
)
console.log(`\nwritten: ${out.pathname}`)
win.close()
process.exitCode = misses.length === 0 ? 0 : 1
