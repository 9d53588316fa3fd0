import type { Kysely } from 'kysely';
import { randomBytes, randomUUID } from 'node:crypto';
import { decodeClientDataJSON } from '@simplewebauthn/server/helpers';
import type { Database } from '../../db/schema';
import type { Clock } from '../../platform/clock';
import { CHALLENGE_TTL_MS } from './common';

/** The RP ID is the origin's host name, so passkeys are bound to the deployment's own domain. */
export function rpIdFor(origin: string): string {
	return new URL(origin).hostname;
}

/**
 * Stores a fresh random challenge for one ceremony. Challenges live on the server (not in a
 * cookie) so that spending one is a database fact that a replay cannot undo. Expired rows are
 * swept here, which keeps the table small without a timer.
 */
export async function issueChallenge(
	db: Kysely<Database>,
	clock: Clock,
	purpose: 'register' | 'login',
	userId: string | null
): Promise<string> {
	const now = clock();
	await db.deleteFrom('webauthn_challenges').where('expires_at', '<', now.toISOString()).execute();
	const challenge = randomBytes(32).toString('base64url');
	await db
		.insertInto('webauthn_challenges')
		.values({
			id: randomUUID(),
			challenge,
			purpose,
			user_id: userId,
			created_at: now.toISOString(),
			expires_at: new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString(),
			used_at: null
		})
		.execute();
	return challenge;
}

/**
 * Spends a challenge. The conditional UPDATE is the lock: of two requests with the same
 * challenge exactly one changes the row, so a challenge is never accepted twice. It is spent
 * before the signature is checked, so a failed attempt needs fresh options (which is cheap).
 */
export async function consumeChallenge(
	db: Kysely<Database>,
	clock: Clock,
	challenge: string,
	purpose: 'register' | 'login',
	userId: string | null
): Promise<boolean> {
	const now = clock().toISOString();
	let query = db
		.updateTable('webauthn_challenges')
		.set({ used_at: now })
		.where('challenge', '=', challenge)
		.where('purpose', '=', purpose)
		.where('used_at', 'is', null)
		.where('expires_at', '>', now);
	query =
		userId === null ? query.where('user_id', 'is', null) : query.where('user_id', '=', userId);
	const result = await query.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}

/** The challenge the authenticator signed, read from the client data; null when unreadable. */
export function signedChallenge(clientDataJSON: string): string | null {
	try {
		const data = decodeClientDataJSON(clientDataJSON);
		return typeof data.challenge === 'string' ? data.challenge : null;
	} catch {
		return null;
	}
}
