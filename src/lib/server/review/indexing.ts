import type { Manifest } from '$lib/domain/manifest';
import { signedOffline } from '$lib/domain/review';
import type { User, Db } from '../db/schema';

/**
 * The insert that files one ingest attempt into the review list, for ingest to run inside its
 * transaction (with its other writes) so the list never misses or invents a submission. A repeat
 * of an accepted answer (idempotent retry, no new submission) is not a new row (null); every
 * refused attempt is.
 */
export function indexForReview(
	trx: Db,
	entry: {
		eventId: string;
		user: Pick<User, 'id' | 'org_id'>;
		at: string;
		submissionId: string | null;
		refusalCode: string | null;
		manifest: Manifest | null;
		/** The device's own report of having no network at confirmation (RV1), if it sent one. */
		reportedOffline: boolean | null;
	}
) {
	const { manifest } = entry;
	if (entry.refusalCode === null && entry.submissionId === null) return null;
	const accepted = entry.refusalCode === null && manifest !== null;
	return trx.insertInto('review_items').values({
		id: accepted ? entry.submissionId! : entry.eventId,
		org_id: entry.user.org_id,
		submission_id: accepted ? entry.submissionId : null,
		envelope_id: manifest?.envelopeId ?? null,
		user_id: entry.user.id,
		received_at: entry.at,
		status: accepted ? 'accepted' : 'refused',
		decision: accepted ? manifest.decision.kind : null,
		offline: accepted
			? signedOffline(manifest.deviceTime, entry.at, entry.reportedOffline)
				? 1
				: 0
			: null,
		code: entry.refusalCode
	});
}
