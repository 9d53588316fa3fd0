/**
 * How long an invite's code (and so its link) works: short, because six digits are few. Shared
 * by the server that stores the expiry and the pages that tell the admin and the invitee.
 */
export const INVITE_CODE_TTL_MS = 10 * 60_000;

/** The same lifetime in the whole minutes every message states. */
export const INVITE_CODE_TTL_MINUTES = INVITE_CODE_TTL_MS / 60_000;
