// The Node end of the bindings-browser project (its globalSetup): a WebSocket on 127.0.0.1
// through which a test page starts and drives the scenarios' servers, which cannot run in a
// browser. Each change on a server is pushed to the page that owns it, so the page keeps a
// copy of what the scenarios read; a `sync` reply follows every push sent before it.
import { existsSync } from 'node:fs'
import type { TestProject } from 'vitest/node'
import { type WebSocket, WebSocketServer } from 'ws'
import type { RecordingServer, ServerOptions } from '../support/recording-server'
import { environment, RELIABLE_CLIENT_EVENTS, type ReliableServer } from './environment'

/** Debian's chromium, installed with apt-get: no test tool downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium'

/** A function of ServerOptions, as source: it runs in Node, so it may use no outer variable. */
type Source = string

/** What a page asks; each request gets a reply with its id, in the order sent. */
export type Operation =
  | { op: 'start'; options: { [K in keyof ServerOptions]?: Source } }
  | { op: 'start-reliable'; port: number }
  | { op: 'stop'; server: number; timeout?: number }
  | { op: 'sync' }
  | { op: 'send'; server: number; data: string }
  | {
      op: 'socket'
      server: number
      socket: number
      call: 'send' | 'close' | 'terminate'
      args: unknown[]
    }
  | { op: 'broadcast'; server: number; type: 'news'; data: number }
  | { op: 'terminate-client'; server: number; client: string }

export type Request = { id: number } & Operation

export interface ServerState {
  sockets: number
  paths: string[]
  protocols: string[]
  open: number
  pings: number[]
  received: string[]
}

export interface ReliableState {
  stats: ReliableServer['stats']
  clients: string[]
}

export type Push =
  | { reply: number; result?: unknown; error?: string }
  | { server: number; state: ServerState }
  | { server: number; reliable: ReliableState }
  | { server: number; connection: string }
  | { server: number; client: string; type: string; data: unknown }
  /** A function of ServerOptions threw in Node: the page's next `settle` reports it. */
  | { failure: string }

/**
 * Turns a serialized arrow function, `function` or method (`name(a) {…}`) back into one,
 * which reports what it throws rather than throwing out of the server's socket listener.
 */
function revive(key: string, source: Source, report: (failure: string) => void) {
  let fn: (...args: unknown[]) => unknown
  try {
    fn = new Function(`return ({ ${key}: ${source} }).${key}`)()
  } catch {
    try {
      fn = new Function(`return ({ ${source} }).${key}`)()
    } catch (error) {
      throw new Error(`ServerOptions.${key} could not be sent to Node as source: ${error}`)
    }
  }
  return (...args: unknown[]) => {
    try {
      return fn(...args)
    } catch (error) {
      // A ReferenceError most likely: the function used a variable of the page.
      report(`ServerOptions.${key} threw in Node (it may use no outer variable): ${error}`)
      return undefined
    }
  }
}

type Hosted =
  | { kind: 'server'; server: RecordingServer }
  | { kind: 'reliable'; server: ReliableServer }

