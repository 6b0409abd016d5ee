import { describe, expect, it } from 'vitest'
import {
  encodeAck,
  encodeData,
  encodeHello,
  encodeWelcome,
  type FrameKind,
  parseFrame,
} from '../src'

describe('parseFrame: valid frames', () => {
  it('reads what the encoders write, every kind', () => {
    expect(parseFrame(encodeHello(null, 0))).toEqual({
      kind: 'hello',
      hello: { v: 1, session: null, ack: 0 },
    })
    expect(parseFrame(encodeHello('s1', 41))).toEqual({
      kind: 'hello',
      hello: { v: 1, session: 's1', ack: 41 },
    })
    expect(parseFrame(encodeWelcome('s1', true, 7))).toEqual({
      kind: 'welcome',
      welcome: { v: 1, session: 's1', resumed: true, ack: 7 },
    })
    expect(parseFrame(encodeData(1, '{"type":"x"}'))).toEqual({
      kind: 'data',
      seq: 1,
      payload: '{"type":"x"}',
    })
    expect(parseFrame(encodeAck(0))).toEqual({ kind: 'ack', seq: 0 })
    expect(parseFrame(encodeAck(32))).toEqual({ kind: 'ack', seq: 32 })
  })

  it('writes the documented format', () => {
    expect(encodeHello(null, 0)).toBe('h:{"v":1,"session":null,"ack":0}')
    expect(encodeWelcome('s', false, 3)).toBe('w:{"v":1,"session":"s","resumed":false,"ack":3}')
    expect(encodeData(12, 'hi')).toBe('m:12:hi')
    expect(encodeAck(12)).toBe('a:12')
  })

  it('keeps a payload as it is: empty, with colons, not JSON', () => {
    expect(parseFrame('m:3:')).toEqual({ kind: 'data', seq: 3, payload: '' })
    expect(parseFrame('m:3:a:b:c')).toEqual({ kind: 'data', seq: 3, payload: 'a:b:c' })
  })

  it('takes sequence numbers up to MAX_SAFE_INTEGER', () => {
    const max = Number.MAX_SAFE_INTEGER
    expect(parseFrame(`m:${max}:x`)).toMatchObject({ kind: 'data', seq: max })
    expect(parseFrame(`a:${max}`)).toEqual({ kind: 'ack', seq: max })
  })

  it('keeps only the documented fields of a hello or welcome', () => {
    expect(parseFrame('w:{"v":1,"session":"s","resumed":false,"ack":0,"extra":{"a":1}}')).toEqual({
      kind: 'welcome',
      welcome: { v: 1, session: 's', resumed: false, ack: 0 },
    })
  })

  it('leaves alone what is no reliable frame: app data and heartbeats', () => {
    for (const text of ['', 'p', 'ping', 'pong', '{"type":"x"}', 'x:1', 'M:1:x', 'mm:1:x', ':']) {
      expect(parseFrame(text)).toBeNull()
    }
  })
})

const handshake = (kind: 'h' | 'w', fields: Record<string, unknown>) =>
  `${kind}:${JSON.stringify({ v: 1, session: 's', ...(kind === 'w' && { resumed: false }), ack: 0, ...fields })}`

