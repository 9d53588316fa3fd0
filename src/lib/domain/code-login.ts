/*
 * Signing in with a code sent to the member's registered contact (SPEC CL1–CL8). The code's
 * lifetime and its five counted attempts are the invite code's (invite.ts, IC1); these are the
 * limits that belong to asking for a sign-in code, shared by the server and the login page.
 */

/**
 * The wait between two codes for one contact: each SMS costs money and lands on someone's phone,
 * so a stranger typing a member's number cannot flood it; short enough for a late message.
 */
export const CODE_LOGIN_RESEND_COOLDOWN_MS = 60_000;

/** Codes a contact may be sent per hour, on top of the cooldown. */
export const CODE_LOGIN_PER_CONTACT_HOURLY = 5;

/** Codes one address may ask for per hour, whatever contacts it names. */
export const CODE_LOGIN_PER_IP_HOURLY = 20;
