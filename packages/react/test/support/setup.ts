import { cleanup, configure } from '@testing-library/react'
import { afterEach, beforeEach, expect, vi } from 'vitest'

// Every waitFor is bounded; loopback sockets need far less than this.
configure({ asyncUtilTimeout: 3_000 })

// A React warning (an update after unmount, a getSnapshot that is not cached, act…) fails
// the test that caused it. Registered before `cleanup`, so it runs after it (hooks run in
// reverse order) and also sees warnings from unmounting.
let logged: unknown[][] = []
beforeEach(() => {
  logged = []
  const record = (...args: unknown[]) => {
    logged.push(args)
  }
  vi.spyOn(console, 'error').mockImplementation(record)
  vi.spyOn(console, 'warn').mockImplementation(record)
})
afterEach(() => {
  vi.restoreAllMocks()
  expect(logged, 'console.error / console.warn during the test').toEqual([])
})

// Vitest runs without globals, so @testing-library/react neither registers its cleanup nor
// sets IS_REACT_ACT_ENVIRONMENT. Left unset on purpose: socket events update the store from
// real I/O, outside act(); tests wait for the result with waitFor instead.
afterEach(cleanup)
