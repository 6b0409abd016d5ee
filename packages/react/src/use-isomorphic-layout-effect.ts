import { useEffect, useLayoutEffect } from 'react'

// A layout effect hands the latest options to the observer right after commit, before any
// socket event (a macrotask) can reach a stale callback. On the server effects never run, and
// React 18 warns about useLayoutEffect there, so the server gets the silent useEffect.
export const useIsomorphicLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect
