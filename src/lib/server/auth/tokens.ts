import { createHash, randomBytes } from 'node:crypto';

/** A 256-bit random token, URL-safe; unguessable, so links and cookies need no other secret. */
export function newToken(): string {
	return randomBytes(32).toString('base64url');
}

/** The stored form of a token: a leaked table then yields nothing that can be replayed. */
export function hashToken(token: string): string {
	return createHash('sha256').update(token).digest('hex');
}

/**
 * A 128-bit random token for links that go by SMS: an SMS template variable holds at most a few
 * dozen characters (Aliyun: 35), so the 43 characters of `newToken` do not fit. 128 bits is
 * still beyond guessing, and the invite behind it also needs its code.
 */
export function newLinkToken(): string {
	return randomBytes(16).toString('base64url');
}
