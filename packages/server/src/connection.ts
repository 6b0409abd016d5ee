import type {
  DataArgs,
  DefaultEvents,
  ErrorPayload,
  EventMap,
  InData,
  InType,
  OutData,
  OutType,
} from '@tethered/protocol'
import { type RawData, WebSocket } from 'ws'
import type { MaybePromise, StateAdapter } from './adapter'
import { admit, hasRoom, SEND_TEXT } from './backpressure'
import type { Client, ClientCloseInfo } from './client'
import { assertCloseArgs } from './close-args'
import { encode } from './envelope'
import { logFailed, SocketServerError } from './errors'
import { receiveText, type TextHost, toText } from './inbound'
import { assertEmitType, ClientListeners } from './listeners'
import type { ResolvedOptions } from './options-types'
import type { TokenBucket } from './rate-limit'
import { byteLength } from './reliable/replay-buffer'
import type { Session } from './reliable/session'
import { assertRoomName, NO_MEMBERS } from './rooms'
import { listen, own } from './socket-listeners'
import type { IdentityLike } from './types'

/** What a connection needs from its server. */
export interface ClientHost<E extends EventMap, Id extends IdentityLike>
  extends TextHost<ClientConnection<E, Id>> {
  readonly options: TextHost<ClientConnection<E, Id>>['options'] &
    Pick<ResolvedOptions<Id>, 'reliable'>
  readonly adapter: StateAdapter<ClientConnection<E, Id>>
  /** The first frame of a socket, with reliable delivery: the hello. */
  hello(client: ClientConnection<E, Id>, text: string): void
  /** A reliable session lost its socket; it waits for its client until `maxAge`. */
  detached(client: ClientConnection<E, Id>): void
  closed(client: ClientConnection<E, Id>, info: ClientCloseInfo): void
  isClosing(): boolean
  /** Where a store operation's failure goes: reported, never thrown at the caller. */
  settle(result: MaybePromise<void>): void
  now(): number
}

const CLIENT_CLOSE = {
  reason: 'client.close()',
  fix: 'Use 1000 (normal), 1001 (going away), 1008 (policy), 1011 (error), 1013 (try later) or 3000–4999 for your own.',
  reasonFix: 'Shorten it; put details in a message before closing.',
}

/**
 * One connection: its socket, counters, listeners and rooms. `deliver` is the only way
 * data reaches the socket, so what applies to every outgoing message (backpressure, a
 * reliable session's sequencing) is applied there.
 *
 * With reliable delivery it also stands for a session (`session`): it starts as the socket
 * that sent the hello, and a client that comes back with the session hands it its new
 * socket (`adopt`), so listeners, rooms and the registry entry carry over.
 */
