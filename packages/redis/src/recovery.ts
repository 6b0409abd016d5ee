import type { AdapterHost, AdapterMember } from '@tethered/server'
import type { RedisSessions } from './sessions'
import type { RedisStore } from './store'

/** What an instance's recovery touches: its clients, its sessions, Redis and the server. */
export interface Instance<M extends AdapterMember> {
  readonly instanceId: string
  readonly clients: ReadonlyMap<string, M>
  readonly store: RedisStore
  readonly sessions: RedisSessions<M>
  host(): AdapterHost<M> | undefined
  register(member: M): void
  /** Its key is held on another instance now. */
  released(member: M): void
  report(error: unknown): void
}

/** The registry entry's value for a member held here, before its presence flag. */
export const holderOf = (instanceId: string, member: AdapterMember): string =>
  `${instanceId}\t${member.id}\t`

/**
 * A survivor reaped this instance while it was alive (stalled past its lease): its
 * identities were released and its sessions left to expire. They are still its own
 * (reaping leaves the owner): it lists them again, and a key another instance took
 * meanwhile is that instance's now, as if it had registered while this one was listed.
 */
export function relist<M extends AdapterMember>(instance: Instance<M>): void {
  instance.report(
    new Error(
      'this instance was taken for dead (its lease expired before it renewed it: a blocked event loop or a stalled process?); it holds its sessions and identities again. Raise `lease` if this recurs',
    ),
  )
  listAgain(instance)
}

/**
 * The command connection is back after failing: registry writes made meanwhile may be lost.
 * Keys still listed as held here that no member here holds (their release failed) are
 * released, or `duplicate: 'reject'` would refuse them everywhere for as long as this
 * instance lives; what is held here is listed again.
 */
export async function resync<M extends AdapterMember>(instance: Instance<M>): Promise<void> {
  const { store, instanceId, clients } = instance
  const listed = await store.client.smembers(store.key(`keys:${instanceId}`))
  for (const key of listed) {
    if (clients.has(key)) continue
    const release = store.run(
      'tetheredUnregister',
      store.key('reg'),
      store.key(`keys:${instanceId}`),
      key,
      `${instanceId}\t`,
    )
    release.catch((error: unknown) => instance.report(error))
  }
  listAgain(instance)
}

function listAgain<M extends AdapterMember>(instance: Instance<M>): void {
  const { store, instanceId, clients } = instance
  instance.sessions.keep()
  for (const member of clients.values()) {
    store
      .run(
        'tetheredRelist',
        store.key('reg'),
        store.key(`keys:${instanceId}`),
        member.key,
        `${holderOf(instanceId, member)}${member.present ? 1 : 0}`,
        instanceId,
      )
      .then(
        (holder) => {
          if (holder !== null && clients.get(member.key) === member) {
            instance.host()?.replaced(member)
            instance.released(member)
          }
        },
        (error: unknown) => instance.report(error),
      )
  }
}

/**
 * Redis lost its data (the epoch changed): reliable sessions cannot be resumed, so they end
 * (1012) and their clients are told; plain clients stay, their registry entries written again.
 */
export function dataLost<M extends AdapterMember>(instance: Instance<M>): void {
  instance.report(
    new Error(
      'Redis lost its data (the epoch changed): reliable sessions on this instance are ended (1012), and their clients are told they were not resumed',
    ),
  )
  for (const member of [...instance.sessions.local()]) {
    instance.host()?.end(member, 1012, 'the shared store lost its data')
  }
  for (const member of instance.clients.values())
    if (!instance.sessions.logOf(member)) instance.register(member)
}
