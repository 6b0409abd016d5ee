import { randomUUID } from 'node:crypto'
import type {
  AdapterHost,
  AdapterMember,
  Broadcast,
  ClaimedSession,
  IdentityLocation,
  SessionLog,
  SessionLogConfig,
  SessionLogStats,
  StateAdapter,
} from '@tethered/server'
import { Feed, type FeedEntry } from './feed'
import { type RedisAdapterOptions, resolveRedisOptions } from './options'
import { RedisSessionLog } from './session-log'
import { RedisStore } from './store'

/** A Redis adapter: `createSocketServer({ adapter })` on every instance of one cluster. */
export interface RedisStateAdapter<M extends AdapterMember = AdapterMember>
  extends StateAdapter<M> {
  /** This instance in Redis: what `server.identity(key).locate()` says for identities held here. */
  readonly instanceId: string
  /** Resolves once Redis has answered (epoch and broadcast counter read, lease taken). */
  readonly ready: Promise<void>
}

/**
 * The state adapter for many instances behind a load balancer, on Redis (ioredis):
 * broadcasts and room emits reach every instance, the identity registry is cluster-wide,
 * and reliable sessions keep their log in Redis, so a client whose instance died resumes
 * on another one. One adapter per server.
 */
export function redisAdapter<M extends AdapterMember = AdapterMember>(
  options?: RedisAdapterOptions,
): RedisStateAdapter<M> {
  return new RedisAdapter<M>(resolveRedisOptions(options))
}

const EMPTY: ReadonlySet<never> = new Set()

class RedisAdapter<M extends AdapterMember> implements RedisStateAdapter<M> {
  readonly instanceId = randomUUID()
  readonly clients = new Map<string, M>()
  readonly ready: Promise<void>
  private readonly rooms = new Map<string, Set<M>>()
  /** Session members' rooms, kept in their session hash for whoever takes them over. */
  private readonly memberRooms = new Map<M, Set<string>>()
  private readonly sessions = new Map<string, M>()
  private readonly logs = new Map<M, RedisSessionLog>()
  private readonly awaySessions = new Set<M>()
  private readonly unclaimed = new Map<string, RedisSessionLog>()
  private readonly store: RedisStore
  private readonly feed: Feed
  private host: AdapterHost<M> | undefined
  private epoch = ''
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly options: ReturnType<typeof resolveRedisOptions>

  constructor(options: ReturnType<typeof resolveRedisOptions>) {
    this.options = options
    this.store = new RedisStore(options, this.instanceId, {
      message: (channel, message) => this.onMessage(channel, message),
      resubscribed: () => this.feed.poll(),
      ready: () => {
        void this.checkEpoch()
      },
      report: (error) => this.report(error),
    })
    this.feed = new Feed(
      {
        fetch: async (from) => {
          const reply = (await this.store.run(
            'tetheredFetch',
            this.store.key('bseq'),
            this.store.key('blog'),
            from,
          )) as [number, ...string[]]
          const [first, ...entries] = reply
          return { from: Number(first), entries }
        },
        apply: (entry) => this.apply(entry),
        lost: (count) =>
          this.report(
            new Error(
              `${count} reliable broadcasts were no longer in Redis when this instance read them (raise \`broadcastLog\`)`,
            ),
          ),
        report: (error) => this.report(error),
      },
      options.broadcastLog,
    )
    this.ready = this.start()
    this.ready.catch((error: unknown) => this.report(error))
    this.timer = setInterval(() => this.tick(), Math.max(50, Math.floor(options.lease / 3)))
    this.timer.unref?.()
  }

  private async start(): Promise<void> {
    const { bell, plain, control } = this.store.channels
    await this.store.renew()
    await this.store.client.set(this.store.key('epoch'), randomUUID(), 'NX')
    const [epoch, bseq] = await this.store.client.mget(
      this.store.key('epoch'),
      this.store.key('bseq'),
    )
    this.epoch = epoch ?? ''
    this.feed.processed = Number(bseq ?? 0)
    await this.store.sub.subscribe(bell, plain, control)
  }

  attach(host: AdapterHost<M>): void {
    if (this.host !== undefined) {
      throw new TypeError(
        'createSocketServer(): this adapter is already used by another server. Create one adapter per server: `adapter: redisAdapter({ url })`.',
      )
    }
    this.host = host
  }

