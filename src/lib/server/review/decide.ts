import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { failure, type Result } from '$lib/domain/errors';
import { normaliseComment, statusAfter, type ReviewDecision } from '$lib/domain/review';
import type { Database, User } from '../db/schema';
import type { Clock } from '../platform/clock';
import { appendAudit } from '../audit';
import { applyReviewHold } from '../finalise';

/**
 * Records an admin's accept (`ok`) or flag of a stored submission with a comment (RV3), and moves
 * the list status (RV2). The decision row and the status change are one transaction, so the list
 * never shows a status whose decision is missing. Refused attempts cannot be decided: nothing
 * was stored to vouch for.
 */
export async function decideSubmission(
	db: Kysely<Database>,
	clock: Clock,
	admin: Pick<User, 'id' | 'org_id'>,
	id: string,
	input: { decision: ReviewDecision; comment: string }
): Promise<Result<{ status: ReturnType<typeof statusAfter>; at: string }>> {
	const comment = normaliseComment(input.comment);
	if (comment === null) {
		return failure('COMMENT_INVALID', 'A comment needs 1 to 500 characters');
	}
	const at = clock().toISOString();
	return db.transaction().execute(async (trx) => {
		const item = await trx
			.selectFrom('review_items')
			.select(['id', 'status', 'envelope_id'])
			.where('id', '=', id)
			.where('org_id', '=', admin.org_id)
			.where('submission_id', 'is not', null)
			.executeTakeFirst();
		if (!item) return failure('NOT_FOUND', 'No such submission');
		const status = statusAfter(input.decision);
		await trx
			.insertInto('review_decisions')
			.values({
				id: randomUUID(),
				submission_id: id,
				decision: input.decision,
				comment,
				admin_id: admin.id,
				at
			})
			.execute();
		await trx.updateTable('review_items').set({ status }).where('id', '=', id).execute();
		// A flag holds the contract's finalisation; the last flag resolved releases it (C3).
		if (item.envelope_id) await applyReviewHold(trx, item.envelope_id, new Date(at));
		// In this transaction, so the decision and its audit row commit together or not at all.
		await appendAudit(trx, () => new Date(at), admin.id, {
			kind: input.decision === 'ok' ? 'review.accepted' : 'review.flagged',
			subject: id,
			data: { comment }
		});
		return { ok: true as const, status, at };
	});
}
