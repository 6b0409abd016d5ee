// Where the behaviour suite runs, and what it runs against. This one is jsdom in Node: `ws`
// as the WebSocket, the servers in the same process. The bindings-browser project swaps it
// for ./environment.browser.ts (Chromium's own WebSocket, the servers in Node behind a
// control channel), so scenarios.ts stays the one place the scenarios are written.
import type { WebSocketConstructor } from '@tethered/core'
import { createSocketServer, type ServerStats } from '@tethered/server'
import { WebSocket } from 'ws'
import { type RecordingServer, type ServerOptions, startServer } from '../support/recording-server'

/** The events of the reliable-delivery scenarios. */
export type ReliableEvents = { in: { news: number }; out: { say: number } }

/** Client events a browser run forwards from Node to the page (the `out` of ReliableEvents). */
export const RELIABLE_CLIENT_EVENTS = ['say'] as const

/** A connected client of a ReliableServer. */
export interface ReliableClient {
  readonly key: string
  on(type: 'say', listener: (n: number) => void): () => void
  terminate(): void
}

/** What the scenarios use of a `@tethered/server` with reliable delivery. */
export interface ReliableServer {
  on(event: 'connection', listener: (client: ReliableClient) => void): () => void
  broadcast(type: 'news', data: number): unknown
  readonly clients: ReadonlyMap<string, ReliableClient>
  readonly stats: ServerStats
  address(): { port: number } | null
  close(options?: { timeout?: number }): Promise<unknown>
}

export interface Environment {
  name: string
  /** The WebSocket the connections use. */
  WebSocket: WebSocketConstructor
  /** A recording `ws` server on 127.0.0.1, port 0. */
  startServer(options?: ServerOptions): Promise<RecordingServer>
  /** A @tethered/server with reliable delivery on 127.0.0.1 (port 0, or the one given). */
  startReliableServer(port: number): Promise<{ server: ReliableServer; url: string }>
  /**
   * Resolves once the servers' state, as the scenarios read it, includes everything the page
   * has seen so far (in a browser run that state is a copy, updated over the control channel).
   */
  settle(): Promise<void>
}

export const environment: Environment = {
  name: 'jsdom',
  WebSocket,
  startServer,
  async startReliableServer(port) {
    const server = createSocketServer<ReliableEvents>({
      port,
      host: '127.0.0.1',
      delivery: 'reliable',
    })
    await server.ready
    return { server, url: `ws://127.0.0.1:${server.address()?.port}/` }
  },
  settle: () => Promise.resolve(),
}
