// The contract between core's observers and the framework bindings, stated once: a binding
// takes the binding half (options in, subscribe, snapshots out) and hands the rest to users.

/** What a binding needs of an observer: new url and options, notifications, snapshots. */
export interface Bindable<Src, O, S = object> {
  setOptions(source: Src, options: O): void
  subscribe(listener: () => void): () => void
  getSnapshot(): S
  getServerSnapshot(): S
  getConnection?(): unknown
}

/** An observer's methods for users: everything but what binds it to a component. */
export type BindableMethods<B> = Omit<
  B,
  'setOptions' | 'subscribe' | 'getSnapshot' | 'getServerSnapshot' | 'getConnection'
>