  private report(error: unknown): void {
    this.host?.report(error)
  }

  /** Fire and forget: a write that fails is reported, never thrown. */
  private quietly(promise: Promise<unknown>): void {
    promise.catch((error: unknown) => this.report(error))
  }

  // The identity registry.

  private holder(member: M): string {
    return `${this.instanceId}\t${member.id}\t`
  }

  register(member: M): void {
    const previous = this.clients.get(member.key)
    if (previous !== undefined && previous !== member) this.host?.replaced(previous)
    this.clients.set(member.key, member)
    this.quietly(
      this.store.run(
        'tetheredRegister',
        this.store.key('reg'),
        this.store.key(`keys:${this.instanceId}`),
        member.key,
        `${this.holder(member)}${member.present ? 1 : 0}`,
        this.instanceId,
        this.options.prefix,
      ),
    )
  }

  unregister(member: M): void {
    if (this.clients.get(member.key) === member) this.clients.delete(member.key)
    this.quietly(
      this.store.run(
        'tetheredUnregister',
        this.store.key('reg'),
        this.store.key(`keys:${this.instanceId}`),
        member.key,
        this.holder(member),
      ),
    )
  }

  isConnected(key: string): boolean | Promise<boolean> {
    const local = this.clients.get(key)
    if (local !== undefined) return local.present
    return Promise.resolve(this.locate(key)).then((found) => found?.present === true)
  }

  async locate(key: string): Promise<IdentityLocation | undefined> {
    const local = this.clients.get(key)
    if (local !== undefined) return { instance: this.instanceId, present: local.present }
    try {
      const value = (await this.store.run(
        'tetheredLocate',
        this.store.key('reg'),
        key,
        this.options.prefix,
      )) as string | null
      if (value === null) return undefined
      const [instance = '', , present] = value.split('\t')
      return { instance, present: present === '1' }
    } catch (error) {
      this.report(error)
      return undefined
    }
  }

  // Rooms: members on this instance; a broadcast goes to every instance.

  join(room: string, member: M): void {
    let set = this.rooms.get(room)
    if (set === undefined) this.rooms.set(room, (set = new Set()))
    set.add(member)
    this.saveRooms(member, room, true)
  }

  leave(room: string, member: M): void {
    const set = this.rooms.get(room)
    if (set?.delete(member) && set.size === 0) this.rooms.delete(room)
    this.saveRooms(member, room, false)
  }

  private saveRooms(member: M, room: string, joined: boolean): void {
    const log = this.logs.get(member)
    const rooms = this.memberRooms.get(member)
    if (log === undefined || rooms === undefined) return
    if (joined === rooms.has(room)) return
    if (joined) rooms.add(room)
    else rooms.delete(room)
    // A session taken over later catches up on broadcasts to its rooms after this one, not
    // on those sent before it joined.
    log.broadcast = Math.max(log.broadcast, this.feed.processed)
    const [hash] = this.store.session(log.id)
    this.quietly(
      this.store.run(
        'tetheredSetField',
        hash,
        this.instanceId,
        'r',
        JSON.stringify([...rooms]),
        'b',
        log.broadcast,
      ),
    )
  }

  members(room: string): ReadonlySet<M> {
    return this.rooms.get(room) ?? EMPTY
  }

  private targets(room: string | null | undefined, to: string | null | undefined): Iterable<M> {
    if (to !== null && to !== undefined) {
      const holder = this.clients.get(to)
      return holder === undefined ? [] : [holder]
    }
    return room === null || room === undefined ? this.clients.values() : this.members(room)
  }

