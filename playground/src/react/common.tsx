import { useEffect, useState } from 'react'

/** The current time, refreshed every `interval` ms while `active` (for countdowns). */
export function useNow(active: boolean, interval = 100): number {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    if (!active) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), interval)
    return () => clearInterval(timer)
  }, [active, interval])
  return active ? now : Date.now()
}
