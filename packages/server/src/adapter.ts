/**
 * The server's state that must be shared once there is more than one instance: the
 * identity registry, room membership and reliable sessions. The server keeps everything
 * else (sockets, listeners, timers) itself.
 *
 * Asynchronous by design: a method may return a promise, as a store on the network must,
 * and the server then continues when it settles. The in-memory default answers at once,
 * and the server goes on synchronously when a method returns a plain value, so one
 * instance pays no promise per message. A remote store keeps local indexes for what
 * sockets need now (`clients`, `members`, `localSessions`) and shares the rest.
 */
export type MaybePromise<T> = T | PromiseLike<T>

/** The memory bounds of a reliable session's log: `bufferSize` messages, `maxAge` ms. */
export interface SessionLogConfig {
  readonly bufferSize: number
  readonly maxAge: number
}

/** The gauges and counters a session log keeps up to date (`server.stats.sessions`). */
export interface SessionLogStats {
  buffered: number
  bufferedBytes: number
  evicted: number
}

/**
 * What a reliable session sent and its client has not acknowledged, oldest first, with
 * consecutive sequence numbers: message `first + size` is the next one pushed. The reads are
 * synchronous (a remote store keeps a copy on the instance that owns the session); a push
 * may return a promise, and the message is written to the socket only once it settles: it
 * is in the log before the client can see it. A push that rejects could not be kept: the
 * server reports it and ends the session, so the client is told it was not resumed.
 */
export interface SessionLog {
  /** Sequence number of the oldest message kept (one past the newest when empty). */
  readonly first: number
  readonly size: number
  /** Keeps message `first + size`; the oldest go when over `bufferSize` or older than `maxAge`. */
  push(payload: string | Buffer, bytes: number, now: number): MaybePromise<void>
  /** The client has everything up to `seq`. */
  acknowledge(seq: number): void
  /** Drops what is older than `maxAge`. */
  expire(now: number): void
  /** The payload of message `seq` (`first <= seq < first + size`). */
  get(seq: number): string | Buffer
  /** The client's messages up to `seq` reached handlers: where a resume elsewhere acknowledges from. */
  received?(seq: number): void
  /** The session is over here: the copy is released. */
  clear(): void
}

/** A session another instance held, now this one's: what the server rebuilds it from. */
export interface ClaimedSession {
  /** The client id it had (`client.id`), kept across instances. */
  readonly memberId: string
  /** Its identity key (`client.key`). */
  readonly key: string
  /** The last client message handed to handlers. */
  readonly inSeq: number
  /** The last sequence number given out. */
  readonly outSeq: number
  /** Its log, holding every message after the client's ack. */
  readonly log: SessionLog
  /** The rooms it was in. */
  readonly rooms: readonly string[]
}

/** A client on this instance, as the adapter sees it. */
export interface AdapterMember {
  /** Unique across instances (a UUID). With reliable delivery, one per session. */
  readonly id: string
  /** The identity key (`client.key`): what the registry is keyed by. */
  readonly key: string
  /**
   * Whether it counts as connected for `duplicate: 'reject'`: a plain client until its
   * close completes; a reliable session only while a socket is attached.
   */
  readonly present: boolean
}

/** What the server lets its adapter do on this instance. */
export interface AdapterHost<M extends AdapterMember> {
  /**
   * `member` lost its identity to a newer connection (on this instance or another): the
   * server takes it out of its rooms and closes it with 4409.
   */
  replaced(member: M): void
  /**
   * Ends `member` (a reliable session: for good) with `code`, e.g. 1012 once the store is
   * found to have lost its data: its client reconnects and is told it was not resumed.
   */
  end(member: M, code: number, reason: string): void
  /**
   * Writes an encoded envelope to a local member, as a broadcast does: a shared store
   * delivers what other instances broadcast through this. False when it was not written.
   */
  deliver(member: M, text: string): boolean
  /** A failure of the store; the server reports it as an `error` event and carries on. */
  report(error: unknown): void
}

