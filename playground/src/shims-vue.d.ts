// Type of `.vue` single-file components for `tsc`, which does not read them (Vite compiles them).
declare module '*.vue' {
  import type { DefineComponent } from 'vue'

  const component: DefineComponent<Record<string, unknown>, Record<string, unknown>, unknown>
  export default component
}
