import {
  DEFAULT_ENVELOPE_KEYS,
  decodeEnvelope,
  type Envelope,
  type EnvelopeKeys,
  type ErrorPayload,
  encodeEnvelope,
  resolveEnvelopeKeys,
} from '@tethered/protocol'
import { describe } from './errors'
import { fail } from './option-checks'

export type Inbound =
  | { kind: 'envelope'; envelope: Envelope }
  /** A request whose id is not a safe integer: it gets an error reply echoing `id` as sent. */
  | { kind: 'bad-id'; type: string; id: unknown }
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
  // `decodeEnvelope` drops an id that is not a safe integer (the client relies on that),
  // which would turn the request into an event nobody answers.
  if (envelope.id === undefined && Object.hasOwn(value as object, keys.id)) {
    return { kind: 'bad-id', type: envelope.type, id: (value as Record<string, unknown>)[keys.id] }
  }
  return { kind: 'envelope', envelope }
}

/** Serializes an outgoing envelope; throws a TypeError naming the type when the data is not JSON-serializable. */
export function encode(
  keys: EnvelopeKeys,
  type: string,
  data: unknown,
  id?: unknown,
  error?: ErrorPayload,
): string {
  const envelope: Envelope = { type }
  if (data !== undefined) envelope.data = data
  // Not always a number: a bad request id is echoed as it was sent.
  if (id !== undefined) envelope.id = id as number
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

/** The `keys` option: four distinct, plain field names. */
export function resolveKeys(option: Partial<EnvelopeKeys> | undefined): EnvelopeKeys {
  if (option === undefined) return DEFAULT_ENVELOPE_KEYS
  if (typeof option !== 'object' || option === null) {
    fail(
      `\`keys\` must be an object, got ${describe(option)}`,
      "Pass e.g. `keys: { type: 'ModeCode', data: 'msg' }`.",
    )
  }
  const keys = resolveEnvelopeKeys(option)
  const names = Object.entries(keys)
  for (const [field, name] of names) {
    if (typeof name !== 'string' || name.length === 0) {
      fail(
        `\`keys.${field}\` must be a non-empty string, got ${describe(name)}`,
        'Use the field name your messages carry.',
      )
    }
    // Writing an envelope under one of these names would set a prototype, not a field.
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') {
      fail(`\`keys.${field}\` cannot be ${JSON.stringify(name)}`, 'Pick a plain field name.')
    }
  }
  if (new Set(names.map(([, name]) => name)).size !== names.length) {
    fail(
      `\`keys\` must name four different fields, got ${JSON.stringify(keys)}`,
      'Give each of type, data, id and error its own name.',
    )
  }
  return keys
}
