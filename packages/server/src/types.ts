import type {
  DataArgs,
  EventMap,
  InData,
  InMap,
  InType,
  OutData,
  OutMap,
  OutType,
} from '@tethered/protocol'

// The event map and its helpers are the wire contract's, shared with the client.
export type {
  DataArgs,
  DefaultEvents,
  EventMap,
  InData,
  InMap,
  InType,
  OutData,
  OutMap,
  OutType,
  RequestData,
  RequestMap,
  RequestReply,
  RequestShape,
  RequestType,
} from '@tethered/protocol'

// The names the helpers had here before the client and the server shared one family,
// kept for one release so that code written against them still compiles.
/** @deprecated Use `InMap`. */
export type EmitMap<E extends EventMap> = InMap<E>
/** @deprecated Use `OutMap`. */
export type ListenMap<E extends EventMap> = OutMap<E>
/** @deprecated Use `InType`. */
export type EmitType<E extends EventMap> = InType<E>
/** @deprecated Use `OutType`. */
export type ListenType<E extends EventMap> = OutType<E>
/** @deprecated Use `InData`. */
export type EmitData<E extends EventMap, K extends InType<E>> = InData<E, K>
/** @deprecated Use `OutData`. */
export type ListenData<E extends EventMap, K extends OutType<E>> = OutData<E, K>
/** @deprecated Use `DataArgs`. */
export type PayloadArgs<P> = DataArgs<P>

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
