// Dashboard benchmark, Vue: 20 widget components on one url, 5 message types (4 widgets
// each), a flood of 2,000 messages from a real loopback `ws` server, rendered in jsdom.
//
//   pnpm exec tsx --conditions=@tethered/source test/bench/vue-dashboard.ts
//
// Compared: Tethered useWebSocket (share + filter), Tethered useSocket (types), VueUse
// useWebSocket (no sharing: one socket per widget; each widget parses in onMessage and
// keeps the last message of its type, the only way it sees every message) and that same
// VueUse widget on `@tethered/vue/compat` (its import swapped; then with `share: true`).
// Vue runs its production build.
//
// Run twice: with `ws` as it is, which hands a whole TCP read of messages over in one
// macrotask (so Vue's own microtask batching already merges a burst), and with every
// message in a task of its own, as a browser delivers them. Prints a table per run and
// writes test/bench/results/vue-dashboard.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import type * as VueTypes from 'vue'
import { WebSocketServer, WebSocket as WS } from 'ws'

// Modules loaded after the globals below exist (Vue's DOM renderer reads `document` when it
// loads) and after NODE_ENV is set (production build). jsdom has no @types here.
const load = (id: string): Promise<unknown> => import(id)
type JSDOMConstructor = new (
  html: string,
  options: { pretendToBeVisual: boolean; url: string },
) => { window: Window & typeof globalThis }

const WIDGETS = 20
const TYPES = 5
const MESSAGES = 2_000
const TIMEOUT = 120_000

// --- environment: a visual jsdom, so requestAnimationFrame runs at 60 Hz as in a browser
process.env.NODE_ENV = 'production'
const { JSDOM } = (await load('jsdom')) as { JSDOM: JSDOMConstructor }
const dom = new JSDOM('<!doctype html><html><body></body></html>', {
  pretendToBeVisual: true,
  url: 'http://localhost/',
})
const win = dom.window
for (const [key, value] of Object.entries({
  window: win,
  document: win.document,
  navigator: win.navigator,
  location: win.location,
  Node: win.Node,
  Element: win.Element,
  HTMLElement: win.HTMLElement,
  SVGElement: win.SVGElement,
  Text: win.Text,
  MutationObserver: win.MutationObserver,
  requestAnimationFrame: win.requestAnimationFrame.bind(win),
  cancelAnimationFrame: win.cancelAnimationFrame.bind(win),
})) {
  Object.defineProperty(globalThis, key, { value, configurable: true, writable: true })
}

const Vue = (await load('vue')) as typeof VueTypes
const { createApp, defineComponent, h, onUpdated, shallowRef } = Vue
const { useSocket, useWebSocket } = await import('@tethered/vue')
const vueuse = await import('@vueuse/core')
const compat = await import('@tethered/vue/compat')

// --- counters
const realParse = JSON.parse
let parses = 0
JSON.parse = function countedParse(this: JSON, ...args: Parameters<typeof JSON.parse>) {
  parses++
  return realParse.apply(this, args)
} as typeof JSON.parse

/** `ws`, but each message is delivered in a macrotask of its own, as in a browser. */
class TaskSocket extends WS {
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'message') return super.emit(event, ...args)
    setImmediate(() => super.emit(event, ...args))
    return true
  }
}
const modes = [
  { name: 'ws delivery (a burst per TCP read)', Socket: WS },
  { name: 'browser-like delivery (one task per message)', Socket: TaskSocket },
] as const
// The constructor of the run under way: Tethered gets it as an option, VueUse as the global.
let Socket: typeof WS = WS

interface Tally {
  updates: number[]
  onMessage: number[]
}
const bump = (counts: number[], i: number) => {
  counts[i] = (counts[i] ?? 0) + 1
}

type Envelope = { type: string; data: { seq: number } }
type Dash = { in: Record<`t${number}`, { seq: number }>; out: Record<string, never> }
interface WidgetProps {
  url: string
  index: number
  tally: Tally
}
const props: (keyof WidgetProps)[] = ['url', 'index', 'tally']
const typeOf = (index: number) => `t${index % TYPES}` as `t${number}`

// Each widget shows the seq of the last message of its type (`-` until then) and its
// readyState, as the DOM the benchmark waits on.
const show = (ready: number, seq: number | undefined) =>
  h('span', { 'data-ready': String(ready) }, seq === undefined ? '-' : String(seq))

const TetheredWidget = defineComponent(
  (p: WidgetProps) => {
    onUpdated(() => bump(p.tally.updates, p.index))
    const type = typeOf(p.index)
    const ws = useWebSocket<Envelope>(p.url, {
      WebSocket: Socket,
      share: true,
      filter: (_event, json) => json?.type === type,
      onMessage: () => bump(p.tally.onMessage, p.index),
    })
    return () => show(ws.readyState.value, ws.lastJsonMessage.value?.data.seq)
  },
  { props },
)