  broadcast(message: Broadcast<M>, deliver: (member: M) => boolean): number {
    const { room, to, exceptKeys, text } = message
    const skip = message.except
    if (message.reliable) {
      // Delivered here as on every instance: in the order of the log, once Redis has it.
      let count = 0
      for (const member of this.targets(room, to)) if (!skip?.has(member)) count++
      const entry = JSON.stringify([room ?? null, to ?? null, exceptKeys, text])
      this.store
        .run(
          'tetheredPublish',
          this.store.key('bseq'),
          this.store.key('blog'),
          entry,
          this.options.broadcastLog,
          this.store.channels.bell,
        )
        .then(
          (seq) => this.feed.offer(`${String(seq)}\n${entry}`),
          (error: unknown) =>
            this.report(
              new Error(
                `a reliable broadcast could not be stored in Redis, so it reached no one: ${error instanceof Error ? error.message : String(error)}`,
                { cause: error },
              ),
            ),
        )
      return count
    }
    let written = 0
    let here = false
    for (const member of this.targets(room, to)) {
      here = true
      if (!skip?.has(member) && deliver(member)) written++
    }
    // At most once elsewhere, like any PUB/SUB fan-out: reliable delivery is what recovers.
    if (!(to !== undefined && here)) {
      const forward = JSON.stringify([this.instanceId, room ?? null, to ?? null, exceptKeys, text])
      this.quietly(this.store.client.publish(this.store.channels.plain, forward))
    }
    return written
  }

  /** A reliable broadcast, in the cluster's order: into each local target's log. */
  private apply(entry: FeedEntry, only?: M): void {
    const host = this.host
    if (host === undefined) return
    for (const member of only ? [only] : this.targets(entry.room, entry.to)) {
      if (entry.exceptKeys?.includes(member.key)) continue
      const log = this.logs.get(member)
      if (log !== undefined) {
        if (entry.seq <= log.broadcast) continue
        log.mark = entry.seq
      }
      host.deliver(member, entry.text)
      if (log !== undefined) log.mark = 0
    }
  }

  private onMessage(channel: string, message: string): void {
    const { bell, plain, control } = this.store.channels
    try {
      if (channel === bell) this.feed.offer(message)
      else if (channel === plain) {
        const [origin, room, to, exceptKeys, text] = JSON.parse(message) as [
          string,
          string | null,
          string | null,
          string[] | null,
          string,
        ]
        if (origin === this.instanceId) return
        for (const member of this.targets(room, to)) {
          if (!exceptKeys?.includes(member.key)) this.host?.deliver(member, text)
        }
      } else if (channel === control) {
        const [what, a, b] = JSON.parse(message) as [string, string, string | undefined]
        const member = what === 'taken' ? this.sessions.get(a) : this.clients.get(a)
        // Replaced elsewhere (the same member id when its session moved there).
        if (member !== undefined && (what === 'taken' || member.id === b)) {
          this.host?.replaced(member)
        }
      }
    } catch (error) {
      this.report(error)
    }
  }

  // Reliable sessions.

  private logStore = {
    append: async (id: string, seq: number, entry: string, bufferSize: number, mark: number) =>
      Number(
        await this.store.run(
          'tetheredAppend',
          ...this.store.session(id),
          this.instanceId,
          seq,
          entry,
          bufferSize,
          mark,
        ),
      ),
    ack: (id: string, seq: number) =>
      this.quietly(this.store.run('tetheredAck', ...this.store.session(id), this.instanceId, seq)),
    received: (id: string, seq: number) =>
      this.quietly(
        this.store.run('tetheredSetField', this.store.session(id)[0], this.instanceId, 'in', seq),
      ),
  }

  createLog(id: string, config: SessionLogConfig, stats: SessionLogStats): SessionLog {
    const log = new RedisSessionLog(id, config, stats, this.logStore)
    log.broadcast = this.feed.processed
    this.unclaimed.set(id, log)
    return log
  }

  async addSession(id: string, member: M): Promise<void> {
    const log = this.unclaimed.get(id)
    this.unclaimed.delete(id)
    this.sessions.set(id, member)
    if (log === undefined) return
    this.logs.set(member, log)
    this.memberRooms.set(member, new Set())
    await this.ready
    const [hash, list] = this.store.session(id)
    await this.store.run(
      'tetheredOpen',
      hash,
      list,
      this.store.key(`owned:${this.instanceId}`),
      this.instanceId,
      member.id,
      member.key,
      this.epoch,
      log.broadcast,
      log.config.maxAge,
      id,
    )
  }

  findSession(id: string): M | undefined {
    return this.sessions.get(id)
  }

