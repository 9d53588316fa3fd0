import type { Cookies } from '@sveltejs/kit';
import type { Kysely } from 'kysely';
import type { Database, User } from './db/schema';
import type { Clock } from './clock';
import { hashToken, newToken } from './tokens';

export const SESSION_COOKIE = 'sp_session';
export const SESSION_DAYS = 30;

/**
 * Creates a session for a user and returns the cookie value (only its hash is stored).
 * `credentialId` is the passkey it was signed in with, so revoking that passkey ends it; null
 * for a setup-link or invite session, which enrolment binds later (bindSessionCredential).
 */
export async function createSession(
	db: Kysely<Database>,
	userId: string,
	clock: Clock,
	credentialId: string | null = null
): Promise<{ token: string; expires: Date }> {
	const token = newToken();
	const now = clock();
	const expires = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
	await db
		.insertInto('sessions')
		.values({
			id_hash: hashToken(token),
			user_id: userId,
			credential_id: credentialId,
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
	clock: Clock,
	credentialId: string | null = null
): Promise<void> {
	const session = await createSession(db, userId, clock, credentialId);
	cookies.set(SESSION_COOKIE, session.token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure: url.protocol === 'https:',
		expires: session.expires
	});
}

/** A live session: its user and the passkey it was signed in with (null while enrolling). */
export interface LiveSession {
	user: User;
	credentialId: string | null;
}

/** The session behind a cookie value, or null for an unknown, expired or ended session. */
export async function sessionFor(
	db: Kysely<Database>,
	token: string | undefined,
	clock: Clock
): Promise<LiveSession | null> {
	if (!token) return null;
	const row = await db
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.selectAll('users')
		.select('sessions.credential_id as session_credential_id')
		.where('sessions.id_hash', '=', hashToken(token))
		.where('sessions.expires_at', '>', clock().toISOString())
		.executeTakeFirst();
	if (!row) return null;
	const { session_credential_id, ...user } = row;
	return { user, credentialId: session_credential_id };
}

/** The user behind a cookie value, or null for an unknown or expired session. */
export async function userForSession(
	db: Kysely<Database>,
	token: string | undefined,
	clock: Clock
): Promise<User | null> {
	return (await sessionFor(db, token, clock))?.user ?? null;
}

/**
 * Binds a session that has no passkey yet (opened by a setup link or an invite code) to the
 * passkey just enrolled in it. Without this the first device's session would name no passkey,
 * and revoking that device's passkey from another device would leave it signed in. A session
 * already bound keeps its passkey: adding a second one does not change how it was opened.
 */
export async function bindSessionCredential(
	db: Kysely<Database>,
	token: string,
	credentialId: string
): Promise<void> {
	await db
		.updateTable('sessions')
		.set({ credential_id: credentialId })
		.where('id_hash', '=', hashToken(token))
		.where('credential_id', 'is', null)
		.execute();
}

/** Ends a session; a missing one is not an error (logging out twice is harmless). */
export async function deleteSession(db: Kysely<Database>, token: string): Promise<void> {
	await db.deleteFrom('sessions').where('id_hash', '=', hashToken(token)).execute();
}
