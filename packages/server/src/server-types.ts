import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import type {
  DataArgs,
  DefaultEvents,
  EventMap,
  InData,
  InType,
  RequestData,
  RequestReply,
  RequestType,
} from '@tethered/protocol'
import type { IdentityLocation } from './adapter'
import type { Client, ClientCloseInfo } from './client'
import type { DEFAULTS } from './defaults'
import type { SocketServerError } from './errors'
import type { ServerStats } from './stats'
import type { IdentityLike, RefusalInfo } from './types'

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
  emit<K extends InType<E>>(
    type: K,
    ...args: OptionalWhenUndefined<InData<E, K>, [options?: { except?: Except<E, Id> | undefined }]>
  ): number
}

/** One identity, wherever it is connected: `server.identity(key)`. */
export interface IdentityTarget<E extends EventMap> {
  readonly key: string
  /**
   * Sends to the client holding `key`, on this instance or, through a shared adapter,
   * another one. Returns 1 when written (or, with reliable delivery, kept) here, 0 when it
   * is not held here: another instance delivers it if it holds it.
   */
  emit<K extends InType<E>>(type: K, ...args: DataArgs<InData<E, K>>): number
  /** Whether and where it is connected, on any instance; undefined when nowhere. */
  locate(): Promise<IdentityLocation | undefined>
}

export interface CloseOptions {
  /** @default {@link DEFAULTS.closeCode} (going away: clients reconnect, to another instance if there is one) */
  code?: number | undefined
  /** @default {@link DEFAULTS.closeReason} */
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
  /**
   * Connected clients by identity key, on this instance. With a shared adapter (several
   * instances) an identity may be connected elsewhere: `identity(key)` reaches it there.
   */
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
  broadcast<K extends InType<E>>(type: K, ...args: BroadcastArgs<InData<E, K>, E, Id>): number
  to(room: string): RoomTarget<E, Id>
  /**
   * One identity (a key of `clients`), wherever it is connected: `clients` holds only this
   * instance's; with a shared adapter this reaches the others too.
   */
  identity(key: string): IdentityTarget<E>
  /** Runs the upgrade pipeline on a request you routed here yourself (needed with `noServer`). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Stops accepting, closes every client with 1001, resolves when all are gone (terminating stragglers after the timeout). */
  close(options?: CloseOptions): Promise<CloseResult>
}
