// `@tethered/core/protocol` was the wire contract's home before `@tethered/protocol`; kept
// as a re-export for one release so that imports of it keep working.
export * from '@tethered/protocol'
