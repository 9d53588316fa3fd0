import { failure, type Result } from '$lib/domain/errors';
import { certTransition } from '$lib/domain/org-certification';
import { verificationCounts } from '$lib/domain/legal-rep';
import type { OrgCertQueueItem } from '$lib/domain/api-types';
import type { Db, User } from '../db/schema';
import type { BlobStore } from '../platform/blob-store';
import { appendAudit } from '../audit';
import { applicationView, type CertDeps } from './certification';
import { isPlatformOperator } from './operator';

/** The operator's review queue: pending applications, oldest first, with who applied. */
export async function certificationQueue(db: Db, now: string): Promise<OrgCertQueueItem[]> {
	const rows = await db
		.selectFrom('org_cert_applications as a')
		.leftJoin('users as u', 'u.id', 'a.applicant_id')
		.selectAll('a')
		.select('u.display_name as applicant_name')
		.where('a.state', '=', 'pending')
		.orderBy('a.created_at')
		.execute();
	return rows.map((row) => ({
		...applicationView(row, now),
		orgId: row.org_id,
		applicantName: row.applicant_name ?? row.applicant_id
	}));
}

/**
 * Approves or rejects a pending application (OC3, OC4). The application, its organisation's
 * state and the audit entry change together; approval also gives the organisation its certified
 * name, the one its seals are then made with. Only the platform operator decides.
 */
export async function decideCertification(
	deps: Pick<CertDeps, 'db' | 'clock'>,
	operator: User,
	applicationId: string,
	decision: { decision: 'approve' } | { decision: 'reject'; reason: string }
): Promise<Result<object>> {
	if (!(await isPlatformOperator(deps.db, operator.id))) {
		return failure('FORBIDDEN', 'Only the platform operator reviews certifications');
	}
	return deps.db.transaction().execute(async (trx) => {
		const row = await trx
			.selectFrom('org_cert_applications')
			.selectAll()
			.where('id', '=', applicationId)
			.executeTakeFirst();
		if (!row) return failure('NOT_FOUND', 'No such application');
		const org = await trx
			.selectFrom('organisations')
			.select('cert_state')
			.where('id', '=', row.org_id)
			.executeTakeFirstOrThrow();
		// An older application of a re-applying organisation is history, never decided again.
		const state = row.state === 'pending' ? org.cert_state : row.state;
		const now = deps.clock().toISOString();
		const next = certTransition(
			state,
			decision.decision === 'approve'
				? { kind: 'approve' }
				: { kind: 'reject', reason: decision.reason },
			// An authorisation past its year is no evidence any more (LR5).
			verificationCounts(
				{ method: row.method, verifiedAt: row.verified_at, repExpiresAt: row.rep_expires_at },
				now
			)
		);
		if (!next.ok) {
			if (next.code === 'REASON_EMPTY' || next.code === 'REASON_TOO_LONG') {
				return failure('REASON_INVALID', 'A rejection needs a reason of 1–200 characters');
			}
			return failure('CERT_STATE', `Cannot ${decision.decision}: ${next.code}`, {
				problem: next.code
			});
		}
		const outcome = next.state === 'certified' ? 'certified' : 'rejected';
		await trx
			.updateTable('org_cert_applications')
			.set({
				state: outcome,
				decided_at: now,
				decided_by: operator.id,
				reject_reason: next.reason
			})
			.where('id', '=', row.id)
			.execute();
		await trx
			.updateTable('organisations')
			.set(
				outcome === 'certified'
					? { cert_state: 'certified', certified_at: now, name: row.name }
					: { cert_state: 'rejected' }
			)
			.where('id', '=', row.org_id)
			.execute();
		await appendAudit(
			trx,
			deps.clock,
			operator.id,
			outcome === 'certified'
				? { kind: 'org.cert-approved', subject: row.id, data: { orgId: row.org_id } }
				: {
						kind: 'org.cert-rejected',
						subject: row.id,
						data: { orgId: row.org_id, reason: next.reason ?? '' }
					}
		);
		return { ok: true as const };
	});
}

/**
 * The licence or letter file of an application, for its own organisation's admins and the
 * operator; anyone else (or a hash not of this application) gets nothing.
 */
export async function applicationFile(
	db: Db,
	blobs: BlobStore,
	user: User,
	applicationId: string,
	which: 'licence' | 'letter'
): Promise<{ bytes: Uint8Array<ArrayBuffer>; mediaType: string } | null> {
	const row = await db
		.selectFrom('org_cert_applications')
		.select(['org_id', 'licence_hash', 'licence_type', 'letter_hash', 'letter_type'])
		.where('id', '=', applicationId)
		.executeTakeFirst();
	if (!row) return null;
	const allowed =
		(user.role === 'admin' && user.org_id === row.org_id) ||
		(await isPlatformOperator(db, user.id));
	if (!allowed) return null;
	const hash = which === 'licence' ? row.licence_hash : row.letter_hash;
	const mediaType = which === 'licence' ? row.licence_type : row.letter_type;
	if (!hash || !mediaType) return null;
	const bytes = await blobs.get(hash);
	return bytes ? { bytes, mediaType } : null;
}
