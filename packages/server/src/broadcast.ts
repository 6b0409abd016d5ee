import type { EnvelopeKeys, EventMap } from '@tethered/protocol'
import type { Broadcast, StateAdapter } from './adapter'
import type { Client } from './client'
import { ClientConnection } from './connection'
import { encode } from './envelope'
import { assertEmitType } from './listeners'
import { assertRoomName } from './rooms'
import type { BroadcastOptions } from './server-types'
import type { IdentityLike } from './types'

/**
 * `server.broadcast()` and `server.to(room).emit()`: serialized once, whatever the number
 * of clients, and fanned out by the adapter. Plain: encoded once too, the same Buffer
 * written to every socket. Reliable: each socket gets its own `m:<seq>:` prefix in front of
 * the same text (which `ws` writes into the socket without a Buffer of its own), and every
 * session keeps that one string for replay.
 */
export function broadcast<E extends EventMap, Id extends IdentityLike>(
  adapter: StateAdapter<ClientConnection<E, Id>>,
  keys: EnvelopeKeys,
  reliable: boolean,
  type: string,
  data: unknown,
  options: BroadcastOptions<E, Id> | undefined,
  to?: string,
): number {
  assertEmitType('server.broadcast()', type)
  const room = options?.room
  if (room !== undefined) assertRoomName('server.broadcast()', room)
  const except = options?.except
  const list = except === undefined ? null : Array.isArray(except) ? except : [except]
  const text = encode(keys, type, data)
  const payload = reliable ? text : Buffer.from(text)
  const now = reliable ? performance.now() : undefined
  const bytes = reliable ? Buffer.byteLength(text) : undefined
  const message: Broadcast<ClientConnection<E, Id>> = {
    text,
    room,
    except: list === null ? null : resolveExcept(adapter, list),
    exceptKeys: list === null ? null : exceptKeys(list),
    reliable,
    to,
  }
  return adapter.broadcast(message, (client) => client.deliver(payload, now, bytes))
}

/** Every key `except` names, clients' own included: what other instances skip. */
function exceptKeys<E extends EventMap, Id extends IdentityLike>(
  list: ReadonlyArray<Client<E, Id> | string>,
): string[] {
  return list.map((entry) => (typeof entry === 'string' ? entry : entry.key))
}

/** The local clients `except` names: clients, or identity keys of registered ones. */
function resolveExcept<E extends EventMap, Id extends IdentityLike>(
  adapter: StateAdapter<ClientConnection<E, Id>>,
  list: ReadonlyArray<Client<E, Id> | string>,
): Set<ClientConnection<E, Id>> {
  const skip = new Set<ClientConnection<E, Id>>()
  for (const entry of list) {
    const client = typeof entry === 'string' ? adapter.clients.get(entry) : entry
    if (client instanceof ClientConnection) skip.add(client)
  }
  return skip
}