/** Serves one page: the servers it started live as long as its control socket. */
function serve(page: WebSocket) {
  const hosted = new Map<number, Hosted>()
  let nextServer = 1
  const push = (message: Push) => {
    if (page.readyState === page.OPEN) page.send(JSON.stringify(message))
  }
  const pushState = (id: number, entry: Hosted) => {
    if (entry.kind === 'server') {
      const s = entry.server
      push({
        server: id,
        state: {
          sockets: s.sockets.length,
          paths: s.paths,
          protocols: s.protocols,
          open: s.open,
          pings: s.pings,
          received: s.received,
        },
      })
    } else {
      push({
        server: id,
        reliable: { stats: entry.server.stats, clients: [...entry.server.clients.keys()] },
      })
    }
  }
  const entry = (id: number) => {
    const found = hosted.get(id)
    if (!found) throw new Error(`no server ${id} on this control channel`)
    return found
  }

  const handle = async (request: Request): Promise<unknown> => {
    switch (request.op) {
      case 'start': {
        const options: Record<string, unknown> = {}
        for (const [key, source] of Object.entries(request.options)) {
          if (source !== undefined) {
            options[key] = revive(key, source, (failure) => push({ failure }))
          }
        }
        const server = await environment.startServer(options as ServerOptions)
        const id = nextServer++
        const hostedServer: Hosted = { kind: 'server', server }
        hosted.set(id, hostedServer)
        server.onChange(() => pushState(id, hostedServer))
        return { server: id, url: server.url('') }
      }
      case 'start-reliable': {
        const { server, url } = await environment.startReliableServer(request.port)
        const id = nextServer++
        const hostedServer: Hosted = { kind: 'reliable', server }
        hosted.set(id, hostedServer)
        server.on('connection', (client) => {
          const { key } = client
          push({ server: id, connection: key })
          for (const type of RELIABLE_CLIENT_EVENTS) {
            client.on(type, (data) => {
              pushState(id, hostedServer)
              push({ server: id, client: key, type, data })
            })
          }
          pushState(id, hostedServer)
        })
        const state: ReliableState = { stats: server.stats, clients: [] }
        return { server: id, url, port: server.address()?.port, state }
      }
      case 'stop': {
        // A scenario may close a server that is closed again after it.
        const found = hosted.get(request.server)
        if (!found) return null
        hosted.delete(request.server)
        if (found.kind === 'server') await found.server.close()
        else
          await found.server.close(
            request.timeout === undefined ? {} : { timeout: request.timeout },
          )
        return null
      }
      case 'sync':
        for (const [id, found] of hosted) pushState(id, found)
        return null
      case 'send': {
        const found = entry(request.server)
        if (found.kind !== 'server') throw new Error('send: not a test server')
        found.server.send(request.data)
        return null
      }
      case 'socket': {
        const found = entry(request.server)
        if (found.kind !== 'server') throw new Error('socket: not a test server')
        const socket = found.server.sockets[request.socket]
        if (!socket) throw new Error(`no socket ${request.socket} on server ${request.server}`)
        ;(socket[request.call] as (...args: unknown[]) => void)(...request.args)
        return null
      }
      case 'broadcast': {
        const found = entry(request.server)
        if (found.kind !== 'reliable') throw new Error('broadcast: not a reliable server')
        return found.server.broadcast(request.type, request.data)
      }
      case 'terminate-client': {
        const found = entry(request.server)
        if (found.kind !== 'reliable') throw new Error('terminate-client: not a reliable server')
        found.server.clients.get(request.client)?.terminate()
        return null
      }
    }
  }

  // Requests are handled one after another, in the order the page sent them.
  let queue = Promise.resolve()
  page.on('message', (data) => {
    let request: Request
    try {
      request = JSON.parse(String(data)) as Request
    } catch {
      return page.close(1003, 'not JSON')
    }
    queue = queue.then(() =>
      handle(request).then(
        (result) => push({ reply: request.id, result }),
        (error: unknown) =>
          push({
            reply: request.id,
            error: error instanceof Error ? error.message : String(error),
          }),
      ),
    )
  })
  page.on('error', () => {})
  page.on('close', () => {
    const left = [...hosted.values()]
    hosted.clear()
    void Promise.all(
      left.map((h) => (h.kind === 'server' ? h.server.close() : h.server.close({ timeout: 500 }))),
    )
  })
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The control channel's `ws://` url. */
    bindingsControl: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The bindings-browser tests need Debian's chromium at ${CHROMIUM}, which is missing. Install it with \`apt-get install chromium\` (no test tool downloads a browser).`,
    )
  }
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve)
    wss.once('error', reject)
  })
  wss.on('error', () => {})
  wss.on('connection', serve)
  const { port } = wss.address() as { port: number }
  project.provide('bindingsControl', `ws://127.0.0.1:${port}`)
  return async () => {
    for (const client of wss.clients) client.terminate()
    await new Promise((resolve) => wss.close(resolve))
  }
}
