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
import { type ChannelHost, onChannel } from './channels'
import { Feed, type FeedEntry } from './feed'
import { type RedisAdapterOptions, resolveRedisOptions } from './options'
import { dataLost, holderOf, type Instance, relist, resync } from './recovery'
import { RedisSessions } from './sessions'
import { RedisStore } from './store'

/** A Redis adapter: `createSocketServer({ adapter })` on every instance of one cluster. */
export interface RedisStateAdapter<M extends AdapterMember = AdapterMember>
  extends StateAdapter<M> {
  /** This instance in Redis: what `server.identity(key).locate()` says for identities held here. */
  readonly instanceId: string
  /**
   * Resolves once Redis has answered (epoch and broadcast counter read, lease taken). Never
   * rejects: while Redis cannot be reached it is tried again, each failure an `error` event.
   */
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
  private readonly sessions: RedisSessions<M>
  private readonly store: RedisStore
  private readonly feed: Feed
  private host: AdapterHost<M> | undefined
  private epoch = ''
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly options: ReturnType<typeof resolveRedisOptions>
  private readonly instance: Instance<M> & ChannelHost<M>
  private opening: Promise<void> | undefined
  private opened: () => void = () => {}

  constructor(options: ReturnType<typeof resolveRedisOptions>) {
    this.options = options
    this.store = new RedisStore(options, this.instanceId, {
      message: (channel, message) => onChannel(this.instance, channel, message),
      resubscribed: () => this.feed.poll(),
      ready: () => {
        void this.checkEpoch()
        // A reconnect (the first ready comes before the epoch is known).
        if (this.epoch !== '') this.quietly(resync(this.instance))
      },
      reaped: () => relist(this.instance),
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
    this.sessions = new RedisSessions<M>({
      store: this.store,
      feed: this.feed,
      prefix: options.prefix,
      clients: this.clients,
      epoch: async () => {
        await this.open()
        return this.epoch
      },
      apply: (entry, member) => this.apply(entry, member),
      quietly: (promise) => this.quietly(promise),
    })
    this.instance = {
      instanceId: this.instanceId,
      clients: this.clients,
      store: this.store,
      sessions: this.sessions,
      host: () => this.host,
      feed: this.feed,
      targets: (room, to) => this.targets(room, to),
      register: (member) => this.register(member),
      released: (member) => this.released(member),
      report: (error) => this.report(error),
    }
    this.ready = new Promise((resolve) => {
      this.opened = resolve
    })
    this.open().catch((error: unknown) => this.report(error))
    this.timer = setInterval(() => this.tick(), Math.max(50, Math.floor(options.lease / 3)))
    this.timer.unref?.()
  }

  /** Takes the lease, reads the epoch: once, an attempt that failed made again by the next caller. */
  private open(): Promise<void> {
    if (this.epoch !== '') return Promise.resolve()
    this.opening ??= this.store.open().then(
      ({ epoch, bseq }) => {
        this.epoch = epoch
        this.feed.processed = bseq
        this.opened()
      },
      (error: unknown) => {
        this.opening = undefined
        throw error
      },
    )
    return this.opening
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
    return holderOf(this.instanceId, member)
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

  /**
   * Its key is held on another instance now: unlisted here at once, not when its close
   * completes (30 s on a dead network), or what is sent to the key here would not be forwarded.
   */
  private released(member: M): void {
    if (this.clients.get(member.key) === member) this.clients.delete(member.key)
  }

  // Rooms: members on this instance; a broadcast goes to every instance.

  join(room: string, member: M): void {
    let set = this.rooms.get(room)
    if (set === undefined) this.rooms.set(room, (set = new Set()))
    set.add(member)
    this.sessions.roomsChanged(member, room, true)
  }

  leave(room: string, member: M): void {
    const set = this.rooms.get(room)
    if (set?.delete(member) && set.size === 0) this.rooms.delete(room)
    this.sessions.roomsChanged(member, room, false)
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
      const log = this.sessions.logOf(member)
      if (log !== undefined) {
        if (entry.seq <= log.broadcast) continue
        log.mark = entry.seq
      }
      host.deliver(member, entry.text)
      if (log !== undefined) log.mark = 0
    }
  }

  // Reliable sessions: see sessions.ts.

  createLog(id: string, config: SessionLogConfig, stats: SessionLogStats): SessionLog {
    return this.sessions.createLog(id, config, stats)
  }

  addSession(id: string, member: M): Promise<void> {
    return this.sessions.add(id, member)
  }

  findSession(id: string): M | undefined {
    return this.sessions.find(id)
  }

  claimSession(
    id: string,
    ack: number,
    key: string | null,
    config: SessionLogConfig,
    stats: SessionLogStats,
    become: (claimed: ClaimedSession) => M,
  ): Promise<M | undefined> {
    return this.sessions.claim(id, ack, key, config, stats, become)
  }

  removeSession(id: string, member: M): void {
    this.sessions.remove(id, member)
  }

  away(member: M): void {
    this.sessions.presence(member, false)
  }

  back(member: M): void {
    this.sessions.presence(member, true)
  }

  makeRoom(max: number, evict: (member: M) => void): void {
    this.sessions.makeRoom(max, evict)
  }

  localSessions(): Iterable<M> {
    return this.sessions.local()
  }

  // Leases and the epoch.

  private tick(): void {
    if (this.epoch === '') this.quietly(this.open())
    else {
      this.quietly(this.store.renewAndReap())
      void this.checkEpoch()
      this.feed.poll()
    }
  }

  /** Redis without the epoch this instance knows lost its data: sessions cannot be resumed. */
  private async checkEpoch(): Promise<void> {
    try {
      if (this.epoch === '') {
        await this.open()
        return
      }
      const changed = await this.store.epochChanged(this.epoch)
      if (changed === undefined) return
      this.epoch = changed.epoch
      this.feed.restart(changed.bseq)
      dataLost(this.instance)
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
