import {
  type ErrorPayload,
  encodeAck,
  encodeWelcome,
  parseFrame,
  RELIABLE,
} from '@tethered/core/protocol'
import { type RawData, WebSocket } from 'ws'
import { backpressureVerdict } from './backpressure'
import { encode, parseInbound } from './envelope'
import { SocketServerError, usageError } from './errors'
import type { ResolvedOptions } from './options'
import type { TokenBucket } from './rate-limit'
import { byteLength, dataFrame, type Session } from './reliable'
import { assertRoomName, type Rooms } from './rooms'
import type { ServerStats } from './stats'
import type {
  DefaultEvents,
  EmitData,
  EmitType,
  EventMap,
  IdentityLike,
  ListenData,
  ListenType,
  PayloadArgs,
} from './types'

/** How a connection ended. */
export interface ClientCloseInfo {
  code: number
  reason: string
}

/** One connected client, as handlers and `server.clients` see it. */
export interface Client<E extends EventMap = DefaultEvents, Id extends IdentityLike = string> {
  /**
   * Unique per connection (a reconnect gets a new one); with reliable delivery, per session
   * (a resumed reconnect keeps it). Never the secret the client resumes with.
   */
  readonly id: string
  /** What `authenticate` returned; without `authenticate`, the connection `id`. */
  readonly identity: Id
  /** The key of this client in `server.clients`. */
  readonly key: string
  /** The path and query of the upgrade request (the latest one, after a resume). */
  readonly url: string
  readonly remoteAddress: string | undefined
  /** The subprotocol agreed, or ''. */
  readonly protocol: string
  /** Epoch ms. */
  readonly connectedAt: number
  /** Rooms joined, in join order. */
  readonly rooms: ReadonlySet<string>
  /** Bytes written to the socket but not yet sent. */
  readonly bufferedAmount: number
  /** Whether a socket is open now; with reliable delivery, false while the client is away. */
  readonly isOpen: boolean
  /** Messages this client sent us, messages written to it, messages skipped by backpressure. */
  readonly messagesIn: number
  readonly messagesOut: number
  readonly drops: number
  /** The underlying `ws` socket (the latest one, with reliable delivery), for what this API does not cover. */
  readonly socket: WebSocket
  /**
   * Sends an event; `false` when it was not written (closed, or dropped by backpressure).
   * With reliable delivery, `true` also when it was kept for a client that is away.
   */
  emit<K extends EmitType<E>>(type: K, ...args: PayloadArgs<EmitData<E, K>>): boolean
  /** Listens to an event this client sends; returns the function that removes the listener. */
  on<K extends ListenType<E>>(
    type: K,
    listener: (data: ListenData<E, K>, client: Client<E, Id>) => void,
  ): () => void
  join(room: string): void
  leave(room: string): void
  /** Called once when the connection (with reliable delivery, the session) is gone. */
  onClose(listener: (info: ClientCloseInfo, client: Client<E, Id>) => void): () => void
  /**
   * Closing handshake with `code` (1000, 1001, 1008–1014 or 3000–4999) and a reason of at
   * most 123 bytes. With reliable delivery it also ends the session: a reconnect is not resumed.
   */
  close(code?: number, reason?: string): void
  /** Destroys the socket without a closing handshake; a reliable session waits for its client. */
  terminate(): void
}

/** What a connection needs from its server. */
export interface ClientHost<E extends EventMap, Id extends IdentityLike> {
  readonly options: Pick<
    ResolvedOptions<Id>,
    'keys' | 'textHeartbeat' | 'maxBufferedBytes' | 'backpressurePolicy' | 'reliable'
  >
  readonly stats: ServerStats
  readonly rooms: Rooms<ClientConnection<E, Id>>
  request(client: ClientConnection<E, Id>, type: string, id: number, data: unknown): void
  /** The first frame of a socket, with reliable delivery: the hello. */
  hello(client: ClientConnection<E, Id>, text: string): void
  /** A reliable session lost its socket; it waits for its client until `maxAge`. */
  detached(client: ClientConnection<E, Id>): void
  closed(client: ClientConnection<E, Id>, info: ClientCloseInfo): void
  isClosing(): boolean
  report(error: SocketServerError): void
  now(): number
}

