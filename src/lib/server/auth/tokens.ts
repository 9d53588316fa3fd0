import { createHash, randomBytes } from 'node:crypto';

/** A 256-bit random token, URL-safe; unguessable, so links and cookies need no other secret. */
export function newToken(): string {
	return randomBytes(32).toString('base64url');
}

/** The stored form of a token: a leaked table then yields nothing that can be replayed. */
export function hashToken(token: string): string {
	return createHash('sha256').update(token).digest('hex');
}
