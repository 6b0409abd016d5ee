import type { Batch } from './types'

type Schedule = (flush: () => void) => void

const microtask: Schedule = (flush) => {
  Promise.resolve().then(flush)
}

// One render per display frame: in a browser every WebSocket message is its own task, so
// microtask batching alone would still notify once per message under a flood. A hidden page
// gets no frames, so it falls back to a microtask rather than holding state back.
const frame: Schedule = (flush) => {
  if (
    typeof requestAnimationFrame === 'function' &&
    !(typeof document !== 'undefined' && document.hidden)
  ) {
    requestAnimationFrame(() => flush())
  } else {
    microtask(flush)
  }
}

export function toScheduler(batch: Batch | undefined): Schedule {
  if (typeof batch === 'function') return batch
  if (batch === 'sync') return (flush) => flush()
  return batch === 'microtask' ? microtask : frame
}
