import { once } from 'node:events'
import { createServer, type Server as HttpServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach } from 'vitest'
import { type ClientOptions, type RawData, WebSocket } from 'ws'
import { nextEvent as waitForEvent } from '../../../test/support/wait'
import {
  createSocketServer,
  type DefaultEvents,
  type EventMap,
  type IdentityLike,
  type ServerEvents,
  type SocketServer,
  type SocketServerOptions,
} from '../src/index'

/** Every wait in these tests is bounded by this unless a test says otherwise. */
export const WAIT = 3_000

export function within<T>(promise: Promise<T>, label: string, ms = WAIT): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${label}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

const cleanups: Array<() => Promise<unknown> | unknown> = []

export function onCleanup(fn: () => Promise<unknown> | unknown): void {
  cleanups.push(fn)
}

afterEach(async () => {
  const pending = cleanups.splice(0).reverse()
  for (const fn of pending) await within(Promise.resolve(fn()), 'cleanup')
})

export interface Started<E extends EventMap, Id extends IdentityLike> {
  server: SocketServer<E, Id>
  url: string
  port: number
}

/** A server listening on 127.0.0.1 port 0, closed after the test. */
export async function start<E extends EventMap = DefaultEvents, Id extends IdentityLike = string>(
  options: Omit<SocketServerOptions<Id>, 'port' | 'host' | 'server' | 'noServer'> = {},
): Promise<Started<E, Id>> {
  const server = createSocketServer<E, Id>({ port: 0, host: '127.0.0.1', ...options })
  onCleanup(() => server.close({ timeout: 500 }))
  await within(server.ready, 'listening')
  const port = server.address()?.port
  if (port === undefined) throw new Error('no port')
  return { server, url: `ws://127.0.0.1:${port}${options.path ?? '/'}`, port }
}

/** An http.Server on 127.0.0.1 port 0, closed after the test. */
export async function httpServer(): Promise<{ http: HttpServer; port: number }> {
  const http = createServer((_req, res) => res.end('plain http'))
  http.listen(0, '127.0.0.1')
  await within(once(http, 'listening'), 'http listening')
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections()
        http.close(() => resolve())
      }),
  )
  return { http, port: (http.address() as AddressInfo).port }
}

/** A `ws` client, open, terminated after the test. */
export async function connect(
  url: string,
  options: ClientOptions & { protocols?: string[] } = {},
): Promise<WebSocket> {
  const { protocols, ...rest } = options
  const ws = new WebSocket(url, protocols, rest)
  onCleanup(() => ws.terminate())
  // Listening before the handshake ends: a message sent on 'connection' may arrive with it.
  inbox(ws)
  await within(
    new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`unexpected response ${res.statusCode}`)),
      )
    }),
    `open ${url}`,
  )
  return ws
}

const inboxes = new WeakMap<WebSocket, Inbox>()

export type Inbox = ReturnType<typeof createInbox>

/** Every text message a client received since `connect` (one inbox per socket). */
export function inbox(ws: WebSocket): Inbox {
  let box = inboxes.get(ws)
  if (!box) {
    box = createInbox(ws)
    inboxes.set(ws, box)
  }
  return box
}

function createInbox(ws: WebSocket) {
  const messages: string[] = []
  let read = 0
  const waiters: Array<() => void> = []
  ws.on('message', (data: RawData, isBinary: boolean) => {
    messages.push(isBinary ? '<binary>' : data.toString())
    for (const wake of waiters.splice(0)) wake()
  })
  return {
    messages,
    /** Resolves with the messages once there are at least `count`. */
    async waitFor(count: number, label = `${count} messages`): Promise<string[]> {
      await within(
        new Promise<void>((resolve) => {
          const check = () => {
            if (messages.length >= count) resolve()
            else waiters.push(check)
          }
          check()
        }),
        label,
      )
      return messages
    },
    /** The next message not yet read by `next()`, as JSON. */
    async next(): Promise<unknown> {
      const index = read++
      await this.waitFor(index + 1)
      return JSON.parse(messages[index]!)
    },
  }
}

export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.reject(new Error('already closed'))
  return within(
    new Promise((resolve) => {
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
    }),
    'close',
  )
}

export interface UpgradeResponse {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
}

/** Sends an upgrade request by hand and reports the HTTP answer (101 included). */
export function tryUpgrade(
  port: number,
  path = '/',
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<UpgradeResponse> {
  return within(
    new Promise<UpgradeResponse>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        path,
        method,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version': '13',
          ...headers,
        },
      })
      req.on('upgrade', (res, socket) => {
        socket.destroy()
        resolve({ status: res.statusCode ?? 0, body: '', headers: res.headers })
      })
      req.on('response', (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
      })
      req.on('error', reject)
      req.end()
    }),
    `upgrade ${path}`,
  )
}

/** The arguments of a server event's next emission (the shared wait: a timeout unsubscribes). */
export function nextEvent<
  E extends EventMap,
  Id extends IdentityLike,
  K extends keyof ServerEvents<E, Id>,
>(server: SocketServer<E, Id>, event: K): Promise<ServerEvents<E, Id>[K]> {
  return waitForEvent(
    (handler: (...args: ServerEvents<E, Id>[K]) => void) => server.on(event, handler),
    WAIT,
    `server '${String(event)}'`,
  )
}

/**
 * A store whose `name` answers as `replace` says (later, as a remote store like Redis does),
 * every other method the adapter's own. `replace` gets the adapter, to call the real method.
 */
export function withMethod<A extends object, K extends keyof A>(
  adapter: A,
  name: K,
  replace: (adapter: A) => A[K],
): A {
  return new Proxy(adapter, {
    get(target, key) {
      if (key === name) return replace(target)
      const value = Reflect.get(target, key, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
