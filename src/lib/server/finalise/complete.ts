import { FINALISE_JOB, finalisationHeld } from '$lib/domain/completion';
import type { Db } from '../db/schema';
import { enqueueJob, setJobHeld } from '../platform/jobs';

/**
 * Marks a contract completed (C1) and queues its finalisation (C4), in the caller's transaction:
 * the last accepted signature, the status and the job commit together, so a completed contract
 * always has its job, even when the process stops right after.
 */
export async function markCompleted(trx: Db, envelopeId: string, now: Date): Promise<void> {
	await trx
		.updateTable('envelopes')
		.set({ status: 'completed', completed_at: now.toISOString() })
		.where('id', '=', envelopeId)
		.execute();
	await enqueueJob(trx, FINALISE_JOB, envelopeId, now);
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
