import { randomUUID } from 'node:crypto'
import { CloseCode, type EventMap, type Hello, parseFrame } from '@tethered/protocol'
import { WebSocket } from 'ws'
import { type StateAdapter, whenSettled } from '../adapter'
import type { ClientConnection } from '../connection'
import type { ReliableConfig, ResolvedOptions } from '../options-types'
import type { ServerStats } from '../stats'
import type { IdentityLike, RefusalInfo } from '../types'
import { Session } from './session'

const ignore = () => {}

/** Reads a client's first frame; a string says what is wrong with it (a close reason). */
export function parseHello(text: string): Hello | string {
  const frame = parseFrame(text)
  if (frame?.kind === 'hello') return frame.hello
  return frame?.kind === 'malformed' && frame.frame === 'hello'
    ? `reliable delivery: ${frame.message}`
    : 'reliable delivery: expected a hello (h:{...}) as the first message'
}

/** What the hello needs from the server. */
export interface HandshakeHost<E extends EventMap, Id extends IdentityLike> {
  readonly options: Pick<
    ResolvedOptions<Id>,
    'reliable' | 'duplicate' | 'maxSessions' | 'maxBufferedBytes' | 'backpressurePolicy'
  >
  readonly stats: ServerStats
  readonly adapter: StateAdapter<ClientConnection<E, Id>>
  isClosing(): boolean
  /** The client is connected for handlers, the registry and rooms. */
  register(client: ClientConnection<E, Id>): void
  /** The socket `from` took the hello on now belongs to `owner`'s session. */
  moved(owner: ClientConnection<E, Id>, from: ClientConnection<E, Id>): void
  refused(info: RefusalInfo): void
  report(error: unknown): void
}

/**
 * A reliable socket's first frame. A session the client presents is resumed when it is
 * alive, belongs to the same identity and still holds every message after the client's
 * `ack`; otherwise the client gets a new session and is told it was not resumed.
 */
export function onHello<E extends EventMap, Id extends IdentityLike>(
  host: HandshakeHost<E, Id>,
  client: ClientConnection<E, Id>,
  text: string,
): void {
  if (host.isClosing() || !client.isOpen) return
  const parsed = parseHello(text)
  if (typeof parsed === 'string') {
    client.socket.close(1002, parsed)
    return
  }
  if (refuseDuplicate(host, client, parsed.session)) return
  if (parsed.session === null) {
    start(host, client, 0)
    return
  }
  whenSettled(
    host.adapter.findSession(parsed.session),
    (found) => {
      // A remote store answers later: the socket may be gone by then.
      if (host.isClosing() || !client.isOpen) return
      if (found === undefined) {
        claim(host, client, parsed.session as string, parsed.ack)
        return
      }
      // Knowing a session id is not enough to take over another identity's session.
      const owner = found && (!client.authenticated || found.key === client.key) ? found : undefined
      const session = owner?.session
      if (owner && session?.canResume(parsed.ack, performance.now())) {
        host.moved(owner, client)
        owner.adopt(client)
        host.stats.sessions.resumed++
        session.welcome(true, session.inSeq)
        session.replay(parsed.ack)
        return
      }
      host.stats.sessions.notResumed++
      let ack = 0
      if (owner && session) {
        // Messages the client missed are gone, so the session is. What the server got of
        // it stays acknowledged: the client drops that and numbers the rest anew.
        ack = session.inSeq
        owner.leaveAll()
        owner.end(4409, 'replaced by a newer session')
      }
      start(host, client, ack)
    },
    host.report,
  )
}

/** A new session for `client`, whose welcome acknowledges `ack` of an old one. */
function start<E extends EventMap, Id extends IdentityLike>(
  host: HandshakeHost<E, Id>,
  client: ClientConnection<E, Id>,
  ack: number,
): void {
  // The identity's own detached session goes anyway (registering replaces it): ended first,
  // it does not count against `maxSessions` and push out somebody else's.
  const previous = client.authenticated ? host.adapter.clients.get(client.key) : undefined
  if (previous && previous !== client && previous.session?.detached) {
    previous.leaveAll()
    previous.end(4409, 'replaced by a newer session')
  }
  // Whoever loops connect, hello, drop makes a session each time: memory stays bounded by
  // ending the longest-detached ones. A connected one is never ended for room (a client
  // would lose its session for doing nothing wrong); `maxConnections` bounds those.
  whenSettled(
    host.adapter.makeRoom(host.options.maxSessions, (oldest) => oldest.evict()),
    () => {
      if (host.isClosing() || !client.isOpen) return
      const config = host.options.reliable as ReliableConfig
      const id = randomUUID()
      const log = host.adapter.createLog(id, config, host.stats.sessions)
      const session = new Session(id, config, host.options, host.stats, client, log)
      client.session = session
      whenSettled(
        host.adapter.addSession(session.id, client),
        () => {
          // Its socket closed while the store wrote the session down: that close ended it,
          // and removed it from the store before the store had it.
          if (session.ending) {
            whenSettled(host.adapter.removeSession(session.id, client), ignore, host.report)
            return
          }
          session.welcome(false, ack)
          host.register(client)
        },
        (error) => notStored(host, client, error),
      )
    },
    (error) => notStored(host, client, error),
  )
}

