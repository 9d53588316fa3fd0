import { randomInt } from 'node:crypto';
import { failure, type Result } from '$lib/domain/errors';
import { sha256Hex } from '$lib/domain/canonical';
import {
	DEPOSIT_MAX_CENTS,
	DEPOSIT_MIN_CENTS,
	judgeDepositAnswer,
	maskAccount,
	parseYuanToCents,
	validateBankAccount
} from '$lib/domain/org-certification';
import type { User } from '../db/schema';
import { hmacHex, sameMac, serverKey, verificationKeys } from '../platform/secrets';
import { type CertDeps, isFailure, openApplication, recordStep } from './certification';

// 对公打款 (corporate micro-deposit), both directions: the platform pays a random amount the
// applicant types back, or the organisation pays the platform with a remark code.

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
	const now = deps.clock().toISOString();
	const open = await openApplication(deps.db, admin, now);
	if (isFailure(open)) return open;
	const cents = randomInt(DEPOSIT_MIN_CENTS, DEPOSIT_MAX_CENTS + 1);
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
				deposit_tries: 0,
				// An expired legal-rep authorisation's time would otherwise count as this method's.
				verified_at: null
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
	const now = deps.clock().toISOString();
	return deps.db.transaction().execute(async (trx) => {
		const open = await openApplication(trx, admin, now);
		if (isFailure(open)) return open;
		if (open.method !== 'deposit_platform' || !open.deposit_hash || !open.deposit_sent_at) {
			return failure('CERT_STATE', 'No transfer has been sent for this application');
		}
		const matches = await depositMatches(open.id, cents, open.deposit_hash);
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
		if (!verdict.spendsTry) {
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
	const open = await openApplication(deps.db, admin, deps.clock().toISOString());
	if (isFailure(open)) return open;
	const remarkCode = open.remark_code ?? newRemarkCode();
	await deps.db.transaction().execute((trx) =>
		recordStep(trx, deps.clock, admin.id, {
			id: open.id,
			// Cleared: an expired legal-rep authorisation's time is not this method's evidence.
			set: { method: 'deposit_org', remark_code: remarkCode, verified_at: null },
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
