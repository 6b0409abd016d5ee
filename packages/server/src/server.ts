import { randomUUID } from 'node:crypto'
import type { Server as HttpServer, IncomingMessage } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import type { DefaultEvents, EventMap, InData, InType, RequestType } from '@tethered/protocol'
import { type WebSocket, WebSocketServer } from 'ws'
import { type MaybePromise, type StateAdapter, whenSettled } from './adapter'
import { broadcast } from './broadcast'
import type { Client, ClientCloseInfo } from './client'
import { assertCloseArgs } from './close-args'
import { ClientConnection, type ClientHost } from './connection'
import { DEFAULTS } from './defaults'
import { type SocketServerError, usageError } from './errors'
import { startSweeps } from './heartbeat'
import { listen } from './listen'
import { OpenConnections } from './open-connections'
import { resolveOptions } from './options'
import type { ResolvedOptions, SocketServerOptions } from './options-types'
import { TokenBucket } from './rate-limit'
import { type HandshakeHost, onHello } from './reliable/handshake'
import { type AnyRequestHandler, RequestHandlers } from './requests'
import { assertRoomName } from './rooms'
import { ServerEventHub } from './server-events'
import type {
  BroadcastArgs,
  CloseOptions,
  CloseResult,
  IdentityTarget,
  RequestHandler,
  RoomTarget,
  ServerEvents,
  SocketServer,
} from './server-types'
import { createStats, type ServerStats, snapshotStats } from './stats'
import type { IdentityLike } from './types'
import { createUpgradeHandler, type UpgradeHandler } from './upgrade'

const SERVER_CLOSE = {
  reason: 'server.close()',
  fix: 'Leave it out for 1001 (going away), which clients retry.',
  reasonFix: 'Shorten it.',
}

type Conn<E extends EventMap, Id extends IdentityLike> = ClientConnection<E, Id>

class SocketServerImpl<E extends EventMap, Id extends IdentityLike> implements SocketServer<E, Id> {
  readonly ready: Promise<void>
  private readonly options: ResolvedOptions<Id>
  private readonly httpServer: HttpServer | HttpsServer | undefined
  private readonly wss: WebSocketServer
  private readonly events = new ServerEventHub<E, Id>()
  private readonly counters = createStats()
  /** The registry, rooms and sessions: what several instances would share. */
  private readonly adapter: StateAdapter<Conn<E, Id>>
  private readonly connections = new OpenConnections<Conn<E, Id>>(this.counters)
  private readonly handlers: RequestHandlers
  private readonly upgrade: UpgradeHandler
  private readonly clientHost: ClientHost<E, Id>
  private readonly handshakeHost: HandshakeHost<E, Id>
  private stopSweeps: () => void = () => {}
  private closing: Promise<CloseResult> | undefined