/**
 * The store failed to write a session down or take one over: the client is closed with 1011
 * and tries again, rather than waiting on an open socket for a welcome that never comes.
 */
function notStored<E extends EventMap, Id extends IdentityLike>(
  host: HandshakeHost<E, Id>,
  client: ClientConnection<E, Id>,
  error: unknown,
): void {
  host.report(error)
  if (client.isOpen && !client.session?.ending) {
    client.socket.close(1011, 'reliable delivery: the session could not be stored')
  }
}

/**
 * A session this instance does not hold: a shared store may take it over from another
 * instance (whose client came back through the balancer to this one). Otherwise the client
 * gets a new session, told it was not resumed.
 */
function claim<E extends EventMap, Id extends IdentityLike>(
  host: HandshakeHost<E, Id>,
  client: ClientConnection<E, Id>,
  id: string,
  ack: number,
): void {
  // Taken over, it is one more session here: room is made as for a new one, so that no
  // instance holds more than `maxSessions`.
  whenSettled(
    host.adapter.makeRoom(host.options.maxSessions, (oldest) => oldest.evict()),
    () => {
      if (!host.isClosing() && client.isOpen) take(host, client, id, ack)
    },
    (error) => notStored(host, client, error),
  )
}

/** The takeover itself, once there is room for it. */
function take<E extends EventMap, Id extends IdentityLike>(
  host: HandshakeHost<E, Id>,
  client: ClientConnection<E, Id>,
  id: string,
  ack: number,
): void {
  const config = host.options.reliable as ReliableConfig
  const stats = host.stats
  let session: Session | undefined
  whenSettled(
    host.adapter.claimSession(
      id,
      ack,
      client.authenticated ? client.key : null,
      config,
      stats.sessions,
      (claimed) => {
        // The adapter calls this in its own order of deliveries: from here on, broadcasts
        // to the session's rooms reach it.
        client.id = claimed.memberId
        client.key = claimed.key
        session = new Session(id, config, host.options, stats, client, claimed.log)
        session.restore(claimed.inSeq, claimed.outSeq)
        client.session = session
        for (const room of claimed.rooms) client.join(room)
        return client
      },
    ),
    (member) => {
      if (member === undefined || session === undefined) {
        stats.sessions.notResumed++
        if (!host.isClosing() && client.isOpen) start(host, client, 0)
        return
      }
      stats.sessions.resumed++
      if (!client.isOpen) {
        // Its socket closed before the session was its own, so that close ended nothing: the
        // session ends here, as it would have had the close come a moment later.
        if (client.socket.readyState === WebSocket.CLOSED && !session.ending) {
          session.close()
          whenSettled(host.adapter.removeSession(id, client), ignore, host.report)
          whenSettled(host.adapter.unregister(client), ignore, host.report)
        }
        return
      }
      session.welcome(true, session.inSeq)
      host.register(client)
      session.replay(ack)
    },
    (error) => notStored(host, client, error),
  )
}

/**
 * `duplicate: 'reject'` under reliable delivery: the upgrade check cannot see a socket of
 * the same identity whose hello has not come yet, so the policy holds here too. A client
 * presenting the connected session is that client coming back, not a duplicate.
 */
function refuseDuplicate<E extends EventMap, Id extends IdentityLike>(
  host: HandshakeHost<E, Id>,
  client: ClientConnection<E, Id>,
  session: string | null,
): boolean {
  if (host.options.duplicate !== 'reject' || !client.authenticated) return false
  const existing = host.adapter.clients.get(client.key)
  if (!existing?.isOpen || (session !== null && existing.session?.id === session)) return false
  const message = 'already connected with this identity'
  client.socket.close(CloseCode.DUPLICATE, message)
  host.stats.refused.duplicate++
  host.refused({
    reason: 'duplicate',
    status: 409,
    closeCode: CloseCode.DUPLICATE,
    message,
    url: client.url,
    remoteAddress: client.remoteAddress,
  })
  return true
}
