import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import type { ResolvedRedisOptions } from './options'
import { SCRIPTS, type ScriptName } from './scripts'

type Arg = string | number
type Command = (...args: Arg[]) => Promise<unknown>

export interface StoreEvents {
  /** A message on one of the channels this instance listens to. */
  message(channel: string, message: string): void
  /** The PUB/SUB connection is back: what was published meanwhile is read from the log. */
  resubscribed(): void
  /** The command connection is (again) ready: the epoch is checked. */
  ready(): void
  /**
   * A survivor took this instance for dead (its renewal came after the lease expired: a
   * blocked event loop, a stalled process) and reaped it: what it holds is listed again.
   */
  reaped(): void
  report(error: unknown): void
}

/**
 * The two Redis connections of an instance (commands; PUB/SUB) and every key and channel
 * name. Each failure of a connection is reported once until it is ready again.
 */
export class RedisStore {
  readonly client: Redis
  readonly sub: Redis
  private readonly owned: boolean
  private down = { client: false, sub: false }
  private closed = false

  constructor(
    private readonly options: ResolvedRedisOptions,
    readonly instance: string,
    private readonly events: StoreEvents,
  ) {
    this.owned = options.client === undefined
    this.client =
      options.client ??
      new Redis(options.url ?? 'redis://127.0.0.1:6379', {
        // A command waits through a short outage, not a long one: a reliable message that
        // cannot be stored fails soon, and loudly.
        maxRetriesPerRequest: 3,
        // A Redis that stops answering (a half-open network, a stalled server) sends no
        // error: no command waits longer than the lease, after which the cluster takes this
        // instance for dead anyway.
        commandTimeout: options.lease,
      })
    for (const [name, { keys, lua }] of Object.entries(SCRIPTS)) {
      this.client.defineCommand(name, { numberOfKeys: keys, lua })
    }
    this.sub = this.client.duplicate()
    this.watch(this.client, 'client')
    this.watch(this.sub, 'sub')
    this.sub.on('message', (channel: string, message: string) => events.message(channel, message))
    let subscribedOnce = false
    this.sub.on('ready', () => {
      // ioredis subscribes again by itself after a reconnect.
      if (subscribedOnce) events.resubscribed()
      subscribedOnce = true
    })
    this.client.on('ready', () => events.ready())
  }

  private watch(connection: Redis, which: 'client' | 'sub'): void {
    connection.on('error', (error: unknown) => {
      if (this.down[which] || this.closed) return
      this.down[which] = true
      this.events.report(
        new Error(
          `Redis ${which === 'sub' ? 'PUB/SUB ' : ''}connection failed (local clients are still served; other instances are reached again once it is back): ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        ),
      )
    })
    connection.on('ready', () => {
      this.down[which] = false
    })
  }

  key(name: string): string {
    return this.options.prefix + name
  }

  session(id: string): [string, string] {
    return [this.key(`s:${id}`), this.key(`l:${id}`)]
  }

  get channels() {
    return {
      bell: this.key('bell'),
      plain: this.key('plain'),
      control: this.key(`i:${this.instance}`),
    }
  }

  run(name: ScriptName, ...args: Arg[]): Promise<unknown> {
    return this.answered((this.client as unknown as Record<ScriptName, Command>)[name](...args))
  }

  /**
   * A command that timed out means the connection is dead: it is made again, so what waits
   * on it fails now (within `maxRetriesPerRequest`) instead of piling up behind it.
   */
  private answered<T>(command: Promise<T>): Promise<T> {
    return command.catch((error: unknown) => {
      if (error instanceof Error && /timed out/i.test(error.message) && !this.closed) {
        this.client.disconnect(true)
      }
      throw error
    })
  }

  /** Takes the lease, reads (or sets) the epoch and the broadcast counter, subscribes. */
  async open(): Promise<{ epoch: string; bseq: number }> {
    await this.renew()
    await this.client.set(this.key('epoch'), randomUUID(), 'NX')
    const [epoch, bseq] = await this.client.mget(this.key('epoch'), this.key('bseq'))
    const { bell, plain, control } = this.channels
    await this.sub.subscribe(bell, plain, control)
    return { epoch: epoch ?? '', bseq: Number(bseq ?? 0) }
  }

  /** The epoch now, if Redis no longer has `known` (it lost its data), with the broadcast counter. */
  async epochChanged(known: string): Promise<{ epoch: string; bseq: number } | undefined> {
    const key = this.key('epoch')
    if ((await this.client.get(key)) === known) return undefined
    await this.client.set(key, randomUUID(), 'NX')
    const [epoch, bseq] = await this.client.mget(key, this.key('bseq'))
    if (epoch === null || epoch === undefined || epoch === known) return undefined
    return { epoch, bseq: Number(bseq ?? 0) }
  }

  /** Renews the lease; instances listed without one are dead: the first survivor to see it reaps them. */
  async renewAndReap(): Promise<void> {
    const { others, added } = await this.renew()
    // Listed since `open`: missing from the list means a survivor reaped this instance.
    if (added && !this.closed) this.events.reaped()
    if (others.length === 0) return
    const alive = await this.client.exists(...others.map((i) => this.key(`lease:${i}`)))
    if (alive === others.length) return
    for (const other of others) {
      if ((await this.client.exists(this.key(`lease:${other}`))) === 0) {
        await this.run('tetheredReap', other, this.options.prefix)
      }
    }
  }

  /**
   * Renews this instance's lease and says which other instances are listed, and whether this
   * one had to be listed again.
   */
  private async renew(): Promise<{ others: string[]; added: boolean }> {
    const reply = await this.answered(
      this.client
        .multi()
        .set(this.key(`lease:${this.instance}`), '1', 'PX', this.options.lease)
        .sadd(this.key('instances'), this.instance)
        .smembers(this.key('instances'))
        .exec(),
    )
    const members = reply?.[2]?.[1]
    return {
      others: Array.isArray(members)
        ? (members as string[]).filter((i) => i !== this.instance)
        : [],
      added: reply?.[1]?.[1] === 1,
    }
  }

  async close(): Promise<void> {
    this.closed = true
    // Bounded: with Redis down, a client's retries could hold `server.close()` for long.
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([
      Promise.allSettled([
        this.client.del(this.key(`lease:${this.instance}`)),
        this.client.srem(this.key('instances'), this.instance),
      ]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 1_000)
      }),
    ])
    clearTimeout(timer)
    this.sub.disconnect()
    if (this.owned) this.client.disconnect()
  }
}
