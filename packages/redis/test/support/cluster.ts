// Instances of one cluster in this process, each a real server on 127.0.0.1 port 0 with its
// own redisAdapter on one redis-server, and reliable clients spoken to by hand.
import type { Hello, Welcome } from '@tethered/protocol'
import type { SocketServerError, SocketServerOptions } from '@tethered/server'
import { expect } from 'vitest'
import type { WebSocket } from 'ws'
import { connect, inbox, start } from '../../../server/test/helpers'
import { type RedisAdapterOptions, type RedisStateAdapter, redisAdapter } from '../../src/index'

export type Events = { in: Record<string, unknown>; out: Record<string, unknown> }
export type User = { id: string }

/** `?token=alice` is identity `alice`. */
export const byToken = (_req: unknown, info: { token: string | undefined }): User | null =>
  info.token ? { id: info.token } : null

let clusters = 0

type InstanceOptions = Omit<
  SocketServerOptions<User>,
  'port' | 'host' | 'server' | 'noServer' | 'adapter'
>

/** A fresh cluster's prefix: tests sharing a redis-server do not see each other. */
export const newPrefix = () => `cluster${++clusters}-${process.pid}:`

/** One instance: a server with its own redisAdapter, its `error` events recorded. */
export async function instance(
  redisUrl: string,
  prefix: string,
  options: InstanceOptions = {},
  adapterOptions: RedisAdapterOptions = {},
) {
  // Short, so a death is noticed within a test; long enough for a loaded machine.
  const adapter = redisAdapter({ url: redisUrl, prefix, lease: 2_000, ...adapterOptions })
  const started = await start<Events, User>({ authenticate: byToken, ...options, adapter })
  const errors: SocketServerError[] = []
  started.server.on('error', (error) => errors.push(error))
  await adapter.ready
  return { ...started, adapter: adapter as RedisStateAdapter, errors }
}

/** `n` instances of a fresh cluster with a short lease. */
export async function cluster(
  n: number,
  redisUrl: string,
  options: InstanceOptions = {},
  adapterOptions: RedisAdapterOptions = {},
) {
  const prefix = newPrefix()
  const instances = []
  for (let i = 0; i < n; i++)
    instances.push(await instance(redisUrl, prefix, options, adapterOptions))
  return instances
}

/** Connects by hand and says hello; the welcome is read. */
export async function hello(url: string, said: Partial<Hello> = {}) {
  const ws = await connect(url)
  const box = inbox(ws)
  const read = box.messages.length
  ws.send(`h:${JSON.stringify({ v: 1, session: null, ack: 0, ...said })}`)
  const messages = await box.waitFor(read + 1, 'the welcome')
  const frame = messages[read] as string
  expect(frame.startsWith('w:')).toBe(true)
  return { ws, box, welcome: JSON.parse(frame.slice(2)) as Welcome }
}

/** Data frames received, as `[seq, payload]`. */
export const dataFrames = (messages: readonly string[]) =>
  messages
    .filter((m) => m.startsWith('m:'))
    .map((m) => {
      const colon = m.indexOf(':', 2)
      return [Number(m.slice(2, colon)), m.slice(colon + 1)] as const
    })

/** The `type`s of the data frames received. */
export const types = (messages: readonly string[]) =>
  dataFrames(messages).map(([, payload]) => (JSON.parse(payload) as { type: string }).type)

/** Acknowledges everything received so far, as the client does. */
export function ackAll(ws: WebSocket, messages: readonly string[]): number {
  const last = dataFrames(messages).at(-1)?.[0] ?? 0
  ws.send(`a:${last}`)
  return last
}

/** Polls an asynchronous condition every 20 ms until it holds, for at most `timeout` ms. */
export async function eventually(
  condition: () => Promise<boolean>,
  label: string,
  timeout = 3_000,
): Promise<void> {
  const deadline = performance.now() + timeout
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeout} ms: ${label}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
