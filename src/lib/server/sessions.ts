import type { Cookies } from '@sveltejs/kit';
import type { Kysely } from 'kysely';
import type { Database, User } from './db/schema';
import type { Clock } from './clock';
import { hashToken, newToken } from './tokens';

export const SESSION_COOKIE = 'sp_session';
export const SESSION_DAYS = 30;

/** Creates a session for a user and returns the cookie value (only its hash is stored). */
export async function createSession(
	db: Kysely<Database>,
	userId: string,
	clock: Clock
): Promise<{ token: string; expires: Date }> {
	const token = newToken();
	const now = clock();
	const expires = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
	await db
		.insertInto('sessions')
		.values({
			id_hash: hashToken(token),
			user_id: userId,
			created_at: now.toISOString(),
			expires_at: expires.toISOString()
		})
		.execute();
	return { token, expires };
}

/**
 * Opens a session for a user and sets its cookie. One place for the cookie's settings, so every
 * way in (setup link, passkey login) gets the same HttpOnly, SameSite, Secure-under-https cookie.
 */
export async function startSession(
	db: Kysely<Database>,
	cookies: Cookies,
	url: URL,
	userId: string,
	clock: Clock
): Promise<void> {
	const session = await createSession(db, userId, clock);
	cookies.set(SESSION_COOKIE, session.token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure: url.protocol === 'https:',
		expires: session.expires
	});
}

/** The user behind a cookie value, or null for an unknown or expired session. */
export async function userForSession(
	db: Kysely<Database>,
	token: string | undefined,
	clock: Clock
): Promise<User | null> {
	if (!token) return null;
	const row = await db
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.selectAll('users')
		.where('sessions.id_hash', '=', hashToken(token))
		.where('sessions.expires_at', '>', clock().toISOString())
		.executeTakeFirst();
	return row ?? null;
}

/** Ends a session; a missing one is not an error (logging out twice is harmless). */
export async function deleteSession(db: Kysely<Database>, token: string): Promise<void> {
	await db.deleteFrom('sessions').where('id_hash', '=', hashToken(token)).execute();
}
