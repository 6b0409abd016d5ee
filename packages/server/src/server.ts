import { randomUUID } from 'node:crypto'
import { createServer, type Server as HttpServer, type IncomingMessage } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { CloseCode } from '@tethered/core/protocol'
import { type WebSocket, WebSocketServer } from 'ws'
import { type Client, type ClientCloseInfo, ClientConnection, type ClientHost } from './client'
import { Emitter } from './emitter'
import { encode } from './envelope'
import { SocketServerError, usageError } from './errors'
import { startSweeps } from './heartbeat'
import { type ResolvedOptions, resolveOptions, type SocketServerOptions } from './options'
import { TokenBucket } from './rate-limit'
import { parseHello, type ReliableConfig, Session } from './reliable'
import { type AnyRequestHandler, RequestHandlers } from './requests'
import { assertRoomName, Rooms } from './rooms'
import { createStats, type ServerStats, snapshotStats } from './stats'
import type {
  DefaultEvents,
  EmitData,
  EmitType,
  EventMap,
  IdentityLike,
  RefusalInfo,
  RequestData,
  RequestReply,
  RequestType,
} from './types'
import { createUpgradeHandler, type UpgradeHandler } from './upgrade'

/** Server lifecycle events. */
export interface ServerEvents<E extends EventMap, Id extends IdentityLike> {
  /**
   * A client finished the handshake; register its `on()` listeners here. With reliable
   * delivery: a new session started (a resumed one keeps its client, listeners and rooms).
   */
  connection: [client: Client<E, Id>]
  /**
   * A client is gone (its rooms are already left). With reliable delivery: its session
   * ended (`client.close()`, replaced, shutdown, or `maxAge` after its socket went).
   */
  disconnect: [client: Client<E, Id>, info: ClientCloseInfo]
  /** Bad input from a client, a throwing handler or listener, a socket error. The server carries on. */
  error: [error: SocketServerError]
  /** An upgrade was answered with an HTTP error status (or, a duplicate at a reliable hello, closed with 4410). */
  refused: [info: RefusalInfo]
}

/** Who a broadcast skips: clients, or identity keys (`client.key`). */
export type Except<E extends EventMap, Id extends IdentityLike> =
  | Client<E, Id>
  | string
  | ReadonlyArray<Client<E, Id> | string>

export interface BroadcastOptions<
  E extends EventMap = DefaultEvents,
  Id extends IdentityLike = string,
> {
  /** Only the members of this room. @default every client */
  room?: string | undefined
  except?: Except<E, Id> | undefined
}

type OptionalWhenUndefined<P, Rest extends unknown[]> = undefined extends P
  ? [data?: P, ...Rest]
  : [data: P, ...Rest]

export type BroadcastArgs<P, E extends EventMap, Id extends IdentityLike> = OptionalWhenUndefined<
  P,
  [options?: BroadcastOptions<E, Id>]
>

/** A room as a broadcast target. */
export interface RoomTarget<E extends EventMap, Id extends IdentityLike> {
  readonly name: string
  readonly size: number
  readonly clients: ReadonlySet<Client<E, Id>>
  /** Sends to every member; returns how many it was written to. */
  emit<K extends EmitType<E>>(
    type: K,
    ...args: OptionalWhenUndefined<
      EmitData<E, K>,
      [options?: { except?: Except<E, Id> | undefined }]
    >
  ): number
}

export interface CloseOptions {
  /** @default 1001 (going away: clients reconnect, to another instance if there is one) */
  code?: number | undefined
  /** @default 'server shutting down' */
  reason?: string | undefined
  /** Wait for closing handshakes this long, then terminate. @default the `closeTimeout` option */
  timeout?: number | undefined
}

export interface CloseResult {
  /** Clients connected when `close()` was called. */
  clients: number
  /** Of those, the ones that had to be terminated after the timeout. */
  terminated: number
}

export type RequestHandler<
  E extends EventMap,
  Id extends IdentityLike,
  K extends RequestType<E>,
> = (
  data: RequestData<E, K>,
  client: Client<E, Id>,
) => RequestReply<E, K> | Promise<RequestReply<E, K>>

export interface SocketServer<
  E extends EventMap = DefaultEvents,
  Id extends IdentityLike = string,
