import type { AdapterHost, AdapterMember } from '@tethered/server'
import type { Feed } from './feed'
import type { RedisSessions } from './sessions'
import type { RedisStore } from './store'

/** What the PUB/SUB messages of an instance reach. */
export interface ChannelHost<M extends AdapterMember> {
  readonly store: RedisStore
  readonly instanceId: string
  readonly feed: Feed
  readonly clients: ReadonlyMap<string, M>
  readonly sessions: RedisSessions<M>
  host(): AdapterHost<M> | undefined
  /** The local members a broadcast to `room` (or to the key `to`) reaches. */
  targets(room: string | null, to: string | null): Iterable<M>
  /** Its key is held on another instance now. */
  released(member: M): void
  report(error: unknown): void
}

/**
 * A message on one of the instance's channels: a reliable broadcast's doorbell, a plain
 * broadcast of another instance, or a word for this instance (a member replaced elsewhere).
 */
export function onChannel<M extends AdapterMember>(
  instance: ChannelHost<M>,
  channel: string,
  message: string,
): void {
  const { bell, plain, control } = instance.store.channels
  try {
    if (channel === bell) instance.feed.offer(message)
    else if (channel === plain) {
      const [origin, room, to, exceptKeys, text] = JSON.parse(message) as [
        string,
        string | null,
        string | null,
        string[] | null,
        string,
      ]
      if (origin === instance.instanceId) return
      const host = instance.host()
      for (const member of instance.targets(room, to)) {
        if (!exceptKeys?.includes(member.key)) host?.deliver(member, text)
      }
    } else if (channel === control) {
      const [what, a, b] = JSON.parse(message) as [string, string, string | undefined]
      const member = what === 'taken' ? instance.sessions.find(a) : instance.clients.get(a)
      // Replaced elsewhere (the same member id when its session moved there).
      if (member !== undefined && (what === 'taken' || member.id === b)) {
        instance.host()?.replaced(member)
        instance.released(member)
      }
    }
  } catch (error) {
    instance.report(error)
  }
}
