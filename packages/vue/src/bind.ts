import type { Bindable, BindableMethods as Methods, UrlSource } from '@tethered/core'
import {
  getCurrentScope,
  type MaybeRefOrGetter,
  onScopeDispose,
  type ShallowRef,
  shallowReadonly,
  shallowRef,
  toValue,
  warn,
  watch,
} from 'vue'

// use-socket imports these from here: a bundler keeps one `import … from 'vue'` per module
// that imports vue, and each costs bytes.
export { getCurrentScope, onScopeDispose }

/** VueUse's name for `connect`, so code moving over keeps working. */
export interface ImmediateOption {
  /** `false` starts closed, like `connect: false`; `open()` connects. @default true */
  immediate?: boolean
}

/** Each snapshot field as a readonly shallow ref: the value is never made deeply reactive. */
export type ReadonlyRefs<S> = { readonly [K in keyof S]-?: Readonly<ShallowRef<S[K]>> }

function readUrl(url: MaybeRefOrGetter<UrlSource>): UrlSource {
  // An `async` function is core's url provider, called before every attempt: it is handed
  // over as it is, never called here to find out what it is (that fetched a token for nothing).
  const value =
    (url as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'AsyncFunction'
      ? url
      : (toValue(url) as unknown)
  if (typeof (value as PromiseLike<unknown> | null)?.then !== 'function') return value as UrlSource
  // `url` was a url provider that is not declared `async` (it returns a promise), which
  // `toValue` took for a getter. Core gets the function itself; this probe's promise is
  // unused and must not surface as an unhandled rejection.
  Promise.resolve(value).catch(() => {})
  return url as UrlSource
}

function readOptions<O>(options: MaybeRefOrGetter<(O & ImmediateOption) | undefined>): O {
  // The spread reads every key, so a `reactive()` options object is tracked too.
  const { immediate, ...rest } = toValue(options) ?? ({} as O & ImmediateOption)
  return (immediate === false ? { ...rest, connect: false } : rest) as O
}

/**
 * Binds a core observer to the current effect scope: the url and options are watched and
 * handed to `setOptions` (core decides whether that reconnects), snapshot fields are
 * copied into shallow refs on every (batched) notification, and scope disposal
 * unsubscribes, which lets core release the socket. Returns the refs and the observer's
 * methods.
 */
export function bind<O, St extends Bindable<Src, O>, Src = UrlSource>(
  name: string,
  create: (source: Src, options: O) => St,
  // A url, or (useConnection) a getter of the connection, which `readUrl` reads as it is.
  url: MaybeRefOrGetter<Src>,
  options: MaybeRefOrGetter<(O & ImmediateOption) | undefined>,
): ReadonlyRefs<ReturnType<St['getSnapshot']>> & Methods<St> {
  const scope = getCurrentScope()
  if (!scope) {
    warn(
      `${name}() was called outside setup() and any effectScope(): its socket can never be released`,
    )
  }

  let store: St | undefined
  // `immediate` runs the first round synchronously: that round creates the observer.
  watch(
    () => [readUrl(url as MaybeRefOrGetter<UrlSource>) as Src, readOptions<O>(options)] as const,
    ([u, o]) => (store ? store.setOptions(u, o) : (store = create(u, o))),
    { immediate: true },
  )
  const bound = store as St

  const first = bound.getSnapshot() as Record<string, unknown>
  const state: Record<string, ShallowRef<unknown>> = {}
  const refs: Record<string, unknown> = {}
  for (const key in first) refs[key] = shallowReadonly((state[key] = shallowRef(first[key])))

  // Server rendering has no unmount to release a socket, so it opens none and keeps the
  // idle snapshot (UNINSTANTIATED).
  if (typeof window !== 'undefined') {
    const off = bound.subscribe(() => {
      const next = bound.getSnapshot() as Record<string, unknown>
      // shallowRef ignores an unchanged value, so only fields that moved trigger an update.
      for (const key in state) (state[key] as ShallowRef<unknown>).value = next[key]
    })
    if (scope) onScopeDispose(off)
  }

  const { setOptions, subscribe, getSnapshot, getServerSnapshot, getConnection, ...methods } = bound
  return Object.assign(refs, methods) as ReadonlyRefs<ReturnType<St['getSnapshot']>> & Methods<St>
}
