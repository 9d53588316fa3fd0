import { checkUscc, type UsccProblem } from './validators';

/*
 * Organisation certification (组织机构认证, SPEC OC): what an application needs per organisation
 * type, the states an organisation passes through, the micro-deposit rules and the licence file
 * check. Pure, so the server, the forms and the device judge alike.
 */

/** The organisation types of the certification form, in the order the form lists them (OC1). */
export const ORG_TYPES = [
	'enterprise', // 企业
	'individual_business', // 个体工商户
	'public_institution', // 政府机关/事业单位
	'social_organisation', // 社会组织
	'overseas' // 港澳台及海外组织
] as const;
export type OrgType = (typeof ORG_TYPES)[number];

/** What a type asks for beyond the name: the registration number's kind and who represents it. */
export interface OrgTypeFields {
	/** Mainland organisations have a USCC; an overseas one a registration number of its own. */
	idKind: 'uscc' | 'registration';
	/** 法定代表人, 经营者 (individual business) or 负责人 (public body). */
	representative: 'legal_representative' | 'operator' | 'head';
	/** Only an overseas organisation names where it is registered. */
	needsRegion: boolean;
}

export const ORG_TYPE_FIELDS: Record<OrgType, OrgTypeFields> = {
	enterprise: { idKind: 'uscc', representative: 'legal_representative', needsRegion: false },
	individual_business: { idKind: 'uscc', representative: 'operator', needsRegion: false },
	public_institution: { idKind: 'uscc', representative: 'head', needsRegion: false },
	social_organisation: {
		idKind: 'uscc',
		representative: 'legal_representative',
		needsRegion: false
	},
	overseas: { idKind: 'registration', representative: 'legal_representative', needsRegion: true }
};

/** The privacy terms an applicant agrees to; a new text gets a new version and new consent. */
export const ORG_PRIVACY_VERSION = '2026-12-01';

export const ORG_NAME_MAX_CHARS = 100;
export const ORG_PERSON_MAX_CHARS = 40;
export const ORG_REGION_MAX_CHARS = 40;

export interface OrgApplicationInput {
	orgType: string;
	name: string;
	/** The USCC, or for an overseas organisation its registration number. */
	idNumber: string;
	representative: string;
	/** Overseas only. */
	region?: string;
	/** The version of the privacy terms the applicant ticked; anything else is no consent. */
	privacyVersion: string | null;
}

export type OrgApplicationProblem =
	| { field: 'orgType'; code: 'UNKNOWN' }
	| { field: 'name' | 'representative' | 'region'; code: 'EMPTY' | 'TOO_LONG' }
	| { field: 'idNumber'; code: UsccProblem | 'EMPTY' | 'FORMAT' }
	| { field: 'privacy'; code: 'NOT_AGREED' };

export type UsccVerdict = 'valid' | 'suspect' | 'not_applicable';

export interface OrgApplication {
	orgType: OrgType;
	name: string;
	idNumber: string;
	representative: string;
	region: string | null;
	privacyVersion: string;
	/** `suspect`: only the check character is wrong; the application goes ahead, flagged (OC2). */
	usccVerdict: UsccVerdict;
}

function textProblem(
	field: 'name' | 'representative' | 'region',
	value: string,
	max: number
): OrgApplicationProblem | null {
	const length = Array.from(value.trim()).length;
	if (length === 0) return { field, code: 'EMPTY' };
	if (length > max) return { field, code: 'TOO_LONG' };
	return null;
}

/** Overseas registration numbers vary by place; letters, digits and a few separators. */
const REGISTRATION_PATTERN = /^[A-Z0-9][A-Z0-9 ./-]{2,39}$/;

/**
 * Checks an application (OC1, OC2). A USCC that fails only its check character is accepted with
 * verdict `suspect` so a human reviews it: some legal early codes fail the check, and refusing
 * them would lock a real organisation out. Every other USCC fault is refused.
 */
