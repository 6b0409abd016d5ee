import { expect, it } from 'vitest'

it('imports and creates a connection in plain Node without touching window', async () => {
  expect(typeof window).toBe('undefined')
  expect(typeof document).toBe('undefined')
  const { createConnection, ReadyState } = await import('../src')
  const c = createConnection('ws://127.0.0.1:1/', { connect: false })
  expect(c.getSnapshot().readyState).toBe(ReadyState.UNINSTANTIATED)
  c.dispose()
})
