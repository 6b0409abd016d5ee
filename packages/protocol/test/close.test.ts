import { describe, expect, it } from 'vitest'
import { assertClientClose, CloseCode, isCloseReason, isServerCloseCode } from '../src'

const isClientCloseCode = (code: number) => {
  try {
    assertClientClose(code, '')
    return true
  } catch {
    return false
  }
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe('close codes a peer may send', () => {
  it('a client: 1000, or 3000–4999', () => {
    const allowed = range(0, 6000).filter(isClientCloseCode)
    expect(allowed).toEqual([1000, ...range(3000, 4999)])
  })

  it('a server: 1000–1014 without the reserved 1004–1006, or 3000–4999', () => {
    const allowed = range(0, 6000).filter(isServerCloseCode)
    expect(allowed).toEqual([...range(1000, 1003), ...range(1007, 1014), ...range(3000, 4999)])
  })

  it('refuses what is not a plain integer, on both sides', () => {
    for (const code of [1000.5, -1000, Number.NaN, Number.POSITIVE_INFINITY, 1e21]) {
      expect(isClientCloseCode(code), String(code)).toBe(false)
      expect(isServerCloseCode(code), String(code)).toBe(false)
    }
    // The server hands the code to `ws`, which takes numbers only.
    expect(isServerCloseCode('1000' as unknown as number)).toBe(false)
  })

  it('lets each side send the codes Tethered gives a meaning to that are its to send', () => {
    const { NORMAL, REPLACED, DUPLICATE, UNAUTHORIZED } = CloseCode
    for (const code of [NORMAL, UNAUTHORIZED, REPLACED, DUPLICATE]) {
      expect(isClientCloseCode(code)).toBe(true)
      expect(isServerCloseCode(code)).toBe(true)
    }
    expect(isServerCloseCode(CloseCode.SERVICE_RESTART)).toBe(true)
    expect(isClientCloseCode(CloseCode.SERVICE_RESTART)).toBe(false)
    for (const code of [CloseCode.NO_STATUS, CloseCode.ABNORMAL, CloseCode.TLS_HANDSHAKE]) {
      expect(isServerCloseCode(code)).toBe(false)
    }
  })
})

describe('close reasons', () => {
  it('at most 123 bytes of UTF-8, counted as bytes, not characters', () => {
    expect(isCloseReason('')).toBe(true)
    expect(isCloseReason('x'.repeat(123))).toBe(true)
    expect(isCloseReason('x'.repeat(124))).toBe(false)
    expect(isCloseReason(`${'é'.repeat(61)}x`)).toBe(true)
    expect(isCloseReason('é'.repeat(62))).toBe(false)
    // A lone surrogate is sent as U+FFFD: 3 bytes.
    expect(isCloseReason(`${'x'.repeat(120)}\ud800`)).toBe(true)
    expect(isCloseReason(`${'x'.repeat(121)}\ud800`)).toBe(false)
  })

  it('a client is held to the same limit, with an error that says both rules', () => {
    expect(() => assertClientClose(1000, 'x'.repeat(123))).not.toThrow()
    expect(() => assertClientClose(1000, 'é'.repeat(62))).toThrow(
      new RangeError(
        'close(1000): use 1000 or a code from 3000 to 4999, a reason at most 123 bytes',
      ),
    )
  })
})