export function validateOrgApplication(
	input: OrgApplicationInput
): { ok: true; application: OrgApplication } | { ok: false; problems: OrgApplicationProblem[] } {
	const problems: OrgApplicationProblem[] = [];
	const orgType = ORG_TYPES.find((t) => t === input.orgType);
	if (!orgType) problems.push({ field: 'orgType', code: 'UNKNOWN' });
	const fields = orgType ? ORG_TYPE_FIELDS[orgType] : null;
	const nameProblem = textProblem('name', input.name, ORG_NAME_MAX_CHARS);
	if (nameProblem) problems.push(nameProblem);
	const repProblem = textProblem('representative', input.representative, ORG_PERSON_MAX_CHARS);
	if (repProblem) problems.push(repProblem);
	if (fields?.needsRegion) {
		const regionProblem = textProblem('region', input.region ?? '', ORG_REGION_MAX_CHARS);
		if (regionProblem) problems.push(regionProblem);
	}
	let idNumber = input.idNumber.normalize('NFKC').trim().toUpperCase();
	let usccVerdict: UsccVerdict = 'not_applicable';
	if (!idNumber) problems.push({ field: 'idNumber', code: 'EMPTY' });
	else if (fields?.idKind === 'uscc') {
		const uscc = checkUscc(idNumber);
		if (uscc.status === 'invalid') problems.push({ field: 'idNumber', code: uscc.reason });
		else {
			idNumber = uscc.normalised;
			usccVerdict = uscc.status;
		}
	} else if (fields && !REGISTRATION_PATTERN.test(idNumber)) {
		problems.push({ field: 'idNumber', code: 'FORMAT' });
	}
	if (input.privacyVersion !== ORG_PRIVACY_VERSION) {
		problems.push({ field: 'privacy', code: 'NOT_AGREED' });
	}
	if (problems.length || !orgType || !fields) return { ok: false, problems };
	return {
		ok: true,
		application: {
			orgType,
			name: input.name.trim(),
			idNumber,
			representative: input.representative.trim(),
			region: fields.needsRegion ? (input.region ?? '').trim() : null,
			privacyVersion: ORG_PRIVACY_VERSION,
			usccVerdict
		}
	};
}

// --- states (OC3) ---

/** 未认证, 认证中, 已认证, 已驳回. */
export const CERT_STATES = ['uncertified', 'pending', 'certified', 'rejected'] as const;
export type CertState = (typeof CERT_STATES)[number];

export type CertEvent =
	{ kind: 'apply' } | { kind: 'approve' } | { kind: 'reject'; reason: string };

export const CERT_REASON_MAX_CHARS = 200;

export type CertTransition =
	| { ok: true; state: CertState; reason: string | null }
	| { ok: false; code: 'STATE' | 'REASON_EMPTY' | 'REASON_TOO_LONG' | 'NOT_VERIFIED' };

/**
 * The certification state machine (OC3, OC4): apply from 未认证 or 已驳回 (re-application);
 * approve or reject (with a reason) only a pending application, and approve only once its
 * verification is complete; 已认证 is final. `verified` says whether the chosen verification
 * method has produced its evidence.
 */
export function certTransition(
	state: CertState,
	event: CertEvent,
	verified = false
): CertTransition {
	switch (event.kind) {
		case 'apply':
			return state === 'uncertified' || state === 'rejected'
				? { ok: true, state: 'pending', reason: null }
				: { ok: false, code: 'STATE' };
		case 'approve':
			if (state !== 'pending') return { ok: false, code: 'STATE' };
			if (!verified) return { ok: false, code: 'NOT_VERIFIED' };
			return { ok: true, state: 'certified', reason: null };
		case 'reject': {
			if (state !== 'pending') return { ok: false, code: 'STATE' };
			const length = Array.from(event.reason.trim()).length;
			if (length === 0) return { ok: false, code: 'REASON_EMPTY' };
			if (length > CERT_REASON_MAX_CHARS) return { ok: false, code: 'REASON_TOO_LONG' };
			return { ok: true, state: 'rejected', reason: event.reason.trim() };
		}
	}
}

/** Only a certified organisation makes, authorises or stamps company seals (OC5). */
export function maySeal(state: CertState): boolean {
	return state === 'certified';
}

// --- verification methods (OC6–OC8) ---

export const VERIFY_METHODS = [
	'deposit_platform', // 对公打款: the platform pays a random small amount
	'deposit_org', // 对公打款: the organisation pays the platform with a remark code
	'letter', // a stamped authorisation letter, reviewed by hand
	'legal_rep' // 法定代表人认证: the legal representative authorises with their passkey (LR)
] as const;
export type VerifyMethod = (typeof VERIFY_METHODS)[number];

export const DEPOSIT_MIN_CENTS = 1;
export const DEPOSIT_MAX_CENTS = 99;
export const DEPOSIT_VALID_DAYS = 7;
export const DEPOSIT_MAX_TRIES = 3;

/**
 * Reads an amount as typed ("0.37", "０．３７", ".37", "0.3") into cents; null for anything that
 * is not a yuan amount with at most two decimals.
 */
export function parseYuanToCents(input: string): number | null {
	const text = input.normalize('NFKC').trim().replace(/^¥/, '').trim();
	const match = /^(\d{0,6})(?:\.(\d{1,2}))?$/.exec(text);
	if (!match || (!match[1] && !match[2])) return null;
	const yuan = Number(match[1] || '0');
	const cents = Number((match[2] ?? '0').padEnd(2, '0'));
	return yuan * 100 + cents;
}