  async claimSession(
    id: string,
    ack: number,
    key: string | null,
    config: SessionLogConfig,
    stats: SessionLogStats,
    become: (claimed: ClaimedSession) => M,
  ): Promise<M | undefined> {
    await this.ready
    // Nothing is applied here until the session has caught up and is a member.
    const release = this.feed.hold()
    try {
      const [hash, list] = this.store.session(id)
      const reply = await this.store.run(
        'tetheredClaim',
        hash,
        list,
        this.store.key(`owned:${this.instanceId}`),
        this.instanceId,
        ack,
        key ?? '',
        this.epoch,
        Date.now(),
        id,
        this.options.prefix,
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
      if (this.feed.processed > seen) {
        const { from, entries: raw } = await this.feed.read(seen + 1, this.feed.processed)
        if (from > seen + 1) {
          this.quietly(this.removeInStore(id))
          return undefined
        }
        missed = raw
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
      this.sessions.set(id, member)
      this.logs.set(member, log)
      this.memberRooms.set(member, new Set(joined))
      this.clients.set(memberKey, member)
      for (const entry of missed) {
        const inRoom = entry.room === null || this.memberRooms.get(member)?.has(entry.room)
        if ((entry.to === null || entry.to === memberKey) && inRoom) this.apply(entry, member)
      }
      return member
    } finally {
      release()
    }
  }

  private removeInStore(id: string): Promise<unknown> {
    return this.store.run(
      'tetheredRemove',
      ...this.store.session(id),
      this.store.key(`owned:${this.instanceId}`),
      this.instanceId,
      id,
    )
  }

  removeSession(id: string, member: M): void {
    if (this.sessions.get(id) !== member) return
    this.sessions.delete(id)
    this.awaySessions.delete(member)
    this.logs.delete(member)
    this.memberRooms.delete(member)
    this.quietly(this.removeInStore(id))
  }

  private presence(member: M, present: boolean): void {
    const log = this.logs.get(member)
    if (log === undefined) return
    this.quietly(
      this.store.run(
        'tetheredPresence',
        ...this.store.session(log.id),
        this.store.key('reg'),
        this.instanceId,
        present ? 1 : 0,
        member.key,
        member.id,
      ),
    )
  }

  away(member: M): void {
    this.awaySessions.add(member)
    this.presence(member, false)
  }

  back(member: M): void {
    this.awaySessions.delete(member)
    this.presence(member, true)
  }

  makeRoom(max: number, evict: (member: M) => void): void {
    for (const oldest of this.awaySessions) {
      if (this.sessions.size < max) break
      evict(oldest)
    }
  }

  localSessions(): Iterable<M> {
    return this.sessions.values()
  }

  // Leases and the epoch.

  private tick(): void {
    this.store.renew().then(
      (others) => {
        for (const other of others) this.reapIfDead(other)
      },
      (error: unknown) => this.report(error),
    )
    void this.checkEpoch()
    this.feed.poll()
  }

  private reapIfDead(instance: string): void {
    this.store.client.exists(this.store.key(`lease:${instance}`)).then(
      (alive) => {
        if (alive === 0) this.quietly(this.store.run('tetheredReap', instance, this.options.prefix))
      },
      (error: unknown) => this.report(error),
    )
  }

  /** Redis without the epoch this instance knows lost its data: sessions cannot be resumed. */
  private async checkEpoch(): Promise<void> {
    if (this.epoch === '') return
    try {
      const key = this.store.key('epoch')
      const current = await this.store.client.get(key)
      if (current === this.epoch) return
      await this.store.client.set(key, randomUUID(), 'NX')
      const fresh = await this.store.client.get(key)
      if (fresh === null || fresh === this.epoch) return
      this.epoch = fresh
      this.feed.processed = Number((await this.store.client.get(this.store.key('bseq'))) ?? 0)
      this.report(
        new Error(
          'Redis lost its data (the epoch changed): reliable sessions on this instance are ended (1012), and their clients are told they were not resumed',
        ),
      )
      for (const member of [...this.sessions.values()]) {
        this.host?.end(member, 1012, 'the shared store lost its data')
      }
      // Plain clients stay: their registry entries are written again.
      for (const member of this.clients.values()) if (!this.logs.has(member)) this.register(member)
    } catch (error) {
      this.report(error)
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.store.close()
  }
}
