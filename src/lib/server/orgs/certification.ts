import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import { randomUUID } from 'node:crypto';
import { failure, type Failure, type Result } from '$lib/domain/errors';
import {
	certTransition,
	checkLicenceFile,
	DEPOSIT_MAX_TRIES,
	depositExpiresAt,
	maskAccount,
	ORG_PRIVACY_VERSION,
	validateOrgApplication,
	type OrgApplicationInput,
	type VerifyMethod
} from '$lib/domain/org-certification';
import { legalRepEvidence, verificationCounts } from '$lib/domain/legal-rep';
import type { OrgCertApplicationView, OrgCertStatusResponse } from '$lib/domain/api-types';
import type { AuditEvent } from '$lib/domain/audit';
import type { Database, Db, OrgCertApplicationTable, User } from '../db/schema';
import { storeBlob, type BlobStore } from '../platform/blob-store';
import type { Clock } from '../platform/clock';
import { appendAudit } from '../audit';
import type { BankTransfer } from './bank';
import { isPlatformOperator } from './operator';

export interface CertDeps {
	db: Kysely<Database>;
	blobs: BlobStore;
	clock: Clock;
	bank: BankTransfer;
}

type ApplicationRow = Selectable<OrgCertApplicationTable>;

/** An application as pages show it; `now` judges whether a legal-rep authorisation counts. */
export function applicationView(row: ApplicationRow, now: string): OrgCertApplicationView {
	const method = row.method as VerifyMethod | null;
	return {
		id: row.id,
		state: row.state,
		orgType: row.org_type,
		name: row.name,
		idNumber: row.id_number,
		representative: row.representative,
		region: row.region,
		usccVerdict: row.uscc_verdict as OrgCertApplicationView['usccVerdict'],
		licenceType: row.licence_type,
		privacyVersion: row.privacy_version,
		privacyAgreedAt: row.privacy_agreed_at,
		createdAt: row.created_at,
		method,
		deposit:
			method === 'deposit_platform' && row.bank_account
				? {
						bank: row.bank_name ?? '',
						branch: row.bank_branch ?? '',
						accountMasked: maskAccount(row.bank_account),
						sentAt: row.deposit_sent_at,
						triesLeft: Math.max(0, DEPOSIT_MAX_TRIES - row.deposit_tries),
						expiresAt: row.deposit_sent_at ? depositExpiresAt(row.deposit_sent_at) : null
					}
				: null,
		remarkCode: method === 'deposit_org' ? row.remark_code : null,
		paymentReceivedAt: row.payment_received_at,
		letterType: row.letter_type,
		legalRep: legalRepEvidence(row, now),
		verifiedAt: row.verified_at,
		decidedAt: row.decided_at,
		rejectReason: row.reject_reason
	};
}

/**
 * The organisation's current application: the pending one (there is at most one, OC3), else
 * the newest decided one. Pending first, so two applications within one clock tick cannot
 * hide the live one behind the one it replaced.
 */
export async function latestApplication(
	db: Db,
	orgId: string
): Promise<ApplicationRow | undefined> {
	const newest = (pending: boolean) =>
		db
			.selectFrom('org_cert_applications')
			.selectAll()
			.where('org_id', '=', orgId)
			.where('state', pending ? '=' : '!=', 'pending')
			.orderBy('created_at', 'desc')
			.orderBy('id', 'desc')
			.executeTakeFirst();
	return (await newest(true)) ?? (await newest(false));
}

/** Where the admin's organisation stands, with its latest application (the status page). */
export async function certificationStatus(
	deps: CertDeps,
	user: User
): Promise<OrgCertStatusResponse> {
	const org = await deps.db
		.selectFrom('organisations')
		.select(['name', 'cert_state', 'certified_at'])
		.where('id', '=', user.org_id)
		.executeTakeFirstOrThrow();
	const latest = await latestApplication(deps.db, user.org_id);
	return {
		state: org.cert_state,
		certifiedAt: org.certified_at,
		organisation: { name: org.name },
		application: latest ? applicationView(latest, deps.clock().toISOString()) : null,
		bankSimulated: deps.bank.simulated,
		platformAccount: deps.bank.platformAccount(),
		privacyVersion: ORG_PRIVACY_VERSION,
		operator: await isPlatformOperator(deps.db, user.id)
	};
}

function licenceFailure(code: 'EMPTY' | 'TOO_LARGE' | 'TYPE'): Failure {
	return code === 'TOO_LARGE'
		? failure('LICENCE_TOO_LARGE', 'The file may have at most 5 MB')
		: failure('LICENCE_INVALID', 'The file must be a JPEG, PNG or PDF', { problem: code });
}

/**
 * Applies for certification (申请认证, OC1–OC3, OC9): the fields and the licence are checked
 * before anything is written; then the licence blob, the application with the consent's version
 * and time, the organisation's move to 认证中 and the audit entry commit together. A suspect
 * USCC goes ahead, flagged for the reviewer (OC2).
 */
