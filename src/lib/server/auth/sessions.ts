import type { Cookies } from '@sveltejs/kit';
import type { Kysely } from 'kysely';
import type { Database, User } from '../db/schema';
import type { Clock } from '../platform/clock';
import { hashToken, newToken } from './tokens';
import { personRowsOf } from './people';
import type { SessionUser } from '$lib/domain/api-types';
import { mayKeepSeals } from '$lib/domain/members';

export const SESSION_DAYS = 30;
/** Default idle timeout (SESSION_IDLE_HOURS): a session unused this long ends. */
export const SESSION_IDLE_HOURS = 12;
/** How long a passkey check counts as recent for enrolling another passkey. */
export const PASSKEY_CHECK_MS = 5 * 60_000;
/** last_seen_at is written at most this often, so a busy session is not a write per request. */
const SEEN_RESOLUTION_MS = 60_000;

/**
 * The session cookie's name. Under https it carries the `__Host-` prefix: the browser then
 * accepts it only with Secure, Path=/ and no Domain, so a sibling subdomain or a plain-http page
 * cannot plant or overwrite it (session fixation). Plain http (localhost) cannot use the prefix.
 */
export function sessionCookieName(url: URL): string {
	return url.protocol === 'https:' ? '__Host-sp_session' : 'sp_session';
}

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
			expires_at: expires.toISOString(),
			last_seen_at: now.toISOString(),
			// A passkey sign-in is a passkey check; a setup link or invite code is not.
			verified_at: credentialId ? now.toISOString() : null
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
): Promise<{ idHash: string }> {
	const session = await createSession(db, userId, clock, credentialId);
	cookies.set(sessionCookieName(url), session.token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure: url.protocol === 'https:',
		expires: session.expires
	});
	return { idHash: hashToken(session.token) };
}

/** A live session: its user and the passkey it was signed in with (null while enrolling). */
export interface LiveSession {
	user: User;
	credentialId: string | null;
	/** The stored id (hash of the cookie value), for rows that belong to this session. */
	idHash: string;
	/** When its user last proved a passkey in it, or null. */
	verifiedAt: string | null;
}

/**
 * The session behind a cookie value, or null for an unknown, expired, idle or ended session.
 * A session unused for `idleMs` ends even before its 30 days: a device left signed in on a
 * shared desk is not signed in forever. Each use moves its idle clock on (at most once a minute).
 */
export async function sessionFor(
	db: Kysely<Database>,
	token: string | undefined,
	clock: Clock,
	idleMs: number = SESSION_IDLE_HOURS * 3_600_000
): Promise<LiveSession | null> {
	if (!token) return null;
	const now = clock();
	const idHash = hashToken(token);
	const row = await db
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.selectAll('users')
		.select([
			'sessions.credential_id as session_credential_id',
			'sessions.created_at as session_created_at',
			'sessions.last_seen_at as session_last_seen_at',
			'sessions.verified_at as session_verified_at'
		])
		.where('sessions.id_hash', '=', idHash)
		.where('sessions.expires_at', '>', now.toISOString())
		// Deactivation deletes the member's sessions; this also covers one started concurrently.
		.where('users.deactivated_at', 'is', null)
		.executeTakeFirst();
	if (!row) return null;
	const {
		session_credential_id,
		session_created_at,
		session_last_seen_at,
		session_verified_at,
		...user
	} = row;
	const seen = Date.parse(session_last_seen_at ?? session_created_at);
	if (now.getTime() - seen >= idleMs) {
		await deleteSession(db, token);
		return null;
	}
	if (now.getTime() - seen >= SEEN_RESOLUTION_MS) {
		await db
			.updateTable('sessions')
			.set({ last_seen_at: now.toISOString() })
			.where('id_hash', '=', idHash)
			.execute();
	}
	return { user, credentialId: session_credential_id, idHash, verifiedAt: session_verified_at };
}

/** The user behind a cookie value, or null for an unknown or expired session. */
export async function userForSession(
	db: Kysely<Database>,
	token: string | undefined,
	clock: Clock
): Promise<User | null> {
	return (await sessionFor(db, token, clock))?.user ?? null;
}

/** Records that the session's user just proved a passkey (a passkey check). */
export async function markSessionVerified(
	db: Kysely<Database>,
	idHash: string,
	clock: Clock
): Promise<void> {
	await db
		.updateTable('sessions')
		.set({ verified_at: clock().toISOString() })
		.where('id_hash', '=', idHash)
		.execute();
}

/** Whether the session's last passkey check is recent enough to enrol another passkey. */
export function recentlyVerified(verifiedAt: string | null, clock: Clock): boolean {
	return verifiedAt !== null && clock().getTime() - Date.parse(verifiedAt) < PASSKEY_CHECK_MS;
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
	credentialId: string,
	clock: Clock
): Promise<void> {
	// The user-verified enrolment that just happened is this session's passkey check.
	await db
		.updateTable('sessions')
		.set({ credential_id: credentialId, verified_at: clock().toISOString() })
		.where('id_hash', '=', hashToken(token))
		.where('credential_id', 'is', null)
		.execute();
}

/** Ends a session; a missing one is not an error (logging out twice is harmless). */
export async function deleteSession(db: Kysely<Database>, token: string): Promise<void> {
	await db.deleteFrom('sessions').where('id_hash', '=', hashToken(token)).execute();
}

/**
 * Whether enrolling a passkey in this session must wait for a passkey check: the user already
 * holds one and has not proved it here within PASSKEY_CHECK_MS. Why: a session cookie taken
 * from an unlocked laptop must not become a passkey of the attacker's own, which would outlive
 * the session and sign contracts. A user with no passkey yet (setup link, invite) enrols freely.
 */
export async function needsPasskeyCheck(
	db: Kysely<Database>,
	session: LiveSession,
	clock: Clock
): Promise<boolean> {
	if (recentlyVerified(session.verifiedAt, clock)) return false;
	const held = await db
		.selectFrom('credentials')
		.select('id')
		// Any passkey of the person (MO6): a session moved to another organisation is still theirs.
		.where('user_id', 'in', personRowsOf(db, session.user.id))
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
	return held !== undefined;
}

/** What the browser learns of the signed-in account (the session and login answers). */
export function sessionUser(user: User): SessionUser {
	return {
		id: user.id,
		name: user.display_name,
		role: user.role,
		sealKeeper: user.role !== 'admin' && mayKeepSeals(user)
	};
}
