import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import { randomInt, randomUUID } from 'node:crypto';
import { failure, type Failure, type Result } from '$lib/domain/errors';
import { sha256Hex } from '$lib/domain/canonical';
import {
	certTransition,
	checkLicenceFile,
	DEPOSIT_MAX_CENTS,
	DEPOSIT_MAX_TRIES,
	DEPOSIT_MIN_CENTS,
	depositExpiresAt,
	judgeDepositAnswer,
	maskAccount,
	ORG_PRIVACY_VERSION,
	parseYuanToCents,
	validateBankAccount,
	validateOrgApplication,
	type OrgApplicationInput,
	type VerifyMethod
} from '$lib/domain/org-certification';
import type { OrgCertApplicationView, OrgCertStatusResponse } from '$lib/domain/api-types';
import type { AuditEvent } from '$lib/domain/audit';
import type { Database, Db, OrgCertApplicationTable, User } from '../db/schema';
import { storeBlob, type BlobStore } from '../platform/blob-store';
import { hmacHex, sameMac, serverKey, verificationKeys } from '../platform/secrets';
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

/**
 * The amount's stored form: an HMAC under the server's key for short values, bound to the
 * application. With only 99 possible amounts a plain hash would give the amount away to anyone
 * who can read the database; the key lives outside it.
 */
const depositText = (applicationId: string, cents: number) =>
	`sealpass-deposit:${applicationId}:${cents}`;

function depositHash(applicationId: string, cents: number): string {
	return hmacHex(serverKey('invite_code_key'), depositText(applicationId, cents));
}

/** Whether `cents` is the amount sent: under the current key or one a rotation retired. */
async function depositMatches(applicationId: string, cents: number, stored: string) {
	const text = depositText(applicationId, cents);
	if (verificationKeys('invite_code_key').some((key) => sameMac(hmacHex(key, text), stored))) {
		return true;
	}
	// A transfer sent before amounts were keyed (at most 7 days old) still confirms.
	return (await sha256Hex(text)) === stored;
}

