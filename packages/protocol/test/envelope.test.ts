import { describe, expect, it } from 'vitest'
import { decodeEnvelope, encodeEnvelope, resolveEnvelopeKeys } from '../src'

describe('envelope', () => {
  it('reads only own properties and ignores what is not an envelope', () => {
    expect(decodeEnvelope(JSON.parse('{"type":"__proto__","data":1}'))).toEqual({
      type: '__proto__',
      data: 1,
    })
    expect(decodeEnvelope(JSON.parse('{"__proto__":{"type":"x"}}'))).toBeNull()
    expect(decodeEnvelope([1])).toBeNull()
    expect(decodeEnvelope({ type: 5 })).toBeNull()
    expect(decodeEnvelope({ type: 'a', id: 1.5 })).toEqual({ type: 'a' })
    expect(decodeEnvelope({ type: 'a', id: 2, error: 'bad' })).toEqual({
      type: 'a',
      id: 2,
      error: { message: 'bad' },
    })
    const keys = resolveEnvelopeKeys({ type: 'ModeCode', data: 'msg' })
    expect(encodeEnvelope({ type: 'a', data: 1 }, keys)).toEqual({ ModeCode: 'a', msg: 1 })
    expect(({} as Record<string, unknown>).type).toBeUndefined()
  })
})
