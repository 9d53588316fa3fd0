import type { Kysely } from 'kysely';
import type { Result } from '$lib/domain/errors';
import type { Database, User } from '../db/schema';
import { participantDocument } from '../contracts';

/**
 * The signed final PDF of a contract for one of its participants (a signer, or an admin of its
 * organisation): NOT_FOUND for anyone else, so ids do not leak across organisations, and
 * NOT_FINAL while the contract is not finalised yet.
 */
export async function participantFinal(
	db: Kysely<Database>,
	user: User,
	id: string
): Promise<Result<{ sha256: string; title: string }>> {
	const doc = await participantDocument(db, user, id);
	if (!doc) return { ok: false, code: 'NOT_FOUND', message: 'No such contract' };
	const row = await db
		.selectFrom('envelopes')
		.select('final_sha256')
		.where('id', '=', id)
		.executeTakeFirstOrThrow();
	if (!row.final_sha256) {
		return { ok: false, code: 'NOT_FINAL', message: 'The contract is not finalised yet' };
	}
	// The file name says what it is: the signed final document, not the original.
	return { ok: true, sha256: row.final_sha256, title: `${doc.title} (signed)` };
}
