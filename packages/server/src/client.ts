import type { ErrorPayload } from '@tethered/core/protocol'
import { type RawData, WebSocket } from 'ws'
import { backpressureVerdict } from './backpressure'
import { encode, parseInbound } from './envelope'
import { SocketServerError, usageError } from './errors'
import type { ResolvedOptions } from './options'
import type { TokenBucket } from './rate-limit'
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
  /** Unique per connection (a reconnect gets a new one). */
  readonly id: string
  /** What `authenticate` returned; without `authenticate`, the connection `id`. */
  readonly identity: Id
  /** The key of this client in `server.clients`. */
  readonly key: string
  /** The path and query of the upgrade request. */
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
  readonly isOpen: boolean
  /** Messages this client sent us, messages written to it, messages skipped by backpressure. */
  readonly messagesIn: number
  readonly messagesOut: number
  readonly drops: number
  /** The underlying `ws` socket, for what this API does not cover. */
  readonly socket: WebSocket
  /** Sends an event; `false` when it was not written (closed, or dropped by backpressure). */
  emit<K extends EmitType<E>>(type: K, ...args: PayloadArgs<EmitData<E, K>>): boolean
  /** Listens to an event this client sends; returns the function that removes the listener. */
  on<K extends ListenType<E>>(
    type: K,
    listener: (data: ListenData<E, K>, client: Client<E, Id>) => void,
  ): () => void
  join(room: string): void
  leave(room: string): void
  /** Called once when the connection is gone. */
  onClose(listener: (info: ClientCloseInfo, client: Client<E, Id>) => void): () => void
  /** Closing handshake with `code` (1000, 1001, 1008–1014 or 3000–4999) and a reason of at most 123 bytes. */
  close(code?: number, reason?: string): void
  /** Destroys the socket without a closing handshake. */
  terminate(): void
}

/** What a connection needs from its server. */
export interface ClientHost<E extends EventMap, Id extends IdentityLike> {
  readonly options: Pick<
    ResolvedOptions<Id>,
    'keys' | 'textHeartbeat' | 'maxBufferedBytes' | 'backpressurePolicy'
  >
  readonly stats: ServerStats
  readonly rooms: Rooms<ClientConnection<E, Id>>
  request(client: ClientConnection<E, Id>, type: string, id: number, data: unknown): void
  closed(client: ClientConnection<E, Id>, info: ClientCloseInfo): void
  report(error: SocketServerError): void
  now(): number
}

type Listener = (data: never, client: never) => void

const OWNER = Symbol('tethered.client')
type OwnedSocket = WebSocket & { [OWNER]: ClientConnection }
const ownerOf = (socket: WebSocket): ClientConnection => (socket as OwnedSocket)[OWNER]

// `ws` calls these with the socket as `this`.
function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  ownerOf(this).receive(data, isBinary)
}

function onPong(this: WebSocket): void {
  ownerOf(this).alive = true
}

function onError(this: WebSocket, error: Error & { code?: string }): void {
  ownerOf(this).socketError(error)
}

function onClose(this: WebSocket, code: number, reason: Buffer): void {
  ownerOf(this).finish({ code, reason: reason.toString() })
}

const SEND_TEXT = { binary: false } as const

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
 * every outgoing message (backpressure today, sequencing and replay later) live there.
 */
export class ClientConnection<E extends EventMap = DefaultEvents, Id extends IdentityLike = string>
  implements Client<E, Id>
{
  readonly id: string
  readonly identity: Id
  readonly key: string
  readonly url: string
  readonly remoteAddress: string | undefined
  readonly connectedAt: number
  readonly socket: WebSocket
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
  private readonly host: ClientHost<E, Id>
  private readonly limiter: TokenBucket | undefined

  constructor(init: {
    host: ClientHost<E, Id>
    socket: WebSocket
    id: string
    identity: Id
    key: string
    url: string
    remoteAddress: string | undefined
    limiter: TokenBucket | undefined
  }) {
    this.host = init.host
    this.socket = init.socket
    this.id = init.id
    this.identity = init.identity
    this.key = init.key
    this.url = init.url
    this.remoteAddress = init.remoteAddress
    this.limiter = init.limiter
    this.connectedAt = Date.now()
    // Listeners shared by every connection, finding theirs through the socket: per-client
    // closures would cost memory on each of thousands of idle connections.
    const socket = init.socket as OwnedSocket
    socket[OWNER] = this as unknown as ClientConnection
    socket.on('message', onMessage)
    socket.on('pong', onPong)
    socket.on('error', onError)
    socket.on('close', onClose)
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

  /** The single send path: every message to this client goes through here. */
  deliver(payload: string | Buffer): boolean {
    const socket = this.socket
    if (socket.readyState !== WebSocket.OPEN) return false
    const { options, stats } = this.host
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
  reply(type: string, id: number, data: unknown, error?: ErrorPayload): boolean {
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
    this.socket.close(code, reason)
  }

  terminate(): void {
    this.socket.terminate()
  }

  ping(): void {
    this.socket.ping()
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
      if (this.socket.readyState === WebSocket.OPEN) {
        stats.rateLimited++
        this.socket.close(1008, 'rate limit exceeded')
      }
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
    const text = (
      Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
    ).toString('utf8')
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
    stats.messagesIn++
    this.messagesIn++
    const inbound = parseInbound(text, options.keys)
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

  /** The socket is closed: runs once. */
  finish(info: ClientCloseInfo): void {
    if (this.done) return
    this.done = true
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
