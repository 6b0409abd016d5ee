// The behaviour suite in Chromium (the bindings-browser project puts this module in place of
// ./environment.ts): the browser's own WebSocket, against servers that live in Node and are
// driven over the control channel of ./control.ts. The servers seen here are copies, kept up
// to date by what Node pushes; `settle` makes them current as of what the page has seen.
import { inject } from 'vitest'
import type { RecordingServer, ServerOptions, ServerSocket } from '../support/recording-server'
import { nextEvent } from '../support/wait'
import type { Operation, Push, ReliableState, ServerState } from './control'
import type { Environment, ReliableClient, ReliableServer } from './environment'
import { TIMEOUT } from './timeout'

type Pending = { resolve(value: unknown): void; reject(error: Error): void }

const pending = new Map<number, Pending>()
const servers = new Map<number, (push: Push) => void>()
/** Failures nobody awaits (a send, a terminate, a server option): thrown by the next `settle`. */
const failures = new Set<string>()
const failed = (failure: string) => {
  if (failures.size < 20) failures.add(failure)
}
let channel: Promise<WebSocket> | null = null
let nextId = 1

function connect(): Promise<WebSocket> {
  channel ??= new Promise<WebSocket>((resolve, reject) => {
    const url = inject('bindingsControl')
    const ws = new WebSocket(url)
    const fail = (why: string) => {
      clearTimeout(timer)
      reject(new Error(`The control channel at ${url} ${why}: is the globalSetup running?`))
    }
    const timer = setTimeout(() => {
      fail(`did not open in ${TIMEOUT} ms`)
      ws.close()
    }, TIMEOUT)
    ws.onopen = () => {
      clearTimeout(timer)
      resolve(ws)
    }
    ws.onerror = () => fail('failed')
    ws.onclose = () => {
      channel = null
      for (const p of pending.values()) p.reject(new Error('The control channel closed'))
      pending.clear()
    }
    ws.onmessage = (event) => {
      const push = JSON.parse(String(event.data)) as Push
      if ('failure' in push) failed(push.failure)
      else if ('reply' in push) {
        const p = pending.get(push.reply)
        pending.delete(push.reply)
        if (push.error !== undefined) p?.reject(new Error(`control channel: ${push.error}`))
        else p?.resolve(push.result)
      } else servers.get(push.server)?.(push)
    }
  })
  return channel
}

/** Sends `operation` to Node; resolves with its reply. Calls go out in the order made. */
function request<T>(operation: Operation): Promise<T> {
  return connect().then(
    (ws) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new Error(`control channel: no reply to ${operation.op} in ${TIMEOUT} ms`))
        }, TIMEOUT)
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer)
            resolve(value as T)
          },
          reject: (error) => {
            clearTimeout(timer)
            reject(error)
          },
        })
        ws.send(JSON.stringify({ id, ...operation }))
      }),
  )
}

/** A request whose failure surfaces at the next `settle`, for the scenarios' synchronous calls. */
function fire(operation: Operation): void {
  request(operation).catch((error: Error) => failed(`${operation.op}: ${error.message}`))
}

async function settle(): Promise<void> {
  if (channel) await request({ op: 'sync' })
  if (failures.size > 0) {
    const message = [...failures].join('; ')
    failures.clear()
    throw new Error(message)
  }
}

async function startServer(options: ServerOptions = {}): Promise<RecordingServer> {
  // The options' functions run in Node: sent as source, so they may use no outer variable.
  const sources: Record<string, string> = {}
  for (const [key, value] of Object.entries(options)) {
    if (typeof value === 'function') sources[key] = String(value)
  }
  const started = await request<{ server: number; url: string }>({
    op: 'start',
    options: sources,
  })
  const id = started.server
  let state: ServerState = {
    sockets: 0,
    paths: [],
    protocols: [],
    open: 0,
    pings: [],
    received: [],
  }
  const sockets: ServerSocket[] = []
  const changes = new Set<() => void>()
  const onChange = (listener: () => void) => {
    changes.add(listener)
    return () => {
      changes.delete(listener)
    }
  }
  const socket = (n: number): ServerSocket => {
    const call = (name: 'send' | 'close' | 'terminate', args: unknown[]) =>
      fire({ op: 'socket', server: id, socket: n, call: name, args })
    return {
      send: (data) => call('send', [data]),
      close: (code, reason) =>
        call(
          'close',
          [code, reason].filter((a) => a !== undefined),
        ),
      terminate: () => call('terminate', []),
    }
  }
  servers.set(id, (push) => {
    if (!('state' in push)) return
    state = push.state
    while (sockets.length < state.sockets) sockets.push(socket(sockets.length))
    for (const listener of [...changes]) listener()
  })
  return {
    url: (path = '/') => `${started.url}${path}`,
    sockets,
    get paths() {
      return state.paths
    },
    get protocols() {
      return state.protocols
    },
    get open() {
      return state.open
    },
    get pings() {
      return state.pings
    },
    get received() {
      return state.received
    },
    send: (data) => fire({ op: 'send', server: id, data }),
    async until(check, label, timeout = TIMEOUT) {
      if (check()) return
      await nextEvent(onChange, timeout, label, check).catch((error: Error) => {
        throw new Error(`${error.message} (server: ${state.sockets} accepted, ${state.open} open)`)
      })
    },
    onChange,
    async close() {
      servers.delete(id)
      await request({ op: 'stop', server: id })
    },
  }
}

async function startReliableServer(port: number) {
  const started = await request<{
    server: number
    url: string
    port: number
    state: ReliableState
  }>({ op: 'start-reliable', port })
  const id = started.server
  let state = started.state
  type Handler = (data: never) => void
  const known = new Map<string, { client: ReliableClient; handlers: Map<string, Set<Handler>> }>()
  const connections = new Set<(client: ReliableClient) => void>()
  const client = (key: string) => {
    let found = known.get(key)
    if (!found) {
      const handlers = new Map<string, Set<Handler>>()
      found = {
        handlers,
        client: {
          key,
          on(type, listener) {
            const set = handlers.get(type) ?? new Set()
            handlers.set(type, set)
            set.add(listener)
            return () => set.delete(listener)
          },
          terminate: () => fire({ op: 'terminate-client', server: id, client: key }),
        },
      }
      known.set(key, found)
    }
    return found
  }
  servers.set(id, (push) => {
    if ('reliable' in push) state = push.reliable
    else if ('connection' in push) {
      for (const listener of [...connections]) listener(client(push.connection).client)
    } else if ('client' in push) {
      for (const handler of client(push.client).handlers.get(push.type) ?? []) {
        ;(handler as (data: unknown) => void)(push.data)
      }
    }
  })
  const server: ReliableServer = {
    on(_event, listener) {
      connections.add(listener)
      return () => connections.delete(listener)
    },
    broadcast: (type, data) => fire({ op: 'broadcast', server: id, type, data }),
    get clients() {
      return new Map(state.clients.map((key) => [key, client(key).client]))
    },
    get stats() {
      return state.stats
    },
    address: () => ({ port: started.port }),
    async close(options) {
      servers.delete(id)
      await request({
        op: 'stop',
        server: id,
        ...(options?.timeout === undefined ? {} : { timeout: options.timeout }),
      })
    },
  }
  return { server, url: started.url }
}

export const environment: Environment = {
  name: 'chromium',
  WebSocket: globalThis.WebSocket,
  startServer,
  startReliableServer,
  settle,
}
