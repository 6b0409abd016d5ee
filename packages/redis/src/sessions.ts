import type {
  AdapterMember,
  ClaimedSession,
  SessionLog,
  SessionLogConfig,
  SessionLogStats,
} from '@tethered/server'
import type { Feed, FeedEntry } from './feed'
import { type LogStore, RedisSessionLog } from './session-log'
import type { RedisStore } from './store'

/** What the sessions need of their adapter. */
export interface SessionsHost<M extends AdapterMember> {
  readonly store: RedisStore
  readonly feed: Feed
  readonly prefix: string
  readonly clients: Map<string, M>
  /** The epoch this instance knows, once Redis has answered. */
  epoch(): Promise<string>
  /** A reliable broadcast into one member's log. */
  apply(entry: FeedEntry, member: M): void
  quietly(promise: Promise<unknown>): void
}

/**
 * The reliable sessions of this instance, each with its log and state in Redis: the session
 * hash and log are written as messages are sent, so any instance can take a session over.
 */
export class RedisSessions<M extends AdapterMember> {
  private readonly byId = new Map<string, M>()
  private readonly logs = new Map<M, RedisSessionLog>()
  /** Their rooms, kept in the session hash for whoever takes them over. */
  private readonly rooms = new Map<M, Set<string>>()
  /** Longest away first: the first to make room (`maxSessions`). */
  private readonly awaySessions = new Set<M>()
  /** Logs made for sessions whose `add` has not come yet. */
  private readonly unclaimed = new Map<string, RedisSessionLog>()
  private readonly logStore: LogStore

  constructor(private readonly host: SessionsHost<M>) {
    const { store } = host
    const instance = store.instance
    this.logStore = {
      append: async (id, seq, entry, bufferSize, mark) =>
        Number(
          await store.run(
            'tetheredAppend',
            ...store.session(id),
            instance,
            seq,
            entry,
            bufferSize,
            mark,
          ),
        ),
      ack: (id, seq) => host.quietly(store.run('tetheredAck', ...store.session(id), instance, seq)),
      received: (id, seq) =>
        host.quietly(store.run('tetheredSetField', store.session(id)[0], instance, 'in', seq)),
    }
  }

  get size(): number {
    return this.byId.size
  }

  logOf(member: M): RedisSessionLog | undefined {
    return this.logs.get(member)
  }

  find(id: string): M | undefined {
    return this.byId.get(id)
  }

  local(): Iterable<M> {
    return this.byId.values()
  }

  createLog(id: string, config: SessionLogConfig, stats: SessionLogStats): SessionLog {
    const log = new RedisSessionLog(id, config, stats, this.logStore)
    log.broadcast = this.host.feed.processed
    // Bounded: the server adds (or drops) the session right after.
    if (this.unclaimed.size >= 1_000) this.unclaimed.clear()
    this.unclaimed.set(id, log)
    return log
  }

  async add(id: string, member: M): Promise<void> {
    const log = this.unclaimed.get(id)
    this.unclaimed.delete(id)
    this.byId.set(id, member)
    if (log === undefined) return
    this.logs.set(member, log)
    this.rooms.set(member, new Set())
    const { store } = this.host
    const epoch = await this.host.epoch()
    await store.run(
      'tetheredOpen',
      ...store.session(id),
      store.key(`owned:${store.instance}`),
      store.instance,
      member.id,
      member.key,
      epoch,
      log.broadcast,
      log.config.maxAge,
      id,
    )
    // Ended while Redis had not answered yet: its removal may have run before this write.
    if (this.byId.get(id) !== member) await this.removeInStore(id)
  }

