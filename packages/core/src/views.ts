import { call, type Handler } from './listen'
import type { ConnectionOptions, ConnectionView, MessageFilter, Snapshot } from './types'

/** `status` by `readyState` + 1, then CLOSED: waiting to retry, for the network, or stopped. */
export const STATUS = [
  'idle',
  'connecting',
  'open',
  'closing',
  'reconnecting',
  'offline',
  'stopped',
] as const

/** A view's update: with the message when one arrived, without when the state changed. */
type View<In> = (event?: MessageEvent, json?: In) => void

/**
 * The views of one connection and the batching of their notifications. The snapshot is
 * updated per message, but subscribers are notified at most once per batch.
 *
 * A tuple of plain functions, not an object: their names do not survive into the bundle.
 * - `view(filter?)`: a view with its own `subscribe` / `getSnapshot`, and with a filter its
 *   own `lastMessage`; `snapshot(message, json)` builds its snapshots from the connection.
 * - `changed(disposed?)`: the connection's state changed, so every view's snapshot did;
 *   `disposed`: the views are let go, and no listener is called again.
 * - `received(event, json)`: a message arrived (json: its parsed form, if any).
 */
export const createViews = <In>(
  o: ConnectionOptions<In, never>,
  snapshot: (message: MessageEvent | null, json: In | null) => Snapshot<In>,
) => {
  const views = new Set<View<In>>()
  // Only views with a filter are told of each message. The others read the newest message
  // when asked, so a message costs them nothing until someone looks: a flood into a
  // plain connection costs a counter, not a call per view.
  const filtered = new Set<View<In>>()
  const plain = new Set<Set<() => void>>()
  let count = 0
  // Unset until the first message: snapshots read them only once `count` or `jsonAt` has
  // passed where their view began, and unset, `jsonAt > from` is false. Flags start unset,
  // which reads as false: an initializer would cost bytes.
  let last!: MessageEvent
  let lastJson!: In
  let jsonAt!: number
  let messaged: boolean | undefined
  let scheduled: boolean | undefined
  // The listener sets of the views that changed since the last notification.
  const dirty = new Set<Set<() => void>>()

  const flush = () => {
    scheduled = false
    if (messaged) for (const set of plain) dirty.add(set)
    messaged = false
    const sets = [...dirty]
    dirty.clear()
    for (const set of sets) for (const listener of set) listener()
  }

  const notify = () => {
    if (scheduled) return
    scheduled = true
    const batch = o.batch
    if (typeof batch === 'function') batch(flush)
    else if (batch === 'sync') flush()
    // One render per display frame: in a browser every message is its own task, so a
    // microtask alone would still notify once per message under a flood. A hidden page
    // gets no frames, so it gets a microtask rather than held-back state.
    else if (
      batch !== 'microtask' &&
      (globalThis as { requestAnimationFrame?: unknown }).requestAnimationFrame &&
      !globalThis.document?.hidden
    )
      requestAnimationFrame(flush)
    else queueMicrotask(flush)
  }

  const makeView = (filter?: MessageFilter<In>): ConnectionView<In> => {
    const listeners = new Set<() => void>()
    let snap: Snapshot<In> | null | undefined
    let message: MessageEvent | null = null
    let json: In | null = null
    // Without a filter: the messages before this view are not its own, and the count its
    // snapshot was taken at.
    const from = count
    let at = count
    const view: View<In> = (event, data) => {
      if (event) {
        // A user's filter (say, `json.type` on a message that is not JSON) must not throw
        // out of the socket's listener.
        if (!call(filter as Handler | undefined, event, data)) return
        message = event
        if (data !== undefined) json = data
      }
      snap = null
      dirty.add(listeners)
    }
    views.add(view)
    if (filter) filtered.add(view)
    else plain.add(listeners)
    return {
      getSnapshot: () => {
        if (at !== count && !filter) {
          at = count
          snap = null
        }
        return (snap ??= snapshot(
          filter ? message : count > from ? last : null,
          filter ? json : jsonAt > from ? lastJson : null,
        ))
      },
      subscribe: (listener) => {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
      dispose: () => {
        views.delete(view)
        filtered.delete(view)
        plain.delete(listeners)
        listeners.clear()
      },
    }
  }

  return [
    makeView,
    (disposed?: boolean) => {
      if (disposed) for (const set of [views, filtered, plain, dirty]) set.clear()
      for (const view of views) view()
      notify()
    },
    (event: MessageEvent, json: In | undefined) => {
      count++
      last = event
      if (json !== undefined) {
        lastJson = json
        jsonAt = count
      }
      messaged = true
      if (filtered.size) for (const view of filtered) view(event, json)
      notify()
    },
  ] as const
}