type Listener = (data: never, client: never) => void

const OWNER = Symbol('tethered.client')
type OwnedSocket = WebSocket & { [OWNER]: ClientConnection }
const ownerOf = (socket: WebSocket): ClientConnection => (socket as OwnedSocket)[OWNER]

// `ws` calls these with the socket as `this`. With reliable delivery a client outlives its
// sockets: events of a socket it has replaced are ignored.
function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const owner = ownerOf(this)
  if (owner.socket === this) owner.receive(data, isBinary)
}

function onPong(this: WebSocket): void {
  const owner = ownerOf(this)
  if (owner.socket === this) owner.alive = true
}

function onError(this: WebSocket, error: Error & { code?: string }): void {
  const owner = ownerOf(this)
  if (owner.socket === this) owner.socketError(error)
}

function onClose(this: WebSocket, code: number, reason: Buffer): void {
  const owner = ownerOf(this)
  if (owner.socket === this) owner.socketClosed({ code, reason: reason.toString() })
}

const toText = (data: RawData) =>
  (Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(data)
  ).toString('utf8')

const SEND_TEXT = { binary: false } as const

const BAD_REQUEST_ID: ErrorPayload = {
  message: 'request id must be a safe integer',
  code: 'BAD_REQUEST_ID',
}

/** The close codes a server may send: as `ws` allows them, minus the reserved 1004–1006. */
function assertCloseArgs(code: number, reason: string): void {
  const valid =
    (Number.isInteger(code) && code >= 3000 && code <= 4999) ||
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006)
  if (!valid) {
    throw usageError(
      `client.close(${String(code)})`,
      'the code is not one a server may send',
      'Use 1000 (normal), 1001 (going away), 1008 (policy), 1011 (error), 1013 (try later) or 3000–4999 for your own.',
    )
  }
  if (typeof reason !== 'string' || Buffer.byteLength(reason) > 123) {
    throw usageError(
      'client.close()',
      'the reason must be a string of at most 123 bytes of UTF-8',
      'Shorten it; put details in a message before closing.',
    )
  }
}

/**
 * One connection and all the per-client state: liveness, rate, rooms, listeners,
 * counters. `deliver` is the only way data reaches the socket, so policies that apply to
 * every outgoing message (backpressure, sequencing and replay) live there.
 *
 * With reliable delivery one of these is a session: it starts as the socket that sent the
 * hello, and a client that comes back with the session hands it its new socket (`adopt`),
 * so listeners, rooms and the registry entry carry over and what was sent meanwhile is
 * kept for replay.
 */
