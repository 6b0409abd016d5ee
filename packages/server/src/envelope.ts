import {
  decodeEnvelope,
  type Envelope,
  type EnvelopeKeys,
  type ErrorPayload,
  encodeEnvelope,
} from '@tethered/core/protocol'

export type Inbound =
  | { kind: 'envelope'; envelope: Envelope }
  | { kind: 'malformed'; code: 'MALFORMED_JSON' | 'NOT_AN_ENVELOPE'; message: string }

/**
 * Reads one text message. JSON.parse only creates own properties (a `"__proto__"` key
 * included) and `decodeEnvelope` reads own properties only, so nothing in a message can
 * reach a prototype; type names are only ever used as Map keys.
 */
export function parseInbound(text: string, keys: EnvelopeKeys): Inbound {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return {
      kind: 'malformed',
      code: 'MALFORMED_JSON',
      message: `message is not JSON (${error instanceof Error ? error.message : String(error)}); envelopes are JSON text like {"${keys.type}":"…","${keys.data}":…}`,
    }
  }
  const envelope = decodeEnvelope(value, keys)
  if (!envelope) {
    return {
      kind: 'malformed',
      code: 'NOT_AN_ENVELOPE',
      message: `message is JSON but not an envelope: expected an object with a non-empty string "${keys.type}"`,
    }
  }
  return { kind: 'envelope', envelope }
}

/** Serializes an outgoing envelope; throws a TypeError naming the type when the data is not JSON-serializable. */
export function encode(
  keys: EnvelopeKeys,
  type: string,
  data: unknown,
  id?: number,
  error?: ErrorPayload,
): string {
  const envelope: Envelope = { type }
  if (data !== undefined) envelope.data = data
  if (id !== undefined) envelope.id = id
  if (error !== undefined) envelope.error = error
  try {
    return JSON.stringify(encodeEnvelope(envelope, keys))
  } catch (cause) {
    throw new TypeError(
      `cannot send "${type}": its data is not JSON-serializable (${cause instanceof Error ? cause.message : String(cause)}). Send plain objects, arrays, strings, numbers, booleans and null.`,
      { cause },
    )
  }
}
