/**
 * The typed event map, one type for both ends. It is written from the client's point of
 * view, so the very same type is given to `useSocket<Events>()` or `createSocket<Events>()`
 * and to `createSocketServer<Events>()`:
 *
 * - `in`: messages the client receives, so the server emits them;
 * - `out`: messages the client sends, so the server listens to them;
 * - `requests`: client → server requests answered by `server.handle()`, each with the
 *   `data` it carries and the `reply` it resolves to.
 *
 * Each part may be left out: without `in` or `out` any type name is allowed there with an
 * `unknown` payload; without `requests` there are none. Payloads are typed, not validated:
 * whatever a peer sends arrives as it was parsed.
 */
export interface EventMap {
  in?: object
  out?: object
  requests?: object
}

/**
 * What a request type declares: the payload it carries and the reply it resolves to. Left
 * out, either is `undefined`, on both ends: a request without `data` sends none.
 */
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

/** Server → client messages. */
export type InMap<E extends EventMap> = E extends { in: infer M extends object } ? M : Loose
/** Client → server messages. */
export type OutMap<E extends EventMap> = E extends { out: infer M extends object } ? M : Loose
/** Client → server requests; none when the map declares no `requests`. */
export type RequestMap<E extends EventMap> = E extends { requests: infer M extends object }
  ? M
  : Record<never, never>

export type InType<E extends EventMap> = Extract<keyof InMap<E>, string>
export type OutType<E extends EventMap> = Extract<keyof OutMap<E>, string>
export type RequestType<E extends EventMap> = Extract<keyof RequestMap<E>, string>

export type InData<E extends EventMap, K extends InType<E>> = InMap<E>[K]
export type OutData<E extends EventMap, K extends OutType<E>> = OutMap<E>[K]
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

/** The payload argument of an emit: optional when the payload type admits `undefined`. */
export type DataArgs<D> = undefined extends D ? [data?: D] : [data: D]
