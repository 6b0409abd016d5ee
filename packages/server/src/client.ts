import type {
  DataArgs,
  DefaultEvents,
  EventMap,
  InData,
  InType,
  OutData,
  OutType,
} from '@tethered/protocol'
import type { WebSocket } from 'ws'
import type { IdentityLike } from './types'

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
  emit<K extends InType<E>>(type: K, ...args: DataArgs<InData<E, K>>): boolean
  /** Listens to an event this client sends; returns the function that removes the listener. */
  on<K extends OutType<E>>(
    type: K,
    listener: (data: OutData<E, K>, client: Client<E, Id>) => void,
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
