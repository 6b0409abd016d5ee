import type { EventMap } from '@tethered/protocol'
import type { Client, ClientCloseInfo } from './client'
import { Emitter } from './emitter'
import { assertFunction, SocketServerError, usageError } from './errors'
import type { ServerEvents } from './server-types'
import type { IdentityLike, RefusalInfo } from './types'

const INTERNAL_CODES = new Set([
  'HANDLER_ERROR',
  'LISTENER_ERROR',
  'UPGRADE_ERROR',
  'SERIALIZE_ERROR',
  'LISTEN_ERROR',
  'ADAPTER_ERROR',
])

/** The server's own events, and where everything that goes wrong is reported. */
export class ServerEventHub<E extends EventMap, Id extends IdentityLike> {
  private readonly emitter = new Emitter<ServerEvents<E, Id>>()

  on<K extends keyof ServerEvents<E, Id>>(
    event: K,
    listener: (...args: ServerEvents<E, Id>[K]) => void,
  ): () => void {
    if (!['connection', 'disconnect', 'error', 'refused'].includes(event)) {
      throw usageError(
        `server.on('${String(event)}')`,
        'unknown server event',
        "Server events are 'connection', 'disconnect', 'error' and 'refused'; listen to a client's messages with client.on(type) inside 'connection'.",
      )
    }
    assertFunction(`server.on('${event}')`, listener, 'listener', 'Pass a function.')
    return this.emitter.on(event, listener)
  }

  connection(client: Client<E, Id>): void {
    this.emitter.emit('connection', [client], this.threw('connection', client.id))
  }

  disconnect(client: Client<E, Id>, info: ClientCloseInfo): void {
    this.emitter.emit('disconnect', [client, info], this.threw('disconnect', client.id))
  }

  refused(info: RefusalInfo): void {
    this.emitter.emit('refused', [info], this.threw('refused'))
  }

  /** The state adapter failed (a remote store unreachable…): reported, the server carries on. */
  storeFailed(error: unknown): void {
    this.report(
      new SocketServerError(
        'ADAPTER_ERROR',
        `the state adapter failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      ),
    )
  }

  report(error: SocketServerError): void {
    if (this.emitter.has('error')) {
      this.emitter.emit('error', [error], (thrown) => {
        console.error('[@tethered/server] an error listener threw:', thrown)
      })
      return
    }
    // Bugs in the application's own code are never silent; bad input from clients is
    // only counted, so a hostile client cannot flood the log.
    if (INTERNAL_CODES.has(error.code)) console.error('[@tethered/server]', error)
  }

  private threw(event: string, clientId?: string): (error: unknown) => void {
    return (error) =>
      this.report(
        new SocketServerError('LISTENER_ERROR', `a server.on('${event}') listener threw`, {
          clientId,
          cause: error,
        }),
      )
  }
}