> {
  /** Resolves once listening (with `port`); at once when attached. Rejects if `listen` fails. */
  readonly ready: Promise<void>
  /** The address listened on (with `port`, after `ready`), or the attached server's. */
  address(): AddressInfo | null
  /** Connected clients by identity key. */
  readonly clients: ReadonlyMap<string, Client<E, Id>>
  /** A copy of the counters. */
  readonly stats: ServerStats
  on<K extends keyof ServerEvents<E, Id>>(
    event: K,
    listener: (...args: ServerEvents<E, Id>[K]) => void,
  ): () => void
  /** Answers requests of `type`; what the handler returns (or throws) is the reply. */
  handle<K extends RequestType<E>>(type: K, handler: RequestHandler<E, Id, K>): () => void
  /** Sends to every client (or a room's members), serialized once; returns how many it was written to. */
  broadcast<K extends EmitType<E>>(type: K, ...args: BroadcastArgs<EmitData<E, K>, E, Id>): number
  to(room: string): RoomTarget<E, Id>
  /** Runs the upgrade pipeline on a request you routed here yourself (needed with `noServer`). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Stops accepting, closes every client with 1001, resolves when all are gone (terminating stragglers after the timeout). */
  close(options?: CloseOptions): Promise<CloseResult>
}

const INTERNAL_CODES = new Set([
  'HANDLER_ERROR',
  'LISTENER_ERROR',
  'UPGRADE_ERROR',
  'SERIALIZE_ERROR',
  'LISTEN_ERROR',
])

class SocketServerImpl<E extends EventMap, Id extends IdentityLike> implements SocketServer<E, Id> {
  readonly ready: Promise<void>
  private readonly options: ResolvedOptions<Id>
  private readonly httpServer: HttpServer | HttpsServer | undefined
  private readonly wss: WebSocketServer
  private readonly emitter = new Emitter<ServerEvents<E, Id>>()
  private readonly counters = createStats()
  private readonly registry = new Map<string, ClientConnection<E, Id>>()
  /** Every socket not yet closed, replaced ones included: `close()` waits for all of them. */
  private readonly connections = new Set<ClientConnection<E, Id>>()
  /** Reliable delivery: live sessions by the id their client resumes with. */
  private readonly sessions = new Map<string, ClientConnection<E, Id>>()
  /** The sessions whose client is away, longest away first: the first to go past `maxSessions`. */
  private readonly away = new Set<ClientConnection<E, Id>>()
  private readonly roomIndex = new Rooms<ClientConnection<E, Id>>()
  private readonly handlers: RequestHandlers
  private readonly upgrade: UpgradeHandler
  private readonly clientHost: ClientHost<E, Id>
  private stopSweeps: () => void = () => {}
  private closing: Promise<CloseResult> | undefined
  private drained: (() => void) | undefined