export class ClientConnection<E extends EventMap = DefaultEvents, Id extends IdentityLike = string>
  implements Client<E, Id>
{
  // Not readonly: a session taken over from another instance keeps its id and key there.
  id: string
  readonly identity: Id
  key: string
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
  /** Requests whose handler has not returned yet (`maxPendingRequests`). */
  pendingRequests = 0
  /** Cleared by a heartbeat sweep, set by any sign of life. */
  alive = true
  private listeners: ClientListeners | undefined
  // Created on first join, like the listeners: idle connections stay small.
  private joined: Set<string> | undefined
  private done = false
  private current: WebSocket
  private helloTimer: ReturnType<typeof setTimeout> | undefined
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
    own(init.socket, this as unknown as ClientConnection)
    listen(init.socket)
  }

  /** The socket now (with reliable delivery, the latest one). */
  get socket(): WebSocket {
    return this.current
  }

  get protocol(): string {
    return this.socket.protocol
  }

  get rooms(): ReadonlySet<string> {
    return this.joined ?? NO_MEMBERS
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN
  }

  /** For `duplicate: 'reject'`: a session whose client is away is no duplicate (it may be that client coming back). */
  get present(): boolean {
    return this.session === undefined || this.isOpen
  }

  /**
   * The single send path. With reliable delivery the session sequences and keeps the
   * message; `now` and `bytes` let a broadcast read the clock and measure the payload once
   * for every client.
   */
  deliver(payload: string | Buffer, now?: number, bytes?: number): boolean {
    const socket = this.current
    const session = this.session
    const open = socket.readyState === WebSocket.OPEN
    if (!open && (session === undefined || session.ending || this.done)) return false
    const stats = this.host.stats
    if (session !== undefined) {
      session.send(payload, bytes ?? byteLength(payload), now ?? this.host.now())
    } else if (admit(socket, this.host.options, stats)) {
      socket.send(payload, SEND_TEXT)
    } else {
      this.drops++
      stats.drops++
      return false
    }
    this.messagesOut++
    stats.messagesOut++
    return true
  }

  emit<K extends InType<E>>(type: K, ...args: DataArgs<InData<E, K>>): boolean {
    assertEmitType('client.emit()', type)
    return this.deliver(encode(this.host.options.keys, type, args[0]))
  }

  /** Sends a request's reply (or its error) to this client. */
  reply(type: string, id: unknown, data: unknown, error?: ErrorPayload): boolean {
    return this.deliver(encode(this.host.options.keys, type, data, id, error))
  }

  on<K extends OutType<E>>(
    type: K,
    listener: (data: OutData<E, K>, client: Client<E, Id>) => void,
  ): () => void {
    this.listeners ??= new ClientListeners()
    return this.listeners.on(type, listener)
  }

  onClose(listener: (info: ClientCloseInfo, client: Client<E, Id>) => void): () => void {
    this.listeners ??= new ClientListeners()
    return this.listeners.onClose(listener)
  }

  dispatch(type: string, data: unknown): void {
    this.listeners?.dispatch(type, data, this as unknown as Client, this.host.report)
  }

  join(room: string): void {
    assertRoomName('client.join()', room)
    if (this.done) return
    this.joined ??= new Set()
    this.joined.add(room)
    this.host.settle(this.host.adapter.join(room, this))
  }

  leave(room: string): void {
    assertRoomName('client.leave()', room)
    if (!this.joined?.delete(room)) return
    this.host.settle(this.host.adapter.leave(room, this))
  }

  /** Leaves every room at once, e.g. when replaced: it must stop getting broadcasts before its close completes. */
  leaveAll(): void {
    if (!this.joined) return
    for (const room of this.joined) this.host.settle(this.host.adapter.leave(room, this))
    this.joined = undefined
  }

  close(code = 1000, reason = ''): void {
    assertCloseArgs(code, reason, { ...CLIENT_CLOSE, code: `client.close(${String(code)})` })
    this.end(code, reason)
  }

  /** Closes the socket; with reliable delivery the session ends with it. */
  end(code: number, reason: string): void {
    const session = this.session
    if (session !== undefined) {
      session.ending = true
      // Away: there is no socket to close, the session just ends.
      if (session.detached) {
        this.finish({ code, reason })
        return
      }
      // Whatever the client sent that reached handlers is acknowledged before the close, so
      // it is not sent again; what arrives after it is dropped, and sent again by the client
      // wherever it reconnects.
      session.sendAck()
    }
    this.current.close(code, reason)
  }

  terminate(): void {
    this.current.terminate()
  }

  ping(): void {
    this.current.ping()
  }

  /** Reliable delivery: a message could not be kept in the session log (the store failed). */
  lost(error: unknown): void {
    this.host.report(logFailed(this.id, error))
    if (this.session === undefined || this.session.ending) return
    this.leaveAll()
    this.end(1011, 'reliable delivery: the session log could not be written')
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
    const host = this.host
    if (this.overRate()) return
    if (this.helloTimer !== undefined) {
      clearTimeout(this.helloTimer)
      this.helloTimer = undefined
      host.hello(this, isBinary ? '' : toText(data))
      return
    }
    if (isBinary) {
      host.stats.malformed++
      host.report(
        new SocketServerError(
          'BINARY_MESSAGE',
          `client ${this.id} sent a binary message; envelopes are JSON text. The connection is kept.`,
          { clientId: this.id },
        ),
      )
      return
    }
    receiveText(this, toText(data), host)
  }

  pinged(data: Buffer): void {
    const socket = this.current
    if (
      !this.overRate() &&
      socket.readyState === WebSocket.OPEN &&
      hasRoom(socket, this.host.options)
    )
      socket.pong(data)
  }

  /** Spends one message of the client's rate; over it the client is closed with 1008. */
  private overRate(): boolean {
    if (!this.limiter || this.limiter.take(this.host.now())) return false
    if (this.current.readyState === WebSocket.OPEN) {
      this.host.stats.rateLimited++
      this.current.close(1008, 'rate limit exceeded')
    }
    return true
  }

  /**
   * Reliable delivery: the client came back with this session on the socket `from` took
   * the hello on. The socket moves here; the one it replaces, if the server still thought
   * it open (a dead network is noticed late), is destroyed.
   */
  adopt(from: ClientConnection<E, Id>): void {
    const previous = this.current
    const socket = from.current
    own(socket, this as unknown as ClientConnection)
    from.done = true
    this.current = socket
    this.url = from.url
    this.remoteAddress = from.remoteAddress
    this.alive = true
    this.session?.reattach()
    if (previous !== socket && previous.readyState !== WebSocket.CLOSED) previous.terminate()
  }

  /** The current socket closed. A reliable session waits for its client; anything else is over. */
  socketClosed(info: ClientCloseInfo): void {
    const session = this.session
    if (session === undefined || !this.announced || session.ending || this.host.isClosing()) {
      this.finish(info)
      return
    }
    session.detach(info, () => this.finish(session.lastClose))
    this.host.detached(this)
  }

  /** Reliable delivery: a detached session ends before `maxAge` to make room (`maxSessions`), reported as its expiry would be. */
  evict(): void {
    this.host.stats.sessions.evictedSessions++
    this.finish(this.session?.lastClose ?? { code: 1006, reason: '' })
  }

  /** The connection (with reliable delivery, the session) is over: runs once. */
  finish(info: ClientCloseInfo): void {
    if (this.done) return
    this.done = true
    clearTimeout(this.helloTimer)
    this.helloTimer = undefined
    this.session?.close()
    this.leaveAll()
    this.host.closed(this, info)
    const listeners = this.listeners
    this.listeners = undefined
    listeners?.closed(info, this as unknown as Client, this.host.report)
  }
}
