import { randomUUID } from 'node:crypto';
import type { Compilable } from 'kysely';
import { parseManifest } from '$lib/domain/manifest-schema';
import type { AuditEvent } from '$lib/domain/audit';
import type { User } from '../../db/schema';
import { appendAudit } from '../../audit';
import { indexForReview } from '../../review';
import { runTogether } from '../../db/together';
import type { Body, IngestAnswer, Trx } from './common';

/**
 * Appends the evidence of one attempt, accepted or refused, with its code. `alongside`: the
 * caller's writes that may go with the event's (runTogether), such as the idempotency record.
 */
export async function recordEvent(
	trx: Trx,
	user: User,
	body: Body,
	at: string,
	answer: IngestAnswer,
	submissionId: string | null,
	alongside: readonly Compilable<unknown>[] = []
): Promise<void> {
	const manifest = parseManifest(body.manifest);
	const refused = 'error' in answer.body ? answer.body : null;
	const eventId = randomUUID();
	const event = trx.insertInto('submission_events').values({
		id: eventId,
		at,
		user_id: user.id,
		idempotency_key: body.idempotencyKey,
		envelope_id: manifest.ok ? manifest.manifest.envelopeId : null,
		ticket_id: manifest.ok ? manifest.manifest.ticket.id : null,
		submission_id: submissionId,
		outcome: refused ? 'refused' : 'accepted',
		code: refused ? refused.error.code : null
	});
	// The admin review list (RV2), in this transaction so it never misses a submission.
	const review = indexForReview(trx, {
		eventId,
		user,
		at,
		submissionId,
		refusalCode: refused ? refused.error.code : null,
		manifest: manifest.ok ? manifest.manifest : null,
		reportedOffline: body.confirmedOffline ?? null
	});
	// Independent inserts, sent together with the audit head's read: one round trip on PostgreSQL.
	const writes = [...alongside, event, ...(review ? [review] : [])];
	const audit = auditEventFor(body, answer, submissionId);
	// Same transaction and receipt time as the submission it records (SPEC A4).
	if (audit) await appendAudit(trx, () => new Date(at), user.id, audit, undefined, writes);
	else await runTogether(trx, writes);
}

/**
 * The audit trail's view of an attempt (SPEC A1): a new acceptance is `submission.signed` or
 * `submission.rejected` (the signer's 退回), a refusal `submission.refused`; a retry answered
 * from the idempotency store with an earlier acceptance records nothing new.
 */
function auditEventFor(
	body: Body,
	answer: IngestAnswer,
	submissionId: string | null
): AuditEvent | null {
	const parsed = parseManifest(body.manifest);
	const manifest = parsed.ok ? parsed.manifest : null;
	if ('error' in answer.body) {
		return {
			kind: 'submission.refused',
			subject: manifest?.envelopeId ?? null,
			data: {
				code: answer.body.error.code,
				idempotencyKey: body.idempotencyKey,
				ticketId: manifest?.ticket.id ?? null
			}
		};
	}
	if (!submissionId || !manifest) return null;
	const data = {
		envelopeId: manifest.envelopeId,
		manifestHash: answer.body.manifestHash,
		ticketId: manifest.ticket.id,
		credentialId: manifest.credentialId
	};
	return manifest.decision.kind === 'rejected'
		? {
				kind: 'submission.rejected',
				subject: submissionId,
				data: { ...data, reason: manifest.decision.reason }
			}
		: { kind: 'submission.signed', subject: submissionId, data };
}
