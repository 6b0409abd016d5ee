/** Names of the envelope fields, so existing servers fit (e.g. `{ type: 'ModeCode', data: 'msg' }`). */
export interface EnvelopeKeys {
  /** @default 'type' */
  type: string
  /** @default 'data' */
  data: string
  /** Correlates a request with its reply. @default 'id' */
  id: string
  /** Present on a reply instead of `data` when the request failed. @default 'error' */
  error: string
}

export const DEFAULT_ENVELOPE_KEYS: Readonly<EnvelopeKeys> = {
  type: 'type',
  data: 'data',
  id: 'id',
  error: 'error',
}

/** The error carried by a failed reply. */
export interface ErrorPayload {
  message: string
  code?: string
}

/** A decoded envelope: an event, a request (with `id`) or a reply (with `id`, and `error` when it failed). */
export interface Envelope<T extends string = string, D = unknown> {
  type: T
  data?: D
  id?: number
  error?: ErrorPayload
}

/** Fills in the default keys for any the caller left out. */
export function resolveEnvelopeKeys(keys?: Partial<EnvelopeKeys>): EnvelopeKeys {
  return keys ? { ...DEFAULT_ENVELOPE_KEYS, ...keys } : DEFAULT_ENVELOPE_KEYS
}

/** An envelope's fields: the default keys are named after them. */
type Field = keyof EnvelopeKeys

/**
 * Reads an envelope out of a parsed JSON value. Returns `null` when the value is not an
 * envelope. Only own properties are read, so `__proto__` or `constructor` in the payload
 * can never reach a prototype; type names are plain strings meant for `Map` lookups.
 */
export function decodeEnvelope(
  value: unknown,
  keys: EnvelopeKeys = DEFAULT_ENVELOPE_KEYS,
): Envelope | null {
  const envelope: Record<string, unknown> = {}
  if (typeof value === 'object' && value && !Array.isArray(value)) {
    for (const field in DEFAULT_ENVELOPE_KEYS) {
      const key = keys[field as Field]
      if (Object.hasOwn(value, key)) envelope[field] = (value as Record<string, unknown>)[key]
    }
  }
  const { type, id, error } = envelope
  if (typeof type !== 'string' || !type) return null
  if (!Number.isSafeInteger(id)) delete envelope.id
  if ('error' in envelope) {
    // A bare string is the message itself.
    const { message = error, code } = Object(error) as { message?: unknown; code?: unknown }
    envelope.error = {
      message: typeof message === 'string' ? message : 'request failed',
      ...(typeof code === 'string' && { code }),
    }
  }
  return envelope as unknown as Envelope
}

/** Builds the wire object for an envelope under the given keys. */
export function encodeEnvelope(
  envelope: Envelope,
  keys: EnvelopeKeys = DEFAULT_ENVELOPE_KEYS,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const field in DEFAULT_ENVELOPE_KEYS) {
    if (envelope[field as Field] !== undefined) {
      out[keys[field as Field]] = envelope[field as Field]
    }
  }
  return out
}
