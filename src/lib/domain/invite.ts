/**
 * How long an invite's code (and so its link) works: short, because six digits are few. Shared
 * by the server that stores the expiry and the pages that tell the admin and the invitee.
 */
export const INVITE_CODE_TTL_MS = 10 * 60_000;

/** The same lifetime in the whole minutes every message states. */
export const INVITE_CODE_TTL_MINUTES = INVITE_CODE_TTL_MS / 60_000;

/**
 * The wait between two codes for one invite: long enough that a link holder cannot flood the
 * invitee's phone (each SMS also costs money), short enough for someone whose message is late.
 */
export const INVITE_RESEND_COOLDOWN_MS = 60_000;