export async function applyForCertification(
	deps: CertDeps,
	admin: User,
	input: OrgApplicationInput,
	licence: Uint8Array
): Promise<Result<{ id: string; usccVerdict: string }>> {
	const checked = validateOrgApplication(input);
	if (!checked.ok) {
		return failure('ORG_CERT_INVALID', 'The application is incomplete or wrong', {
			problems: checked.problems
		});
	}
	const file = checkLicenceFile(licence);
	if (!file.ok) return licenceFailure(file.code);
	const { application } = checked;
	const now = deps.clock().toISOString();
	const id = randomUUID();
	return deps.db.transaction().execute(async (trx) => {
		const org = await trx
			.selectFrom('organisations')
			.select('cert_state')
			.where('id', '=', admin.org_id)
			.executeTakeFirstOrThrow();
		const next = certTransition(org.cert_state, { kind: 'apply' });
		if (!next.ok) return failure('CERT_STATE', `Cannot apply while ${org.cert_state}`);
		const licenceHash = await storeBlob(trx, deps.blobs, licence, file.mediaType, now);
		await trx
			.insertInto('org_cert_applications')
			.values({
				id,
				org_id: admin.org_id,
				state: 'pending',
				org_type: application.orgType,
				name: application.name,
				id_number: application.idNumber,
				representative: application.representative,
				region: application.region,
				uscc_verdict: application.usccVerdict,
				licence_hash: licenceHash,
				licence_type: file.mediaType,
				privacy_version: application.privacyVersion,
				privacy_agreed_at: now,
				applicant_id: admin.id,
				created_at: now
			})
			.execute();
		// Guarded on the state read above, so two racing applications cannot both move it.
		const moved = await trx
			.updateTable('organisations')
			.set({ cert_state: next.state })
			.where('id', '=', admin.org_id)
			.where('cert_state', '=', org.cert_state)
			.executeTakeFirst();
		if (moved.numUpdatedRows !== 1n) throw new Error('certification state changed concurrently');
		await appendAudit(trx, deps.clock, admin.id, {
			kind: 'org.cert-applied',
			subject: id,
			data: {
				orgId: admin.org_id,
				orgType: application.orgType,
				idNumber: application.idNumber,
				usccVerdict: application.usccVerdict,
				licenceHash,
				privacyVersion: application.privacyVersion
			}
		});
		return { ok: true as const, id, usccVerdict: application.usccVerdict };
	});
}

/**
 * The admin's pending application that still needs its evidence, or the refusal: there is none,
 * or its verification counts at `now` (a finished verification is not restarted). A legal-rep
 * authorisation that has expired no longer counts (LR5), so it blocks neither a new request
 * nor another method.
 */
export async function openApplication(
	db: Db,
	admin: User,
	now: string
): Promise<ApplicationRow | Failure> {
	const row = await latestApplication(db, admin.org_id);
	if (!row || row.state !== 'pending') {
		return failure('CERT_STATE', 'There is no pending certification application');
	}
	const counts = verificationCounts(
		{ method: row.method, verifiedAt: row.verified_at, repExpiresAt: row.rep_expires_at },
		now
	);
	if (counts) return failure('CERT_STATE', 'The verification is already complete');
	return row;
}

/**
 * A step of an application's verification: its new columns and the audit entry that says which
 * step it was, written together in the caller's transaction.
 */
export async function recordStep(
	trx: Transaction<Database>,
	clock: Clock,
	actor: string | null,
	step: {
		id: string;
		set: Updateable<OrgCertApplicationTable>;
		audit: Extract<AuditEvent, { kind: 'org.cert-verification' }>['data'];
	}
): Promise<void> {
	await trx.updateTable('org_cert_applications').set(step.set).where('id', '=', step.id).execute();
	await appendAudit(trx, clock, actor, {
		kind: 'org.cert-verification',
		subject: step.id,
		data: step.audit
	});
}

export function isFailure<T extends object>(value: T | Failure): value is Failure {
	return 'ok' in value && value.ok === false;
}

/**
 * A stamped authorisation letter (授权书) for manual review: stored like the licence (OC9); the
 * upload is the evidence, the operator judges what it says.
 */
export async function uploadLetter(
	deps: CertDeps,
	admin: User,
	bytes: Uint8Array
): Promise<Result<object>> {
	const file = checkLicenceFile(bytes);
	if (!file.ok) return licenceFailure(file.code);
	const now = deps.clock().toISOString();
	const open = await openApplication(deps.db, admin, now);
	if (isFailure(open)) return open;
	await deps.db.transaction().execute(async (trx) => {
		const hash = await storeBlob(trx, deps.blobs, bytes, file.mediaType, now);
		await recordStep(trx, deps.clock, admin.id, {
			id: open.id,
			set: { method: 'letter', letter_hash: hash, letter_type: file.mediaType, verified_at: now },
			audit: { method: 'letter', step: 'uploaded', detail: hash }
		});
	});
	return { ok: true };
}