/** One broadcast, serialized once. */
export interface Broadcast<M extends AdapterMember> {
  /** The encoded envelope: what another instance hands to `host.deliver`. */
  readonly text: string
  /** Only the members of this room; every registered client when undefined. */
  readonly room: string | undefined
  /** Local members to skip. */
  readonly except: ReadonlySet<M> | null
  /** The identity keys it was told to skip, for instances where they are connected. */
  readonly exceptKeys: readonly string[] | null
  /**
   * Reliable delivery: every target keeps it in its session log. A shared store delivers it
   * on every instance in one order, the order the logs are in.
   */
  readonly reliable: boolean
  /** Only the client with this identity key, wherever it is connected (`server.identity(key).emit()`). */
  readonly to?: string | undefined
}

/** Where an identity is connected (`server.identity(key).locate()`). */
export interface IdentityLocation {
  /** The instance that holds it: `adapter.instanceId`, or `'local'` for the memory adapter. */
  readonly instance: string
  /** Whether a socket is attached (a reliable session whose client is away is not). */
  readonly present: boolean
}

export interface StateAdapter<M extends AdapterMember = AdapterMember> {
  /** Called once, by the server that uses this adapter, before any connection. */
  attach(host: AdapterHost<M>): void

  // The identity registry: one holder per key, wherever it is connected.

  /** This instance's registered clients by key: `server.clients`. */
  readonly clients: ReadonlyMap<string, M>
  /** Makes `member` the holder of its key; an older holder goes to `host.replaced` first. */
  register(member: M): MaybePromise<void>
  /** Releases the key if `member` still holds it. */
  unregister(member: M): MaybePromise<void>
  /** Whether a present member holds `key`, on any instance. */
  isConnected(key: string): MaybePromise<boolean>

  // Rooms.

  join(room: string, member: M): MaybePromise<void>
  leave(room: string, member: M): MaybePromise<void>
  /** This instance's members of `room`. */
  members(room: string): ReadonlySet<M>
  /**
   * Hands every target on this instance to `deliver` and returns how many it was written
   * to; a shared store also forwards `message` to the other instances. Synchronous: it is
   * the hot path, and what other instances write is theirs to count.
   */
  broadcast(message: Broadcast<M>, deliver: (member: M) => boolean): number

  /** Where `key` is held, on any instance; undefined when nowhere. */
  locate(key: string): MaybePromise<IdentityLocation | undefined>

  // Reliable sessions, by the id their client resumes with.

  /** The log new session `id` keeps its unacknowledged messages in. */
  createLog(id: string, config: SessionLogConfig, stats: SessionLogStats): SessionLog
  /**
   * A session this instance does not hold (`findSession` found nothing): a shared store
   * takes it over from wherever it is, if it still holds every message after `ack` and
   * belongs to `key` (any key when null). `become` turns the client that presented it into
   * its member, before any broadcast can miss it. The memory adapter has none to claim.
   */
  claimSession(
    id: string,
    ack: number,
    key: string | null,
    config: SessionLogConfig,
    stats: SessionLogStats,
    become: (claimed: ClaimedSession) => M,
  ): MaybePromise<M | undefined>
  addSession(id: string, member: M): MaybePromise<void>
  findSession(id: string): MaybePromise<M | undefined>
  /** The session ended: forgotten, away or not. */
  removeSession(id: string, member: M): MaybePromise<void>
  /** The session's client went away; the longest away is the first to make room. */
  away(member: M): MaybePromise<void>
  /** Its client is back. */
  back(member: M): MaybePromise<void>
  /** Before a new session: calls `evict` on the longest-away sessions until fewer than `max` are kept. */
  makeRoom(max: number, evict: (member: M) => void): MaybePromise<void>
  /** Sessions whose state this instance holds, which end with it on `server.close()`. */
  localSessions(): Iterable<M>

  /** The server closed; release connections to the store. */
  close(): MaybePromise<void>
}

export function isPromiseLike<T>(value: MaybePromise<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/** Runs `next` with the value: at once when there is one, when it settles otherwise. */
export function whenSettled<T>(
  value: MaybePromise<T>,
  next: (value: T) => void,
  fail: (error: unknown) => void,
): void {
  // Later, a throw in `next` would be an unhandled rejection: it goes to `fail` too.
  if (isPromiseLike(value)) value.then(next, fail).then(undefined, fail)
  else next(value)
}
