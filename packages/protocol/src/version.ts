/** Version of the Tethered wire protocol described in the README. */
export const PROTOCOL_VERSION = 1
