import type { ErrorPayload, EventMap } from '@tethered/protocol'
import type { ClientConnection } from './connection'
import {
  assertFunction,
  assertTypeName,
  RequestError,
  SocketServerError,
  usageError,
} from './errors'
import type { IdentityLike } from './types'

export type AnyRequestHandler = (data: never, client: never) => unknown

interface RequestHost {
  readonly exposeErrors: boolean
  readonly maxPendingRequests: number
  report(error: SocketServerError): void
  countError(): void
}

const INTERNAL: ErrorPayload = { message: 'Internal server error', code: 'INTERNAL' }

function toErrorPayload(error: unknown, expose: boolean): ErrorPayload {
  if (error instanceof RequestError || (expose && error instanceof Error)) {
    const code: unknown = (error as { code?: unknown }).code
    return typeof code === 'string' ? { message: error.message, code } : { message: error.message }
  }
  return INTERNAL
}

/**
 * Request handlers by type, and the reply convention shared with the client: a request
 * `{type, data, id}` gets `{type, id, data}` or `{type, id, error: {message, code?}}`.
 * Every request gets exactly one reply, so the client never waits for a timeout.
 */
export class RequestHandlers {
  private readonly handlers = new Map<string, AnyRequestHandler>()

  constructor(private readonly host: RequestHost) {}

  add(type: string, handler: AnyRequestHandler): () => void {
    assertTypeName('server.handle()', type, 'Pass the request type the client sends.')
    assertFunction(
      `server.handle('${type}')`,
      handler,
      'handler',
      'Pass `async (data, client) => reply`.',
    )
    if (this.handlers.has(type)) {
      throw usageError(
        `server.handle('${type}')`,
        'a handler for this type is already registered',
        'Each request has one reply: call the function the first handle() returned to remove it first.',
      )
    }
    this.handlers.set(type, handler)
    return () => {
      if (this.handlers.get(type) === handler) this.handlers.delete(type)
    }
  }

  async run<E extends EventMap, Id extends IdentityLike>(
    client: ClientConnection<E, Id>,
    type: string,
    id: number,
    data: unknown,
  ): Promise<void> {
    const handler = this.handlers.get(type) as
      | ((data: unknown, client: ClientConnection<E, Id>) => unknown)
      | undefined
    if (!handler) {
      this.host.countError()
      client.reply(type, id, undefined, {
        message: `no handler for request "${type}"`,
        code: 'NO_HANDLER',
      })
      return
    }
    // A slow handler must not let one client pile up promises (and what they hold) without end.
    const limit = this.host.maxPendingRequests
    if (client.pendingRequests >= limit) {
      this.host.countError()
      client.reply(type, id, undefined, {
        message: `too many requests in flight (maxPendingRequests: ${limit}); wait for replies first`,
        code: 'TOO_MANY_REQUESTS',
      })
      return
    }
    client.pendingRequests++
    let result: unknown
    try {
      result = await handler(data, client)
    } catch (error) {
      this.host.countError()
      if (!(error instanceof RequestError)) {
        this.host.report(
          new SocketServerError(
            'HANDLER_ERROR',
            `handler for request "${type}" threw for client ${client.id}; the client got an error reply`,
            { clientId: client.id, cause: error },
          ),
        )
      }
      client.reply(type, id, undefined, toErrorPayload(error, this.host.exposeErrors))
      return
    } finally {
      client.pendingRequests--
    }
    try {
      client.reply(type, id, result)
    } catch (error) {
      this.host.countError()
      this.host.report(
        new SocketServerError('SERIALIZE_ERROR', `reply to request "${type}" could not be sent`, {
          clientId: client.id,
          cause: error,
        }),
      )
      client.reply(type, id, undefined, INTERNAL)
    }
  }
}