describe('parseFrame: malformed frames', () => {
  const cases: Array<[text: string, frame: FrameKind, problem: RegExp]> = [
    ['h:', 'hello', /not JSON/],
    ['h:{bad', 'hello', /not JSON/],
    ['h:null', 'hello', /not a JSON object/],
    ['h:[]', 'hello', /not a JSON object/],
    ['h:"s"', 'hello', /not a JSON object/],
    ['h:{"session":null,"ack":0}', 'hello', /no version/],
    [handshake('h', { v: 2 }), 'hello', /version 2 not supported \(this end speaks 1\)/],
    [handshake('h', { v: '1' }), 'hello', /version "1" not supported/],
    [handshake('h', { session: '' }), 'hello', /session must be a non-empty string or null/],
    [handshake('h', { session: 5 }), 'hello', /session/],
    [handshake('h', { ack: -1 }), 'hello', /ack must be a non-negative integer/],
    [handshake('h', { ack: 1.5 }), 'hello', /ack/],
    [handshake('h', { ack: '0' }), 'hello', /ack/],
    [handshake('h', { ack: 2 ** 60 }), 'hello', /ack/],
    ['w:null', 'welcome', /not a JSON object/],
    ['w:{bad', 'welcome', /not JSON/],
    ['w:[]', 'welcome', /not a JSON object/],
    ['w:1', 'welcome', /not a JSON object/],
    [handshake('w', { v: undefined }), 'welcome', /no version/],
    [handshake('w', { session: null }), 'welcome', /session must be a non-empty string$/],
    [handshake('w', { session: '' }), 'welcome', /session/],
    [handshake('w', { session: ['s'] }), 'welcome', /session/],
    [handshake('w', { resumed: 'true' }), 'welcome', /resumed must be a boolean/],
    [handshake('w', { resumed: undefined }), 'welcome', /resumed/],
    [handshake('w', { ack: null }), 'welcome', /ack/],
    ['m:1e308:x', 'data', /sequence number "1e308" is not a positive integer/],
    ['m:abc:x', 'data', /"abc"/],
    ['m:1.5:x', 'data', /"1.5"/],
    ['m:+1:x', 'data', /"\+1"/],
    ['m:-1:x', 'data', /"-1"/],
    ['m: 1:x', 'data', /" 1"/],
    ['m:0:x', 'data', /"0"/],
    ['m:01:x', 'data', /"01"/],
    ['m::x', 'data', /""/],
    ['m:0x10:x', 'data', /"0x10"/],
    ['m:9007199254740992:x', 'data', /not a positive integer/],
    ['m:99999999999999999999:x', 'data', /not a positive integer/],
    ['m:5', 'data', /no ':' after the sequence number/],
    ['m:', 'data', /no ':'/],
    ['a:', 'ack', /sequence number "" is not a non-negative integer/],
    ['a:1e308', 'ack', /"1e308"/],
    ['a:abc', 'ack', /"abc"/],
    ['a:-1', 'ack', /"-1"/],
    ['a:1.0', 'ack', /"1.0"/],
    ['a:00', 'ack', /"00"/],
    ['a:1:', 'ack', /"1:"/],
    ['a:9007199254740992', 'ack', /not a non-negative integer/],
  ]

  it.each(cases)('%s is a malformed %s', (text, frame, problem) => {
    const result = parseFrame(text)
    expect(result).toMatchObject({ kind: 'malformed', frame })
    const message = (result as { message: string }).message
    // Named by kind and letter, so a log line says which frame it was.
    expect(message).toMatch(new RegExp(`^${frame} \\(${text[0]}:\\): `))
    expect(message).toMatch(problem)
  })

  it('keeps messages short enough for a close reason, however long the frame', () => {
    const long = 'x'.repeat(10_000)
    const wide = '\u4e2d'.repeat(10_000) // 3 bytes each in UTF-8
    const texts = [`m:${long}:`, `a:${long}`, `w:${long}`, `m:${'\u0000'.repeat(100)}:`]
    for (const v of [long, wide, { wide }, [wide]]) texts.push(handshake('h', { v }))
    for (const text of texts) {
      const result = parseFrame(text) as { message: string }
      expect(new TextEncoder().encode(`reliable delivery: ${result.message}`).length).toBeLessThan(
        124,
      )
    }
  })

  it('never throws, whatever the text', () => {
    const texts = [
      'h:',
      'w:',
      'm:',
      'a:',
      'h:{"__proto__":{"v":1}}',
      'w:{"v":1}',
      '\u0000:',
      'm:\u0000:',
    ]
    // Nested deeper than JSON.stringify can recurse: a value is described, never serialised.
    const deep = (open: string, close: string) => `${open.repeat(100_000)}${close.repeat(100_000)}`
    texts.push(`h:{"v":${deep('[', ']')},"session":null,"ack":0}`)
    texts.push(
      `w:{"v":${deep('{"a":', '}').replace(/:}/, ':1}')},"session":"s","resumed":true,"ack":0}`,
    )
    for (const text of texts) expect(() => parseFrame(text)).not.toThrow()
    expect(parseFrame('h:{"__proto__":{"v":1},"session":null,"ack":0}')).toMatchObject({
      kind: 'malformed',
    })
  })
})