  /** Takes session `id` over for this instance: see `StateAdapter.claimSession`. */
  async claim(
    id: string,
    ack: number,
    key: string | null,
    config: SessionLogConfig,
    stats: SessionLogStats,
    become: (claimed: ClaimedSession) => M,
  ): Promise<M | undefined> {
    const { store, feed } = this.host
    const epoch = await this.host.epoch()
    // Nothing is applied here until the session has caught up and is a member.
    const release = feed.hold()
    try {
      const reply = await store.run(
        'tetheredClaim',
        ...store.session(id),
        store.key(`owned:${store.instance}`),
        store.instance,
        ack,
        key ?? '',
        epoch,
        Date.now(),
        id,
        this.host.prefix,
      )
      if (!Array.isArray(reply)) return undefined
      const [memberId, memberKey, inSeq, outSeq, b, rooms, entries] = reply as [
        string,
        string,
        string,
        string,
        string,
        string,
        string[],
      ]
      const seen = Number(b)
      // Reliable broadcasts since the log last saw one: those to its rooms go in now.
      let missed: FeedEntry[] = []
      if (feed.processed > seen) {
        const read = await feed.read(seen + 1, feed.processed)
        if (read.from > seen + 1) {
          // Redis no longer has all it missed: it cannot be resumed.
          this.host.quietly(this.removeInStore(id))
          return undefined
        }
        missed = read.entries
      }
      const log = new RedisSessionLog(id, config, stats, this.logStore)
      log.restore(ack, entries, performance.now())
      log.broadcast = seen
      const joined = JSON.parse(rooms) as string[]
      // The server joins its rooms: from here on, broadcasts to them reach it.
      const member = become({
        memberId,
        key: memberKey,
        inSeq: Number(inSeq),
        outSeq: Number(outSeq),
        log,
        rooms: joined,
      })
      this.byId.set(id, member)
      this.logs.set(member, log)
      const memberRooms = new Set(joined)
      this.rooms.set(member, memberRooms)
      this.host.clients.set(memberKey, member)
      for (const entry of missed) {
        const inRoom = entry.room === null || memberRooms.has(entry.room)
        if ((entry.to === null || entry.to === memberKey) && inRoom) this.host.apply(entry, member)
      }
      return member
    } finally {
      release()
    }
  }

  /** A session member joined or left a room: its hash says so, for whoever takes it over. */
  roomsChanged(member: M, room: string, joined: boolean): void {
    const log = this.logs.get(member)
    const rooms = this.rooms.get(member)
    if (log === undefined || rooms === undefined || joined === rooms.has(room)) return
    if (joined) rooms.add(room)
    else rooms.delete(room)
    // Taken over later, it catches up on broadcasts to its rooms after this one, not on
    // those sent before it joined.
    log.broadcast = Math.max(log.broadcast, this.host.feed.processed)
    const { store } = this.host
    this.host.quietly(
      store.run(
        'tetheredSetField',
        store.session(log.id)[0],
        store.instance,
        'r',
        JSON.stringify([...rooms]),
        'b',
        log.broadcast,
      ),
    )
  }

  private removeInStore(id: string): Promise<unknown> {
    const { store } = this.host
    return store.run(
      'tetheredRemove',
      ...store.session(id),
      store.key(`owned:${store.instance}`),
      store.instance,
      id,
    )
  }

  remove(id: string, member: M): void {
    if (this.byId.get(id) !== member) return
    this.byId.delete(id)
    this.awaySessions.delete(member)
    this.logs.delete(member)
    this.rooms.delete(member)
    this.host.quietly(this.removeInStore(id))
  }

  /** Away: its keys expire after `maxAge` and it is no duplicate. Back: kept again. */
  presence(member: M, present: boolean): void {
    if (present) this.awaySessions.delete(member)
    else this.awaySessions.add(member)
    const log = this.logs.get(member)
    if (log === undefined) return
    const { store } = this.host
    this.host.quietly(
      store.run(
        'tetheredPresence',
        ...store.session(log.id),
        store.key('reg'),
        store.instance,
        present ? 1 : 0,
        member.key,
        member.id,
      ),
    )
  }

  /** After this instance was reaped while alive: its sessions are listed and kept again. */
  keep(): void {
    const { store } = this.host
    for (const [member, log] of this.logs) {
      this.host.quietly(
        store.run(
          'tetheredKeep',
          ...store.session(log.id),
          store.key(`owned:${store.instance}`),
          store.instance,
          member.present ? 1 : 0,
          log.id,
        ),
      )
    }
  }

  /** As on one instance: this instance's longest-away sessions make room for a new one. */
  makeRoom(max: number, evict: (member: M) => void): void {
    for (const oldest of this.awaySessions) {
      if (this.byId.size < max) break
      evict(oldest)
    }
  }
}
