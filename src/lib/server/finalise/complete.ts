import { FINALISE_JOB, finalisationHeld } from '$lib/domain/completion';
import type { Db } from '../db/schema';
import { enqueueJobInsert, setJobHeld } from '../platform/jobs';

/**
 * The writes that mark a contract completed (C1) and queue its finalisation (C4), for the
 * caller's transaction: the last accepted signature, the status and the job commit together, so
 * a completed contract always has its job, even when the process stops right after. Unsent, so
 * ingest sends them with its other writes (runTogether), in this order.
 */
export function completionWrites(trx: Db, envelopeId: string, now: Date) {
	return [
		trx
			.updateTable('envelopes')
			.set({ status: 'completed', completed_at: now.toISOString() })
			.where('id', '=', envelopeId),
		enqueueJobInsert(trx, FINALISE_JOB, envelopeId, now)
	] as const;
}

/**
 * After a review decision on a submission of this contract: holds its finalisation while any of
 * its submissions is flagged and releases it when none is (C3). A finalised contract's job is
 * done and stays done: a later flag is recorded in the audit log, the signed file is not undone.
 */
export async function applyReviewHold(trx: Db, envelopeId: string, now: Date): Promise<void> {
	const statuses = await trx
		.selectFrom('review_items')
		.select('status')
		.where('envelope_id', '=', envelopeId)
		.where('submission_id', 'is not', null)
		.execute();
	const held = finalisationHeld(statuses.map((s) => s.status));
	await setJobHeld(trx, FINALISE_JOB, envelopeId, held, now);
}