export class ClientConnection<E extends EventMap = DefaultEvents, Id extends IdentityLike = string>
  implements Client<E, Id>
{
  readonly id: string
  readonly identity: Id
  readonly key: string
  url: string
  remoteAddress: string | undefined
  readonly connectedAt: number
  /** Whether `authenticate` gave the identity: a session is then resumed only by the same identity. */
  readonly authenticated: boolean
  /** Reliable delivery: set once the hello started a session. */
  session: Session | undefined
  /** `connection` was emitted for it, so `disconnect` will be. */
  announced = false
  messagesIn = 0
  messagesOut = 0
  drops = 0
  /** Cleared by a heartbeat sweep, set by any sign of life. */
  alive = true
  // Created on first use: most connections never listen per client, and idle memory counts.
  private listeners: Map<string, Set<Listener>> | undefined
  private closeListeners: Set<(info: ClientCloseInfo, client: Client<E, Id>) => void> | undefined
  private joined: Set<string> | undefined
  private done = false
  private current: WebSocket
  private helloTimer: ReturnType<typeof setTimeout> | undefined
  /** A socket is attached and its close not yet seen (a reliable session may be detached). */
  private attached = true
  private lastClose: ClientCloseInfo = { code: 1006, reason: '' }
  private readonly host: ClientHost<E, Id>
  private readonly limiter: TokenBucket | undefined

  constructor(init: {
    host: ClientHost<E, Id>
    socket: WebSocket
    id: string
    identity: Id
    key: string
    authenticated: boolean
    url: string
    remoteAddress: string | undefined
    limiter: TokenBucket | undefined
  }) {
    this.host = init.host
    this.current = init.socket
    this.id = init.id
    this.identity = init.identity
    this.key = init.key
    this.authenticated = init.authenticated
    this.url = init.url
    this.remoteAddress = init.remoteAddress
    this.limiter = init.limiter
    this.connectedAt = Date.now()
    const reliable = init.host.options.reliable
    if (reliable) {
      this.helloTimer = setTimeout(
        () =>
          this.current.close(
            1002,
            `reliable delivery: no hello within ${reliable.helloTimeout} ms`,
          ),
        reliable.helloTimeout,
      )
    }
    // Listeners shared by every connection, finding theirs through the socket: per-client
    // closures would cost memory on each of thousands of idle connections.
    const socket = init.socket as OwnedSocket
    socket[OWNER] = this as unknown as ClientConnection
    socket.on('message', onMessage)
    socket.on('pong', onPong)
    socket.on('error', onError)
    socket.on('close', onClose)
  }

  /** The socket now (with reliable delivery, the latest one). */
  get socket(): WebSocket {
    return this.current
  }

  get protocol(): string {
    return this.socket.protocol
  }

  get rooms(): ReadonlySet<string> {
    return this.joined ?? EMPTY_ROOMS
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN
  }

  /**
   * The single send path: every message to this client goes through here. With reliable
   * delivery the message gets the session's next sequence number and is kept until the
   * client acknowledges it; `now` and `bytes` let a broadcast read the clock and measure
   * the payload once for every client.
   */
  deliver(payload: string | Buffer, now?: number, bytes?: number): boolean {
    const socket = this.current
    const session = this.session
    const open = socket.readyState === WebSocket.OPEN
    if (!open && (session === undefined || session.ending || this.done)) return false
    const stats = this.host.stats
    if (session !== undefined) {
      const seq = ++session.outSeq
      session.buffer.push(payload, bytes ?? byteLength(payload), now ?? this.host.now())
      this.messagesOut++
      stats.messagesOut++
      // Over `maxBufferedBytes` nothing is skipped: the message waits in the session's
      // buffer (bounded by `bufferSize`) and the client's acks clock it out. Only the
      // `close` policy still closes; the client then resumes.
      if (open && session.sent === seq - 1) {
        if (socket.bufferedAmount <= this.host.options.maxBufferedBytes) {
          socket.send(dataFrame(seq, payload), SEND_TEXT)
          session.sent = seq
        } else if (this.host.options.backpressurePolicy === 'close') {
          stats.slowConsumersClosed++
          socket.close(1013, 'slow consumer: too much data buffered')
        }
      } else if (open) {
        this.flush(session)
      }
      return true
    }
    const { options } = this.host
    const verdict = backpressureVerdict(
      socket.bufferedAmount,
      options.maxBufferedBytes,
      options.backpressurePolicy,
    )
    if (verdict !== 'send') {
      this.drops++
      stats.drops++
      if (verdict === 'close') {
        stats.slowConsumersClosed++
        socket.close(1013, 'slow consumer: too much data buffered')
      }
      return false
    }
    socket.send(payload, SEND_TEXT)
    this.messagesOut++
    stats.messagesOut++
    return true
  }

  /**
   * Reliable delivery: writes what the client has not been sent yet, oldest first, while
   * its socket takes it. Messages it was never sent that `bufferSize` or `maxAge` pushed out
   * cannot reach it any more: the socket is closed, and its reconnect is told it was not
   * resumed.
   */
  private flush(session: Session): void {
    const socket = this.current
    if (socket.readyState !== WebSocket.OPEN) return
    if (session.sent < session.buffer.first - 1) {
      socket.close(1013, 'slow consumer: messages it had not received were dropped')
      return
    }
    const max = this.host.options.maxBufferedBytes
    while (session.sent < session.outSeq && socket.bufferedAmount <= max) {
      const seq = ++session.sent
      socket.send(dataFrame(seq, session.buffer.get(seq)), SEND_TEXT)
    }
  }

  emit<K extends EmitType<E>>(type: K, ...args: PayloadArgs<EmitData<E, K>>): boolean {
    if (typeof type !== 'string' || type.length === 0) {
      throw usageError(
        'client.emit()',
        `the type must be a non-empty string, got ${JSON.stringify(type) ?? String(type)}`,
        'Pass the event name first, then its data.',
      )
    }
    return this.deliver(encode(this.host.options.keys, type, args[0]))
  }

  /** Sends a request's reply (or its error) to this client. */
  reply(type: string, id: unknown, data: unknown, error?: ErrorPayload): boolean {
    return this.deliver(encode(this.host.options.keys, type, data, id, error))
  }

  on<K extends ListenType<E>>(
    type: K,
    listener: (data: ListenData<E, K>, client: Client<E, Id>) => void,
  ): () => void {
    if (typeof type !== 'string' || type.length === 0) {
      throw usageError(
        'client.on()',
        `the type must be a non-empty string, got ${JSON.stringify(type) ?? String(type)}`,
        'Pass the event name the client emits.',
      )
    }
    if (typeof listener !== 'function') {
      throw usageError(
        `client.on('${type}')`,
        'the listener must be a function',
        'Pass `(data, client) => { … }`.',
      )
    }
    this.listeners ??= new Map()
    let set = this.listeners.get(type)
    if (!set) {
      set = new Set()
      this.listeners.set(type, set)
    }
    const stored = listener as Listener
    set.add(stored)
    return () => {
      set.delete(stored)
    }
  }

  onClose(listener: (info: ClientCloseInfo, client: Client<E, Id>) => void): () => void {
    if (typeof listener !== 'function') {
      throw usageError(
        'client.onClose()',
        'the listener must be a function',
        'Pass `({ code, reason }) => { … }`.',
      )
    }
    this.closeListeners ??= new Set()
    this.closeListeners.add(listener)
    return () => {
      this.closeListeners?.delete(listener)
    }
  }

  join(room: string): void {
    assertRoomName('client.join()', room)
    if (this.done) return
    this.joined ??= new Set()
    this.joined.add(room)
    this.host.rooms.join(room, this)
  }

  leave(room: string): void {
    assertRoomName('client.leave()', room)
    if (!this.joined?.delete(room)) return
    this.host.rooms.leave(room, this)
  }

  close(code = 1000, reason = ''): void {
    assertCloseArgs(code, reason)
    this.end(code, reason)
  }

  /** Closes the socket; with reliable delivery the session ends with it. */
  end(code: number, reason: string): void {
    const session = this.session
    if (session !== undefined) {
      session.ending = true
      // Away: there is no socket to close, the session just ends.
      if (!this.attached) {
        this.finish({ code, reason })
        return
      }
      // Whatever the client sent that reached handlers is acknowledged before the close, so
      // it is not sent again; what arrives after it is dropped, and sent again by the client
      // wherever it reconnects.
      this.sendAck(session)
    }
    this.current.close(code, reason)
  }

  terminate(): void {
    this.current.terminate()
  }

  ping(): void {
    this.current.ping()
  }

  /** Leaves every room at once, e.g. when replaced: it must stop getting broadcasts before its close completes. */
  leaveAll(): void {
    if (!this.joined) return
    for (const room of this.joined) this.host.rooms.leave(room, this)
    this.joined = undefined
  }

  socketError(error: Error & { code?: string }): void {
    const detail =
      error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
        ? 'it sent a message larger than maxPayload; closed with 1009'
        : error.message
    this.host.report(
      new SocketServerError('SOCKET_ERROR', `socket error on client ${this.id}: ${detail}`, {
        clientId: this.id,
        cause: error,
      }),
    )
  }

  /** Everything the socket receives comes through here. */
  receive(data: RawData, isBinary: boolean): void {
    this.alive = true
    const { options, stats } = this.host
    if (this.limiter && !this.limiter.take(this.host.now())) {
      if (this.current.readyState === WebSocket.OPEN) {
        stats.rateLimited++
        this.current.close(1008, 'rate limit exceeded')
      }
      return
    }
    if (this.helloTimer !== undefined) {
      clearTimeout(this.helloTimer)
      this.helloTimer = undefined
      this.host.hello(this, isBinary ? '' : toText(data))
      return
    }
    if (isBinary) {
      stats.malformed++
      this.host.report(
        new SocketServerError(
          'BINARY_MESSAGE',
          `client ${this.id} sent a binary message; envelopes are JSON text. The connection is kept.`,
          { clientId: this.id },
        ),
      )
      return
    }
    let text = toText(data)
    const heartbeat = options.textHeartbeat
    if (heartbeat && text === heartbeat.message) {
      stats.heartbeats++
      // Not through `deliver`: an answer is no message (no counters, no sequencing). But a
      // client that pings without reading gets none, or its answers would pile up here.
      const socket = this.socket
      if (
        socket.readyState === WebSocket.OPEN &&
        socket.bufferedAmount <= options.maxBufferedBytes
      ) {
        socket.send(heartbeat.returnMessage, SEND_TEXT)
      }
      return
    }
    const session = this.session
    if (text.charCodeAt(1) === 58 /* : */) {
      const kind = text.charCodeAt(0)
      if (session === undefined) {
        if (kind === 104 /* h */) {
          this.current.close(1002, 'reliable delivery is not enabled on this server')
          return
        }
      } else if (kind === 109 /* m */) {
        const frame = parseFrame(text)
        // Malformed (e.g. no plain sequence number), it is no data frame: it is reported
        // below as a malformed message, and the connection is kept.
        if (frame?.kind === 'data') {
          const seq = frame.seq
          // The server is closing this session; the client keeps the message and sends it
          // again wherever it reconnects, so handling it here could make a duplicate.
          if (session.ending) return
          if (seq <= session.inSeq) {
            stats.sessions.duplicates++
            return
          }
          session.inSeq = seq
          if (++session.unacked >= RELIABLE.ACK_EVERY) this.sendAck(session)
          else session.ackTimer ??= setTimeout(() => this.sendAck(session), RELIABLE.ACK_DELAY)
          text = frame.payload
        }
      } else if (kind === 97 /* a */) {
        const frame = parseFrame(text)
        if (frame?.kind === 'ack') {
          session.buffer.acknowledge(Math.min(frame.seq, session.sent))
          if (session.sent < session.outSeq) this.flush(session)
          return
        }
      }
    }
    stats.messagesIn++
    this.messagesIn++
    const inbound = parseInbound(text, options.keys)
    if (inbound.kind === 'bad-id') {
      stats.malformed++
      this.host.report(
        new SocketServerError(
          'BAD_REQUEST_ID',
          `client ${this.id}: request "${inbound.type}" has an id that is not a safe integer; it got an error reply. The connection is kept.`,
          { clientId: this.id },
        ),
      )
      this.reply(inbound.type, inbound.id, undefined, BAD_REQUEST_ID)
      return
    }
    if (inbound.kind === 'malformed') {
      stats.malformed++
      this.host.report(
        new SocketServerError(
          inbound.code,
          `client ${this.id}: ${inbound.message}. The connection is kept.`,
          { clientId: this.id },
        ),
      )
      return
    }
    const { type, id, data: payload } = inbound.envelope
    if (id !== undefined) {
      this.host.request(this, type, id, payload)
      return
    }
    const set = this.listeners?.get(type)
    if (!set) return
    for (const listener of set) {
      try {
        ;(listener as (data: unknown, client: Client<E, Id>) => void)(payload, this)
      } catch (error) {
        this.host.report(
          new SocketServerError(
            'LISTENER_ERROR',
            `client.on('${type}') listener threw for client ${this.id}`,
            { clientId: this.id, cause: error },
          ),
        )
      }
    }
  }

  /** Reliable delivery: starts the session this socket's hello asked for. */
  startSession(session: Session): void {
    this.session = session
    this.host.stats.sessions.active++
    this.host.stats.sessions.started++
  }

  /** Reliable delivery: `w:{…}`, the answer to the hello. */
  welcome(resumed: boolean, ack: number): void {
    const session = this.session as Session
    this.current.send(encodeWelcome(session.id, resumed, ack), SEND_TEXT)
  }

  /**
   * Reliable delivery: the client came back with this session on the socket `from` took
   * the hello on. The socket moves here; the one it replaces, if the server still thought
   * it open (a dead network is noticed late), is destroyed.
   */
  adopt(from: ClientConnection<E, Id>): void {
    const session = this.session as Session
    const previous = this.current
    const socket = from.current
    ;(socket as OwnedSocket)[OWNER] = this as unknown as ClientConnection
    from.done = true
    this.current = socket
    this.url = from.url
    this.remoteAddress = from.remoteAddress
    this.alive = true
    clearTimeout(session.expiryTimer)
    session.expiryTimer = undefined
    if (!this.attached) this.host.stats.sessions.detached--
    this.attached = true
    if (previous !== socket && previous.readyState !== WebSocket.CLOSED) previous.terminate()
  }

  /** Reliable delivery: after the welcome, sends in order what the client missed (it has up to `ack`). */
  replay(ack: number): void {
    const session = this.session as Session
    session.buffer.acknowledge(ack)
    session.sent = ack
    this.host.stats.sessions.replayed += session.outSeq - ack
    this.flush(session)
  }

  /** A cumulative ack of every client message handed to handlers. */
  private sendAck(session: Session): void {
    clearTimeout(session.ackTimer)
    session.ackTimer = undefined
    session.unacked = 0
    if (session.inSeq > 0 && this.current.readyState === WebSocket.OPEN) {
      this.current.send(encodeAck(session.inSeq), SEND_TEXT)
    }
  }

  /** The current socket closed. A reliable session waits for its client; anything else is over. */
  socketClosed(info: ClientCloseInfo): void {
    const session = this.session
    if (session === undefined || !this.announced || session.ending || this.host.isClosing()) {
      this.finish(info)
      return
    }
    this.attached = false
    this.lastClose = info
    clearTimeout(session.ackTimer)
    session.ackTimer = undefined
    session.unacked = 0
    this.host.stats.sessions.detached++
    const { maxAge } = this.host.options.reliable as { maxAge: number }
    session.expiryTimer = setTimeout(() => {
      this.host.stats.sessions.expired++
      this.finish(this.lastClose)
    }, maxAge)
    // A session waiting for a client that never returns must not keep the process alive.
    session.expiryTimer.unref?.()
    this.host.detached(this)
  }

  /** Reliable delivery: a detached session ends before `maxAge` to make room (`maxSessions`), reported as its expiry would be. */
  evict(): void {
    this.host.stats.sessions.evictedSessions++
    this.finish(this.lastClose)
  }

  /** The connection (with reliable delivery, the session) is over: runs once. */
  finish(info: ClientCloseInfo): void {
    if (this.done) return
    this.done = true
    clearTimeout(this.helloTimer)
    this.helloTimer = undefined
    const session = this.session
    if (session !== undefined) {
      session.ending = true
      session.stopTimers()
      session.buffer.clear()
      this.host.stats.sessions.active--
      if (!this.attached) this.host.stats.sessions.detached--
    }
    this.leaveAll()
    this.host.closed(this, info)
    const listeners = this.closeListeners
    this.closeListeners = undefined
    this.listeners = undefined
    if (!listeners) return
    for (const listener of listeners) {
      try {
        listener(info, this)
      } catch (error) {
        this.host.report(
          new SocketServerError(
            'LISTENER_ERROR',
            `client.onClose listener threw for client ${this.id}`,
            { clientId: this.id, cause: error },
          ),
        )
      }
    }
  }
}

const EMPTY_ROOMS: ReadonlySet<string> = new Set()