const SocketWidget = defineComponent(
  (p: WidgetProps) => {
    onUpdated(() => bump(p.tally.updates, p.index))
    const socket = useSocket<Dash>(p.url, {
      WebSocket: Socket,
      share: true,
      types: [typeOf(p.index)],
      onMessage: () => bump(p.tally.onMessage, p.index),
    })
    return () => show(socket.readyState.value, socket.lastMessage.value?.data.seq)
  },
  { props },
)

const VueUseWidget = defineComponent(
  (p: WidgetProps) => {
    onUpdated(() => bump(p.tally.updates, p.index))
    const type = typeOf(p.index)
    const last = shallowRef<Envelope | null>(null)
    // `data` holds only the newest message of any type, and a watcher on it runs once per
    // tick (dropping the rest): onMessage is the one place that sees every message.
    const { status } = vueuse.useWebSocket<string>(p.url, {
      onMessage: (_ws, event) => {
        bump(p.tally.onMessage, p.index)
        const message = JSON.parse(event.data as string) as Envelope
        if (message.type === type) last.value = message
      },
    })
    return () => show(status.value === 'OPEN' ? 1 : 0, last.value?.data.seq)
  },
  { props },
)

// The VueUse widget with only its import swapped to `@tethered/vue/compat` (migration step
// 1), and the same with Tethered's `share: true` added.
const compatWidget = (share: boolean) =>
  defineComponent(
    (p: WidgetProps) => {
      onUpdated(() => bump(p.tally.updates, p.index))
      const type = typeOf(p.index)
      const last = shallowRef<Envelope | null>(null)
      const { status } = compat.useWebSocket<string>(p.url, {
        share,
        onMessage: (_ws, event) => {
          bump(p.tally.onMessage, p.index)
          const message = JSON.parse(event.data as string) as Envelope
          if (message.type === type) last.value = message
        },
      })
      return () => show(status.value === 'OPEN' ? 1 : 0, last.value?.data.seq)
    },
    { props },
  )

