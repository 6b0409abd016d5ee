/**
 * The typed event map, shared by both ends. It is written from the client's point of
 * view, so the very same type is given to `useSocket<Events>()` and to
 * `createSocketServer<Events>()`:
 *
 * - `in`: messages the client receives, so the server emits them;
 * - `out`: messages the client sends, so the server listens to them;
 * - `requests`: client → server requests answered by `server.handle()`, each with the
 *   `data` it carries and the `reply` it resolves to.
 *
 * Payloads are typed, not validated: whatever a peer sends arrives as it was parsed.
 */
export interface EventMap {
  in?: object
  out?: object
  requests?: object
}

/** What a request type declares: the payload it carries and the reply it resolves to. */
export interface RequestShape {
  data?: unknown
  reply?: unknown
}

/** Used when no event map is given: every type name allowed, payloads `unknown`. */
export interface DefaultEvents {
  in: Record<string, unknown>
  out: Record<string, unknown>
  requests: Record<string, { data: unknown; reply: unknown }>
}

type Loose = Record<string, unknown>

/** Server → client messages (the client's `in`). */
export type EmitMap<E extends EventMap> = E extends { in: infer M extends object } ? M : Loose
/** Client → server messages (the client's `out`). */
export type ListenMap<E extends EventMap> = E extends { out: infer M extends object } ? M : Loose
/** Client → server requests; none when the map declares no `requests` (as on the client). */
export type RequestMap<E extends EventMap> = E extends { requests: infer M extends object }
  ? M
  : Record<never, never>

export type EmitType<E extends EventMap> = Extract<keyof EmitMap<E>, string>
export type ListenType<E extends EventMap> = Extract<keyof ListenMap<E>, string>
export type RequestType<E extends EventMap> = Extract<keyof RequestMap<E>, string>

export type EmitData<E extends EventMap, K extends EmitType<E>> = EmitMap<E>[K]
export type ListenData<E extends EventMap, K extends ListenType<E>> = ListenMap<E>[K]
export type RequestData<E extends EventMap, K extends RequestType<E>> = RequestMap<E>[K] extends {
  data: infer D
}
  ? D
  : undefined
export type RequestReply<E extends EventMap, K extends RequestType<E>> = RequestMap<E>[K] extends {
  reply: infer R
}
  ? R
  : undefined

/** The payload argument: optional when the payload type admits `undefined`. */
export type PayloadArgs<P> = undefined extends P ? [data?: P] : [data: P]

/**
 * What `authenticate` may return as an identity: a string or number key, or an object
 * with an `id` that becomes the key in `server.clients` (override with `identityKey`).
 */
export type IdentityLike = string | number | { readonly id: string | number }

/** How the server reports an upgrade it turned away. */
export type RefusalReason =
  | 'handshake'
  | 'path'
  | 'origin'
  | 'capacity'
  | 'shutting-down'
  | 'authenticate'
  | 'upgrade-error'
  | 'duplicate'

export interface RefusalInfo {
  reason: RefusalReason
  /** The HTTP status answered; for a refusal after the handshake, the one it stands for. */
  status: number
  /**
   * Set when the refusal came after the handshake, with reliable delivery: a duplicate
   * identity is only known at the hello. The socket was closed with this code (4410).
   */
  closeCode?: number | undefined
  message: string
  /** The request's url (path and query) as received. */
  url: string
  remoteAddress: string | undefined
}