  constructor(options: SocketServerOptions<Id>) {
    const resolved = resolveOptions(options)
    this.options = resolved
    // The adapter holds whatever members it is given: this server's connections.
    this.adapter = resolved.adapter as unknown as StateAdapter<Conn<E, Id>>
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      // Connections answer pings themselves (rate limit, backpressure).
      autoPong: false,
      maxPayload: resolved.maxPayload,
      handleProtocols: (protocols, req) => resolved.handleProtocols(protocols, req),
    })
    const isClosing = () => this.closing !== undefined
    const report = (error: SocketServerError) => this.events.report(error)
    this.handlers = new RequestHandlers({
      exposeErrors: resolved.exposeErrors,
      maxPendingRequests: resolved.maxPendingRequests,
      report,
      countError: () => {
        this.counters.requestErrors++
      },
    })
    const settle = (result: MaybePromise<void>) =>
      whenSettled(result, noop, (error) => this.events.storeFailed(error))
    this.clientHost = {
      options: resolved,
      stats: this.counters,
      adapter: this.adapter,
      request: (client, type, id, data) => {
        void this.handlers.run(client, type, id, data)
      },
      hello: (client, text) => onHello(this.handshakeHost, client, text),
      detached: (client) => this.onDetached(client),
      closed: (client, info) => this.onClosed(client, info),
      isClosing,
      report,
      settle,
      now: () => performance.now(),
    }
    this.handshakeHost = {
      options: resolved,
      stats: this.counters,
      adapter: this.adapter,
      isClosing,
      register: (client) => this.register(client),
      moved: (owner, from) => {
        this.connections.transfer(from, owner)
        settle(this.adapter.back(owner))
      },
      refused: (info) => this.events.refused(info),
      report: (error) => this.events.storeFailed(error),
    }
    this.adapter.attach({
      replaced: (member) => {
        // Out of every room now, so it gets no more broadcasts while its close completes.
        member.leaveAll()
        member.end(4409, 'replaced by a newer connection')
      },
      end: (member, code, reason) => {
        member.leaveAll()
        member.end(code, reason)
      },
      deliver: (member, text) => member.deliver(text),
      report: (error) => this.events.storeFailed(error),
    })
    this.upgrade = createUpgradeHandler<Id>({
      options: resolved,
      isClosing,
      openCount: () => this.connections.size,
      // A reliable session whose client is away is no duplicate: it may be that very client
      // coming back (and a new session with the same identity replaces it).
      isConnected: (key) => this.adapter.isConnected(key),
      complete: (req, socket, head, identity, key) =>
        this.complete(req, socket, head, identity, key),
      refused: (info) => {
        this.counters.refused[info.reason]++
        this.events.refused(info)
      },
      report,
    })

    if (resolved.mode === 'listen') {
      const { server, ready } = listen(
        { port: resolved.port, host: resolved.host, headersTimeout: resolved.headersTimeout ?? 0 },
        report,
      )
      this.httpServer = server
      this.ready = ready
      server.on('upgrade', this.upgrade)
      server.listen(resolved.port, resolved.host)
    } else {
      this.httpServer = resolved.server
      this.httpServer?.on('upgrade', this.upgrade)
      this.ready = Promise.resolve()
    }

    if (resolved.heartbeatInterval !== null) {
      this.stopSweeps = startSweeps(
        resolved.heartbeatInterval,
        () => this.connections,
        () => {
          this.counters.terminations++
        },
      )
    }
  }

  get clients(): ReadonlyMap<string, Client<E, Id>> {
    return this.adapter.clients
  }

  get stats(): ServerStats {
    return snapshotStats(this.counters)
  }

  address(): AddressInfo | null {
    const address = this.httpServer?.address()
    return typeof address === 'object' && address !== null ? address : null
  }

  on<K extends keyof ServerEvents<E, Id>>(
    event: K,
    listener: (...args: ServerEvents<E, Id>[K]) => void,
  ): () => void {
    return this.events.on(event, listener)
  }

  handle<K extends RequestType<E>>(type: K, handler: RequestHandler<E, Id, K>): () => void {
    return this.handlers.add(type, handler as AnyRequestHandler)
  }

  broadcast<K extends InType<E>>(type: K, ...args: BroadcastArgs<InData<E, K>, E, Id>): number {
    const [data, options] = args
    const { keys, reliable } = this.options
    return broadcast(this.adapter, keys, reliable !== null, type, data, options)
  }

  to(room: string): RoomTarget<E, Id> {
    assertRoomName('server.to()', room)
    const server = this
    return {
      name: room,
      get size() {
        return server.adapter.members(room).size
      },
      get clients() {
        return server.adapter.members(room)
      },
      emit(type, ...args) {
        const [data, options] = args
        return server.broadcast(
          type,
          ...([data, { ...options, room }] as BroadcastArgs<InData<E, typeof type>, E, Id>),
        )
      },
    }
  }

  identity(key: string): IdentityTarget<E> {
    if (typeof key !== 'string' || key.length === 0) {
      throw usageError(
        'server.identity()',
        `the key must be a non-empty string, got ${JSON.stringify(key) ?? String(key)}`,
        'Pass a `client.key` (what `identityKey` returns for an identity).',
      )
    }
    const { adapter, options } = this
    return {
      key,
      emit: (type, ...args) =>
        broadcast(adapter, options.keys, options.reliable !== null, type, args[0], undefined, key),
      locate: async () => adapter.locate(key),
    }
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.upgrade(req, socket, head)
  }

  close(options: CloseOptions = {}): Promise<CloseResult> {
    if (this.closing) return this.closing
    const code = options.code ?? DEFAULTS.closeCode
    const reason = options.reason ?? DEFAULTS.closeReason
    const timeout = options.timeout ?? this.options.closeTimeout
    assertCloseArgs(code, reason, {
      ...SERVER_CLOSE,
      code: `server.close({ code: ${String(code)} })`,
    })
    if (!(typeof timeout === 'number' && timeout >= 0 && Number.isFinite(timeout))) {
      throw usageError(
        'server.close()',
        `the timeout must be a number of milliseconds, got ${String(timeout)}`,
        'Pass e.g. `{ timeout: 5000 }`.',
      )
    }
    this.closing = this.shutdown(code, reason, timeout)
    return this.closing
  }

  private async shutdown(code: number, reason: string, timeout: number): Promise<CloseResult> {
    this.stopSweeps()
    const listening = this.options.mode === 'listen' ? this.httpServer : undefined
    const serverClosed = listening
      ? new Promise<void>((resolve) => {
          listening.close(() => resolve())
        })
      : Promise.resolve()
    const clients = this.connections.size
    // Sessions kept here end with the server, and a client that comes back to the next one
    // is told it was not resumed.
    for (const client of this.adapter.localSessions()) {
      if (!client.isOpen && !this.connections.has(client)) client.end(code, reason)
    }
    for (const client of this.connections) client.end(code, reason)
    const deadline = performance.now() + timeout
    await this.connections.drain(timeout)

    let terminated = 0
    if (this.connections.size > 0) {
      for (const client of this.connections) {
        client.terminate()
        terminated++
        this.counters.terminations++
      }
      // `terminate` destroys the socket; its close event follows within a tick or two.
      await this.connections.drain(1_000)
    }
    // Handshakes still in `authenticate` are answered 503 when it returns; wait for that
    // within the same deadline, then cut the rest.
    await bounded(this.upgrade.idle(), Math.max(0, deadline - performance.now()))
    for (const socket of this.upgrade.pending) socket.destroy()
    if (listening && 'closeAllConnections' in listening) listening.closeAllConnections()
    await serverClosed
    if (!listening) this.httpServer?.off('upgrade', this.upgrade)
    this.wss.close()
    try {
      await this.adapter.close()
    } catch (error) {
      this.events.storeFailed(error)
    }
    return { clients, terminated }
  }

  private complete(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    identity: Id | undefined,
    key: string | undefined,
  ): boolean {
    let accepted = false
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      accepted = true
      this.accept(ws, req, identity, key)
    })
    return accepted
  }

  private accept(
    socket: WebSocket,
    req: IncomingMessage,
    identity: Id | undefined,
    key: string | undefined,
  ): void {
    const id = randomUUID()
    const limit = this.options.rateLimit
    const client = new ClientConnection<E, Id>({
      host: this.clientHost,
      socket,
      id,
      // Without `authenticate` every connection is its own identity.
      identity: identity ?? (id as Id),
      key: key ?? id,
      authenticated: identity !== undefined,
      url: req.url ?? '',
      remoteAddress: req.socket.remoteAddress,
      limiter: limit ? new TokenBucket(limit, performance.now()) : undefined,
    })
    this.connections.add(client)
    // With reliable delivery nothing happens before the hello: it says whether this socket
    // starts a session or resumes one.
    if (!this.options.reliable) this.register(client)
  }

  /** The client is connected for handlers, the registry and rooms. */
  private register(client: Conn<E, Id>): void {
    whenSettled(
      this.adapter.register(client),
      () => {
        client.announced = true
        this.events.connection(client)
      },
      (error) => this.events.storeFailed(error),
    )
  }

  private onDetached(client: Conn<E, Id>): void {
    this.clientHost.settle(this.adapter.away(client))
    this.connections.delete(client)
  }

  private onClosed(client: Conn<E, Id>, info: ClientCloseInfo): void {
    this.connections.delete(client)
    const session = client.session
    if (session) this.clientHost.settle(this.adapter.removeSession(session.id, client))
    if (client.announced) {
      this.clientHost.settle(this.adapter.unregister(client))
      this.events.disconnect(client, info)
    }
  }
}

function noop(): void {}

function bounded(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([
    promise,
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]).finally(() => clearTimeout(timer))
}

/**
 * Creates a Tethered WebSocket server, attached to an `http.Server` (`{ server }`),
 * listening on its own (`{ port, host }`), or fed upgrades by you (`{ noServer: true }`).
 * `Events` is the same event map the client's `useSocket<Events>()` takes.
 */
export function createSocketServer<
  E extends EventMap = DefaultEvents,
  Id extends IdentityLike = string,
>(options: SocketServerOptions<Id>): SocketServer<E, Id> {
  return new SocketServerImpl<E, Id>(options)
}