export function formatCents(cents: number): string {
	return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** When a transfer sent at `sentAt` stops counting (OC6): DEPOSIT_VALID_DAYS later. */
export function depositExpiresAt(sentAt: string): string {
	return new Date(Date.parse(sentAt) + DEPOSIT_VALID_DAYS * 86_400_000).toISOString();
}

export interface DepositState {
	sentAt: string;
	triesUsed: number;
}

/**
 * `spendsTry` says whether the answer uses up one of the tries (and is recorded as one): only a
 * wrong amount typed while tries remain does, so a locked or expired deposit cannot be worn down
 * further, and the try that locks it is still counted and audited.
 */
export type DepositCheck =
	| { ok: true }
	| { ok: false; code: 'EXPIRED' | 'LOCKED' | 'WRONG'; triesLeft: number; spendsTry: boolean };

/**
 * Judges a typed-back amount (OC6): within DEPOSIT_VALID_DAYS of the transfer and
 * DEPOSIT_MAX_TRIES tries, so guessing 99 amounts is not possible. `matches` is whether the
 * amount's hash equals the stored one; an expired or locked deposit is refused whatever it says.
 */
export function judgeDepositAnswer(
	deposit: DepositState,
	now: string,
	matches: boolean
): DepositCheck {
	const expires = Date.parse(depositExpiresAt(deposit.sentAt));
	if (Date.parse(now) > expires) {
		return { ok: false, code: 'EXPIRED', triesLeft: 0, spendsTry: false };
	}
	if (deposit.triesUsed >= DEPOSIT_MAX_TRIES) {
		return { ok: false, code: 'LOCKED', triesLeft: 0, spendsTry: false };
	}
	if (matches) return { ok: true };
	const triesLeft = DEPOSIT_MAX_TRIES - deposit.triesUsed - 1;
	return { ok: false, code: triesLeft > 0 ? 'WRONG' : 'LOCKED', triesLeft, spendsTry: true };
}

/** Mainland bank accounts are 8–30 digits; CNAPS (联行号) codes are 12 digits (OC7). */
export function validateBankAccount(input: {
	bank: string;
	branch: string;
	account: string;
	cnaps: string;
}): { field: 'bank' | 'branch' | 'account' | 'cnaps'; code: 'EMPTY' | 'FORMAT' }[] {
	const problems: { field: 'bank' | 'branch' | 'account' | 'cnaps'; code: 'EMPTY' | 'FORMAT' }[] =
		[];
	if (!input.bank.trim()) problems.push({ field: 'bank', code: 'EMPTY' });
	if (!input.branch.trim()) problems.push({ field: 'branch', code: 'EMPTY' });
	const account = input.account.replace(/\s+/g, '');
	if (!account) problems.push({ field: 'account', code: 'EMPTY' });
	else if (!/^\d{8,30}$/.test(account)) problems.push({ field: 'account', code: 'FORMAT' });
	if (!input.cnaps.trim()) problems.push({ field: 'cnaps', code: 'EMPTY' });
	else if (!/^\d{12}$/.test(input.cnaps.trim())) problems.push({ field: 'cnaps', code: 'FORMAT' });
	return problems;
}

/** An account shown masked everywhere after entry: the last four digits identify it. */
export function maskAccount(account: string): string {
	const digits = account.replace(/\s+/g, '');
	return `•••• ${digits.slice(-4)}`;
}

// --- licence and letter files (OC9) ---

export const LICENCE_MAX_BYTES = 5 * 1024 * 1024;
export type LicenceMediaType = 'image/jpeg' | 'image/png' | 'application/pdf';

/**
 * Identifies a licence or letter file by its first bytes, never by its name or the browser's
 * claim, so a renamed executable is not stored as a "PDF" (OC9).
 */
export function checkLicenceFile(
	bytes: Uint8Array
): { ok: true; mediaType: LicenceMediaType } | { ok: false; code: 'EMPTY' | 'TOO_LARGE' | 'TYPE' } {
	if (bytes.length === 0) return { ok: false, code: 'EMPTY' };
	if (bytes.length > LICENCE_MAX_BYTES) return { ok: false, code: 'TOO_LARGE' };
	const starts = (sig: number[]) => sig.every((b, i) => bytes[i] === b);
	if (starts([0xff, 0xd8, 0xff])) return { ok: true, mediaType: 'image/jpeg' };
	if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
		return { ok: true, mediaType: 'image/png' };
	}
	if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return { ok: true, mediaType: 'application/pdf' };
	return { ok: false, code: 'TYPE' };
}
