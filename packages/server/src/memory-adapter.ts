import type {
  AdapterHost,
  AdapterMember,
  Broadcast,
  IdentityLocation,
  SessionLog,
  SessionLogConfig,
  SessionLogStats,
  StateAdapter,
} from './adapter'
import { usageError } from './errors'
import { ReplayBuffer } from './reliable/replay-buffer'
import { Rooms } from './rooms'

/**
 * The default adapter: everything in this process, every answer at once. Enough for one
 * instance; for several behind a balancer use a shared one (`@tethered/redis`).
 */
export function memoryAdapter<M extends AdapterMember = AdapterMember>(): StateAdapter<M> {
  return new MemoryAdapter<M>()
}

class MemoryAdapter<M extends AdapterMember> implements StateAdapter<M> {
  readonly clients = new Map<string, M>()
  private readonly rooms = new Rooms<M>()
  private readonly sessions = new Map<string, M>()
  /** Sessions whose client is away, longest away first. */
  private readonly awaySessions = new Set<M>()
  private host: AdapterHost<M> | undefined

  attach(host: AdapterHost<M>): void {
    if (this.host !== undefined) {
      throw usageError(
        'createSocketServer',
        'this adapter is already used by another server',
        'Create one adapter per server: `adapter: memoryAdapter()`.',
      )
    }
    this.host = host
  }

  register(member: M): void {
    const previous = this.clients.get(member.key)
    if (previous !== undefined && previous !== member) this.host?.replaced(previous)
    this.clients.set(member.key, member)
  }

  unregister(member: M): void {
    if (this.clients.get(member.key) === member) this.clients.delete(member.key)
  }

  isConnected(key: string): boolean {
    return this.clients.get(key)?.present === true
  }

  locate(key: string): IdentityLocation | undefined {
    const holder = this.clients.get(key)
    return holder && { instance: 'local', present: holder.present }
  }

  join(room: string, member: M): void {
    this.rooms.join(room, member)
  }

  leave(room: string, member: M): void {
    this.rooms.leave(room, member)
  }

  members(room: string): ReadonlySet<M> {
    return this.rooms.members(room)
  }

  broadcast(message: Broadcast<M>, deliver: (member: M) => boolean): number {
    const targets =
      message.to !== undefined
        ? [this.clients.get(message.to)].filter((m) => m !== undefined)
        : message.room === undefined
          ? this.clients.values()
          : this.members(message.room)
    const skip = message.except
    let written = 0
    for (const member of targets) {
      if (skip?.has(member)) continue
      if (deliver(member)) written++
    }
    return written
  }

  createLog(_id: string, config: SessionLogConfig, stats: SessionLogStats): SessionLog {
    return new ReplayBuffer(config, stats)
  }

  claimSession(): undefined {
    return undefined
  }

  addSession(id: string, member: M): void {
    this.sessions.set(id, member)
  }

  findSession(id: string): M | undefined {
    return this.sessions.get(id)
  }

  removeSession(id: string, member: M): void {
    if (this.sessions.get(id) === member) this.sessions.delete(id)
    this.awaySessions.delete(member)
  }

  away(member: M): void {
    this.awaySessions.add(member)
  }

  back(member: M): void {
    this.awaySessions.delete(member)
  }

  makeRoom(max: number, evict: (member: M) => void): void {
    // `evict` ends the session, which removes it from the set being walked: a Set allows that.
    for (const oldest of this.awaySessions) {
      if (this.sessions.size < max) break
      evict(oldest)
    }
  }

  localSessions(): Iterable<M> {
    return this.sessions.values()
  }

  close(): void {}
}