const contenders = [
  { name: 'Tethered useWebSocket (share+filter)', Widget: TetheredWidget },
  { name: 'Tethered useSocket (types)', Widget: SocketWidget },
  { name: 'Tethered compat (VueUse code, 1 socket/widget)', Widget: compatWidget(false) },
  { name: 'Tethered compat + share: true', Widget: compatWidget(true) },
  { name: 'VueUse useWebSocket (1 socket/widget)', Widget: VueUseWidget },
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

/** Resolves with the time `check` first held, re-checked on every DOM change; bounded. */
function whenDom(root: HTMLElement, check: () => boolean, what: string, timeout = TIMEOUT) {
  return new Promise<number>((resolve, reject) => {
    if (check()) return resolve(performance.now())
    const observer = new win.MutationObserver(() => {
      if (!check()) return
      observer.disconnect()
      clearTimeout(timer)
      resolve(performance.now())
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

/** Two animation frames and a macrotask: whatever update was still batched has run. */
const settle = () =>
  new Promise<void>((resolve) =>
    win.requestAnimationFrame(() => win.requestAnimationFrame(() => setTimeout(resolve, 0))),
  )

const lastSeq = new Map<string, number>()
for (let seq = 1; seq <= MESSAGES; seq++) lastSeq.set(`t${seq % TYPES}`, seq)

interface Result {
  name: string
  sockets: number
  componentUpdates: number
  updatesPerWidget: number[]
  jsonParseCalls: number
  onMessagePerWidget: number[]
  everyWidgetOnLastMessage: boolean
  wallMs: number
}

async function run({ name, Widget }: (typeof contenders)[number]): Promise<Result> {
  const server = await startServer()
  const container = win.document.createElement('div')
  win.document.body.append(container)
  const tally: Tally = { updates: [], onMessage: [] }
  const spans = () => [...container.querySelectorAll('span')]
  const app = createApp({
    render: () =>
      Array.from({ length: WIDGETS }, (_, index) =>
        h(Widget, { key: index, url: server.url, index, tally }),
      ),
  })
  app.mount(container)
  await whenDom(
    container,
    () => spans().length === WIDGETS && spans().every((s) => s.dataset.ready === '1'),
    `${name}: every widget open`,
    10_000,
  )
  await settle()
  tally.updates = []
  tally.onMessage = []
  parses = 0

  const started = performance.now()
  server.flood()
  const onLast = () => spans().every((s, i) => s.textContent === String(lastSeq.get(typeOf(i))))
  let reached = true
  let finished = started
  try {
    finished = await whenDom(container, onLast, `${name}: every widget on its last message`)
  } catch (error) {
    reached = false
    console.error(String(error))
  }
  // Counts include whatever was still on its way when the DOM got there.
  await settle()
  const per = (counts: number[]) => Array.from({ length: WIDGETS }, (_, i) => counts[i] ?? 0)
  const result: Result = {
    name,
    sockets: server.connections(),
    componentUpdates: tally.updates.reduce((a, b) => a + b, 0),
    updatesPerWidget: per(tally.updates),
    jsonParseCalls: parses,
    onMessagePerWidget: per(tally.onMessage),
    everyWidgetOnLastMessage: reached && onLast(),
    wallMs: Math.round(finished - started),
  }
  app.unmount()
  container.remove()
  await server.close()
  return result
}

const runs: { mode: string; results: Result[] }[] = []
for (const mode of modes) {
  Socket = mode.Socket
  Object.defineProperty(globalThis, 'WebSocket', {
    value: mode.Socket,
    configurable: true,
    writable: true,
  })
  const results: Result[] = []
  for (const contender of contenders) results.push(await run(contender))
  runs.push({ mode: mode.name, results })
}
JSON.parse = realParse

// --- report
const range = (xs: number[]) => {
  const min = Math.min(...xs)
  const max = Math.max(...xs)
  return min === max ? String(min) : `${min}–${max}`
}
const rows: [string, (r: Result) => string][] = [
  ['sockets', (r) => String(r.sockets)],
  ['component updates (onUpdated)', (r) => String(r.componentUpdates)],
  ['updates per widget (min–max)', (r) => range(r.updatesPerWidget)],
  ['JSON.parse calls', (r) => String(r.jsonParseCalls)],
  ['messages seen by onMessage, per widget', (r) => range(r.onMessagePerWidget)],
  ['every widget shows its last message', (r) => (r.everyWidgetOnLastMessage ? 'yes' : 'NO')],
  ['wall time (ms)', (r) => String(r.wallMs)],
]
console.log(
  `\nVue dashboard: ${WIDGETS} widgets, ${TYPES} types, ${MESSAGES} messages, Vue ${Vue.version} (production), jsdom, loopback ws`,
)
for (const { mode, results } of runs) {
  const header = [mode, ...results.map((r) => r.name)]
  const table = [header, ...rows.map(([label, cell]) => [label, ...results.map(cell)])]
  const widths = header.map((_, col) => Math.max(...table.map((row) => (row[col] ?? '').length)))
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`
  console.log(`\n${line(header)}`)
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
  for (const row of table.slice(1)) console.log(line(row))
}

// One update per relevant message would be 4 widgets × 2,000 = 8,000.
const targets = {
  sockets: 1,
  jsonParseCalls: MESSAGES,
  maxComponentUpdates: ((WIDGETS / TYPES) * MESSAGES) / 10,
  onMessagePerWidget: MESSAGES,
}
const misses = runs
  .flatMap(({ mode, results }) => results.map((r) => ({ ...r, name: `${r.name}, ${mode}` })))
  .filter((r) => r.name.startsWith('Tethered'))
  // The compat rows run VueUse's widget code (it parses and updates per message itself):
  // they must see every message, the socket and render targets are the native API's.
  .flatMap((r) => [
    !r.name.includes('compat') &&
      r.sockets !== targets.sockets &&
      `${r.name}: ${r.sockets} sockets`,
    !r.name.includes('compat') &&
      r.jsonParseCalls !== targets.jsonParseCalls &&
      `${r.name}: ${r.jsonParseCalls} parses`,
    !r.name.includes('compat') &&
      r.componentUpdates > targets.maxComponentUpdates &&
      `${r.name}: ${r.componentUpdates} updates`,
    r.onMessagePerWidget.some((n) => n !== MESSAGES) && `${r.name}: onMessage missed messages`,
    !r.everyWidgetOnLastMessage && `${r.name}: a widget is not on its last message`,
  ])
  .filter((miss): miss is string => typeof miss === 'string')
console.log(
  misses.length === 0
    ? `\nTethered meets every target in both runs (1 socket, ${MESSAGES} parses, ≤ ${targets.maxComponentUpdates} updates, onMessage sees all ${MESSAGES}).`
    : `\nMissed targets:\n  ${misses.join('\n  ')}`,
)

const out = new URL('./results/vue-dashboard.json', import.meta.url)
mkdirSync(new URL('.', out), { recursive: true })
writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      vue: Vue.version,
      widgets: WIDGETS,
      types: TYPES,
      messages: MESSAGES,
      targets,
      runs,
    },
    null,
    2,
  )}\n`,
)
console.log(`\nwritten: ${out.pathname}`)
win.close()
process.exitCode = misses.length === 0 ? 0 : 1