  constructor(options: SocketServerOptions<Id>) {
    const resolved = resolveOptions(options)
    this.options = resolved
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: resolved.maxPayload,
      handleProtocols: (protocols, req) => resolved.handleProtocols(protocols, req),
    })
    this.handlers = new RequestHandlers({
      exposeErrors: resolved.exposeErrors,
      report: (error) => this.report(error),
      countError: () => {
        this.counters.requestErrors++
      },
    })
    this.clientHost = {
      options: resolved,
      stats: this.counters,
      rooms: this.roomIndex,
      request: (client, type, id, data) => {
        void this.handlers.run(client, type, id, data)
      },
      hello: (client, text) => this.onHello(client, text),
      detached: (client) => this.onDetached(client),
      closed: (client, info) => this.onClosed(client, info),
      isClosing: () => this.closing !== undefined,
      report: (error) => this.report(error),
      now: () => performance.now(),
    }
    this.upgrade = createUpgradeHandler<Id>({
      options: resolved,
      isClosing: () => this.closing !== undefined,
      openCount: () => this.connections.size,
      // A reliable session whose client is away is no duplicate: it may be that very client
      // coming back (and a new session with the same identity replaces it).
      isConnected: (key) => {
        const client = this.registry.get(key)
        return client !== undefined && (client.session === undefined || client.isOpen)
      },
      complete: (req, socket, head, identity, key) =>
        this.complete(req, socket, head, identity, key),
      refused: (info) => {
        this.counters.refused[info.reason]++
        this.emitter.emit('refused', [info], (error) => this.listenerThrew('refused', error))
      },
      report: (error) => this.report(error),
    })

    if (resolved.mode === 'listen') {
      const timeout = resolved.headersTimeout as number
      const server = createServer(
        {
          headersTimeout: timeout,
          requestTimeout: timeout,
          // Node checks these timeouts only this often (30 s by default).
          connectionsCheckingInterval: Math.min(1_000, timeout),
        },
        (_req, res) => {
          const body = 'Upgrade Required: this is a WebSocket endpoint'
          res.writeHead(426, {
            'Content-Type': 'text/plain; charset=utf-8',
            'Content-Length': Buffer.byteLength(body),
            Upgrade: 'websocket',
          })
          res.end(body)
        },
      )
      this.httpServer = server
      this.ready = new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => {
          server.off('listening', onListening)
          this.report(
            new SocketServerError(
              'LISTEN_ERROR',
              `cannot listen on ${resolved.host ?? '*'}:${String(resolved.port)}: ${error.message}`,
              { cause: error },
            ),
          )
          reject(error)
        }
        const onListening = () => {
          server.off('error', onError)
          // Accept failures (EMFILE…) surface as 'error' on the server: unheard, they would
          // crash the process.
          server.on('error', (error) =>
            this.report(
              new SocketServerError('LISTEN_ERROR', `listening socket error: ${error.message}`, {
                cause: error,
              }),
            ),
          )
          resolve()
        }
        server.once('error', onError)
        server.once('listening', onListening)
      })
      // Callers that never await `ready` still hear of a failed listen through 'error'.
      this.ready.catch(() => {})
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
    return this.registry
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
    if (!['connection', 'disconnect', 'error', 'refused'].includes(event)) {
      throw usageError(
        `server.on('${String(event)}')`,
        'unknown server event',
        "Server events are 'connection', 'disconnect', 'error' and 'refused'; listen to a client's messages with client.on(type) inside 'connection'.",
      )
    }
    if (typeof listener !== 'function') {
      throw usageError(
        `server.on('${event}')`,
        'the listener must be a function',
        'Pass a function.',
      )
    }
    return this.emitter.on(event, listener)
  }

  handle<K extends RequestType<E>>(type: K, handler: RequestHandler<E, Id, K>): () => void {
    return this.handlers.add(type, handler as AnyRequestHandler)
  }

  broadcast<K extends EmitType<E>>(type: K, ...args: BroadcastArgs<EmitData<E, K>, E, Id>): number {
    const [data, options] = args
    if (typeof type !== 'string' || type.length === 0) {
      throw usageError(
        'server.broadcast()',
        `the type must be a non-empty string, got ${JSON.stringify(type) ?? String(type)}`,
        'Pass the event name first, then its data.',
      )
    }
    let targets: Iterable<ClientConnection<E, Id>> = this.registry.values()
    if (options?.room !== undefined) {
      assertRoomName('server.broadcast()', options.room)
      targets = this.roomIndex.members(options.room)
    }
    const skip = options?.except === undefined ? null : this.resolveExcept(options.except)
    // Serialized once, whatever the number of clients. Plain: encoded once too, the same
    // Buffer written to every socket. Reliable: each socket gets its own `m:<seq>:` prefix in
    // front of the same text (which `ws` writes into the socket without a Buffer of its
    // own), and every session keeps that one string for replay.
    const text = encode(this.options.keys, type, data)
    const reliable = this.options.reliable !== null
    const payload = reliable ? text : Buffer.from(text)
    const now = reliable ? performance.now() : undefined
    const bytes = reliable ? Buffer.byteLength(text) : undefined
    let written = 0
    for (const client of targets) {
      if (skip?.has(client)) continue
      if (client.deliver(payload, now, bytes)) written++
    }
    return written
  }

  to(room: string): RoomTarget<E, Id> {
    assertRoomName('server.to()', room)
    const server = this
    return {
      name: room,
      get size() {
        return server.roomIndex.members(room).size
      },
      get clients() {
        return server.roomIndex.members(room)
      },
      emit(type, ...args) {
        const [data, options] = args
        return server.broadcast(
          type,
          ...([data, { ...options, room }] as BroadcastArgs<EmitData<E, typeof type>, E, Id>),
        )
      },
    }
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.upgrade(req, socket, head)
  }

  close(options: CloseOptions = {}): Promise<CloseResult> {
    if (this.closing) return this.closing
    const code = options.code ?? 1001
    const reason = options.reason ?? 'server shutting down'
    const timeout = options.timeout ?? this.options.closeTimeout
    if (
      !(
        Number.isInteger(code) &&
        ((code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
          (code >= 3000 && code <= 4999))
      )
    ) {
      throw usageError(
        `server.close({ code: ${String(code)} })`,
        'the code is not one a server may send',
        'Leave it out for 1001 (going away), which clients retry.',
      )
    }
    if (typeof reason !== 'string' || Buffer.byteLength(reason) > 123) {
      throw usageError(
        'server.close()',
        'the reason must be a string of at most 123 bytes',
        'Shorten it.',
      )
    }
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
    // Sessions are kept in memory: they end with the server, and a client that comes back to
    // the next one is told it was not resumed.
    for (const client of this.sessions.values()) {
      if (!client.isOpen && !this.connections.has(client)) client.end(code, reason)
    }
    for (const client of this.connections) client.end(code, reason)
    const deadline = performance.now() + timeout
    await this.waitForDrain(timeout)

    let terminated = 0
    if (this.connections.size > 0) {
      for (const client of this.connections) {
        client.terminate()
        terminated++
        this.counters.terminations++
      }
      // `terminate` destroys the socket; its close event follows within a tick or two.
      await this.waitForDrain(1_000)
    }
    // Handshakes still in `authenticate` are answered 503 when it returns; wait for that
    // within the same deadline, then cut the rest.
    await bounded(this.upgrade.idle(), Math.max(0, deadline - performance.now()))
    for (const socket of this.upgrade.pending) socket.destroy()
    if (listening && 'closeAllConnections' in listening) listening.closeAllConnections()
    await serverClosed
    if (!listening) this.httpServer?.off('upgrade', this.upgrade)
    this.wss.close()
    return { clients, terminated }
  }

  private waitForDrain(ms: number): Promise<void> {
    if (this.connections.size === 0) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const timer = setTimeout(finish, ms)
      function finish() {
        clearTimeout(timer)
        resolve()
      }
      this.drained = finish
    })
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
    this.counters.connections++
    this.counters.connectionsTotal++
    // With reliable delivery nothing happens before the hello: it says whether this socket
    // starts a session or resumes one.
    if (!this.options.reliable) this.register(client)
  }

  /** The client is connected for handlers, the registry and rooms. */
  private register(client: ClientConnection<E, Id>): void {
    const previous = this.registry.get(client.key)
    if (previous) {
      // Out of every room now, so it gets no more broadcasts while its close completes.
      previous.leaveAll()
      previous.end(4409, 'replaced by a newer connection')
    }
    this.registry.set(client.key, client)
    client.announced = true
    this.emitter.emit('connection', [client], (error) =>
      this.listenerThrew('connection', error, client.id),
    )
  }

  /**
   * A reliable socket's first frame. A session the client presents is resumed when it is
   * alive, belongs to the same identity and still holds every message after the client's
   * `ack`; otherwise the client gets a new session and is told it was not resumed.
   */
  private onHello(client: ClientConnection<E, Id>, text: string): void {
    const config = this.options.reliable as ReliableConfig
    if (this.closing !== undefined || !client.isOpen) return
    const hello = parseHello(text)
    if (typeof hello === 'string') {
      client.socket.close(1002, hello)
      return
    }
    if (this.refuseDuplicate(client, hello.session)) return
    const stats = this.counters.sessions
    let ack = 0
    if (hello.session !== null) {
      const found = this.sessions.get(hello.session)
      // Knowing a session id is not enough to take over another identity's session.
      const owner = found && (!client.authenticated || found.key === client.key) ? found : undefined
      const session = owner?.session
      if (owner && session?.canResume(hello.ack, performance.now())) {
        this.resume(owner, session, client, hello.ack)
        return
      }
      stats.notResumed++
      if (owner && session) {
        // Messages the client missed are gone, so the session is. What the server got of
        // it stays acknowledged: the client drops that and numbers the rest anew.
        ack = session.inSeq
        owner.leaveAll()
        owner.end(4409, 'replaced by a newer session')
      }
    }
    // Whoever loops connect, hello, drop makes a session each time: memory stays bounded by
    // ending the longest-detached ones. A connected one is never ended for room (a client
    // would lose its session for doing nothing wrong); `maxConnections` bounds those.
    for (const oldest of this.away) {
      if (this.sessions.size < this.options.maxSessions) break
      oldest.evict()
    }
    client.startSession(new Session(randomUUID(), config, stats))
    this.sessions.set((client.session as Session).id, client)
    client.welcome(false, ack)
    this.register(client)
  }

  /**
   * `duplicate: 'reject'` under reliable delivery: the upgrade check cannot see a socket of
   * the same identity whose hello has not come yet, so the policy holds here too. A client
   * presenting the connected session is that client coming back, not a duplicate.
   */
  private refuseDuplicate(client: ClientConnection<E, Id>, session: string | null): boolean {
    if (this.options.duplicate !== 'reject' || !client.authenticated) return false
    const existing = this.registry.get(client.key)
    if (!existing?.isOpen || (session !== null && existing.session?.id === session)) return false
    const message = 'already connected with this identity'
    client.socket.close(CloseCode.DUPLICATE, message)
    this.counters.refused.duplicate++
    this.emitter.emit(
      'refused',
      [
        {
          reason: 'duplicate',
          status: 409,
          closeCode: CloseCode.DUPLICATE,
          message,
          url: client.url,
          remoteAddress: client.remoteAddress,
        },
      ],
      (error) => this.listenerThrew('refused', error),
    )
    return true
  }

  private resume(
    owner: ClientConnection<E, Id>,
    session: Session,
    from: ClientConnection<E, Id>,
    ack: number,
  ): void {
    // One socket, one entry: the socket that took the hello now belongs to the session.
    this.connections.delete(from)
    if (this.connections.has(owner)) this.counters.connections--
    else this.connections.add(owner)
    this.away.delete(owner)
    owner.adopt(from)
    this.counters.sessions.resumed++
    owner.welcome(true, session.inSeq)
    owner.replay(ack)
  }

  private onDetached(client: ClientConnection<E, Id>): void {
    this.away.add(client)
    if (!this.connections.delete(client)) return
    this.counters.connections--
    if (this.connections.size === 0) this.drained?.()
  }

  private onClosed(client: ClientConnection<E, Id>, info: ClientCloseInfo): void {
    if (this.connections.delete(client)) this.counters.connections--
    const session = client.session
    if (session && this.sessions.get(session.id) === client) this.sessions.delete(session.id)
    this.away.delete(client)
    if (client.announced) {
      if (this.registry.get(client.key) === client) this.registry.delete(client.key)
      this.emitter.emit('disconnect', [client, info], (error) =>
        this.listenerThrew('disconnect', error, client.id),
      )
    }
    if (this.connections.size === 0) this.drained?.()
  }

  private resolveExcept(except: Except<E, Id>): Set<ClientConnection<E, Id>> {
    const list = Array.isArray(except) ? except : [except]
    const skip = new Set<ClientConnection<E, Id>>()
    for (const entry of list as ReadonlyArray<Client<E, Id> | string>) {
      const client = typeof entry === 'string' ? this.registry.get(entry) : entry
      if (client instanceof ClientConnection) skip.add(client)
    }
    return skip
  }

  private listenerThrew(event: string, error: unknown, clientId?: string): void {
    this.report(
      new SocketServerError('LISTENER_ERROR', `a server.on('${event}') listener threw`, {
        clientId,
        cause: error,
      }),
    )
  }

  private report(error: SocketServerError): void {
    if (this.emitter.has('error')) {
      this.emitter.emit('error', [error], (thrown) => {
        console.error('[@tethered/server] an error listener threw:', thrown)
      })
      return
    }
    // Bugs in the application's own code are never silent; bad input from clients is
    // only counted, so a hostile client cannot flood the log.
    if (INTERNAL_CODES.has(error.code)) console.error('[@tethered/server]', error)
  }
}

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
