/** Every wait of the behaviour suite is bounded by this, and named when it runs out. */
export const TIMEOUT = 4_000