export function applicationView(row: ApplicationRow): OrgCertApplicationView {
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
async function latestApplication(db: Db, orgId: string): Promise<ApplicationRow | undefined> {
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
		application: latest ? applicationView(latest) : null,
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
 * or its verification is already complete (a finished verification is not restarted).
 */
async function openApplication(db: Db, admin: User): Promise<ApplicationRow | Failure> {
	const row = await latestApplication(db, admin.org_id);
	if (!row || row.state !== 'pending') {
		return failure('CERT_STATE', 'There is no pending certification application');
	}
	if (row.verified_at) return failure('CERT_STATE', 'The verification is already complete');
	return row;
}

/**
 * A step of an application's verification: its new columns and the audit entry that says which
 * step it was, written together in the caller's transaction.
 */
async function recordStep(
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

function isFailure<T extends object>(value: T | Failure): value is Failure {
	return 'ok' in value && value.ok === false;
}

/**
 * 对公打款, platform pays (OC6, OC7): sends a fresh random amount of 0.01–0.99 to the entered
 * account and keeps only its hash. Asking again sends a new amount and restarts the tries, which
 * is how a locked or expired deposit is recovered.
 */
export async function startPlatformDeposit(
	deps: CertDeps,
	admin: User,
	account: { bank: string; branch: string; account: string; cnaps: string }
): Promise<Result<{ sentAt: string }>> {
	const problems = validateBankAccount(account);
	if (problems.length) {
		return failure('BANK_DETAILS_INVALID', 'The bank details are incomplete or wrong', {
			problems
		});
	}
	const open = await openApplication(deps.db, admin);
	if (isFailure(open)) return open;
	const cents = randomInt(DEPOSIT_MIN_CENTS, DEPOSIT_MAX_CENTS + 1);
	const now = deps.clock().toISOString();
	const digits = account.account.replace(/\s+/g, '');
	await deps.db.transaction().execute(async (trx) => {
		await deps.bank.pay(
			trx,
			{
				accountName: open.name,
				bank: account.bank.trim(),
				branch: account.branch.trim(),
				account: digits,
				cnaps: account.cnaps.trim()
			},
			cents,
			`SealPass ${open.id.slice(0, 8)}`
		);
		await recordStep(trx, deps.clock, admin.id, {
			id: open.id,
			set: {
				method: 'deposit_platform',
				bank_name: account.bank.trim(),
				bank_branch: account.branch.trim(),
				bank_account: digits,
				bank_cnaps: account.cnaps.trim(),
				deposit_hash: depositHash(open.id, cents),
				deposit_sent_at: now,
				deposit_tries: 0
			},
			audit: { method: 'deposit_platform', step: 'sent', detail: maskAccount(digits) }
		});
	});
	return { ok: true, sentAt: now };
}

/**
 * Checks the amount the applicant typed back (OC6). Every wrong try is counted and audited
 * before the answer goes out, so retrying in parallel cannot win extra guesses.
 */
export async function confirmDeposit(
	deps: CertDeps,
	admin: User,
	typed: string
): Promise<Result<object>> {
	const cents = parseYuanToCents(typed);
	if (cents === null) return failure('BAD_REQUEST', 'Type the amount in yuan, e.g. 0.37');
	return deps.db.transaction().execute(async (trx) => {
		const open = await openApplication(trx, admin);
		if (isFailure(open)) return open;
		if (open.method !== 'deposit_platform' || !open.deposit_hash || !open.deposit_sent_at) {
			return failure('CERT_STATE', 'No transfer has been sent for this application');
		}
		const matches = await depositMatches(open.id, cents, open.deposit_hash);
		const now = deps.clock().toISOString();
		const verdict = judgeDepositAnswer(
			{ sentAt: open.deposit_sent_at, triesUsed: open.deposit_tries },
			now,
			matches
		);
		if (verdict.ok) {
			await recordStep(trx, deps.clock, admin.id, {
				id: open.id,
				set: { verified_at: now },
				audit: { method: 'deposit_platform', step: 'confirmed' }
			});
			return { ok: true as const };
		}
		if (verdict.code === 'EXPIRED') {
			return failure('DEPOSIT_EXPIRED', 'The transfer is older than 7 days');
		}
		if (open.deposit_tries >= DEPOSIT_MAX_TRIES) {
			return failure('DEPOSIT_LOCKED', 'Too many wrong amounts', { triesLeft: 0 });
		}
		await recordStep(trx, deps.clock, admin.id, {
			id: open.id,
			set: { deposit_tries: open.deposit_tries + 1 },
			audit: { method: 'deposit_platform', step: verdict.code === 'LOCKED' ? 'locked' : 'wrong' }
		});
		return verdict.code === 'LOCKED'
			? failure('DEPOSIT_LOCKED', 'Too many wrong amounts', { triesLeft: 0 })
			: failure('DEPOSIT_WRONG', 'The amount does not match', { triesLeft: verdict.triesLeft });
	});
}

/** Remark codes avoid 0/O and 1/I so one read off a screen is typed right at the bank. */
const REMARK_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function newRemarkCode(): string {
	let code = 'SP';
	for (let i = 0; i < 8; i++) code += REMARK_ALPHABET[randomInt(REMARK_ALPHABET.length)];
	return code;
}

/**
 * 对公打款, organisation pays (OC8): the application gets a remark code of its own (kept if it
 * already has one, so a page reload does not invalidate a payment on its way).
 */
export async function startOrgDeposit(
	deps: CertDeps,
	admin: User
): Promise<Result<{ remarkCode: string }>> {
	const open = await openApplication(deps.db, admin);
	if (isFailure(open)) return open;
	const remarkCode = open.remark_code ?? newRemarkCode();
	await deps.db.transaction().execute((trx) =>
		recordStep(trx, deps.clock, admin.id, {
			id: open.id,
			set: { method: 'deposit_org', remark_code: remarkCode },
			audit: { method: 'deposit_org', step: 'chosen', detail: remarkCode }
		})
	);
	return { ok: true, remarkCode };
}

/**
 * The bank reports a payment to the platform (OC8). It counts only for a pending application
 * that chose 对公打款 with this exact remark code; any other payment is not evidence of anything.
 * Returns whether it matched an application.
 */
export async function noteOrgPayment(
	deps: Omit<CertDeps, 'blobs'>,
	remark: string
): Promise<boolean> {
	const code = remark.normalize('NFKC').trim().toUpperCase();
	if (!code) return false;
	return deps.db.transaction().execute(async (trx) => {
		const row = await trx
			.selectFrom('org_cert_applications')
			.select(['id', 'applicant_id'])
			.where('remark_code', '=', code)
			.where('method', '=', 'deposit_org')
			.where('state', '=', 'pending')
			.where('verified_at', 'is', null)
			.executeTakeFirst();
		if (!row) return false;
		const now = deps.clock().toISOString();
		await recordStep(trx, deps.clock, null, {
			id: row.id,
			set: { payment_received_at: now, verified_at: now },
			audit: { method: 'deposit_org', step: 'received', detail: code }
		});
		return true;
	});
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
	const open = await openApplication(deps.db, admin);
	if (isFailure(open)) return open;
	const now = deps.clock().toISOString();
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
