/**
 * Personal certification (实名认证, SPEC PC): which identity documents a person may certify with,
 * how each number is checked, and the levels of assurance a certification reaches. Pure: the
 * server and the browser run the same checks, and "today" is passed in.
 */
import { failure, type Failure } from './errors';
import { checkResidentId, type ResidentIdProblem } from './validators';

/** The documents a person certifies with; stable ids stored per user and sent by clients. */
export const DOCUMENT_TYPES = ['resident-id', 'hmt-residence-permit', 'passport'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/**
 * Levels of assurance, weakest first (PC4). `self-declared`: a name typed by the person;
 * `checksum-valid`: a document number whose structure and check character are right, which
 * proves only that the number could exist; `provider-verified`: an identity provider matched the
 * person to the number (face, carrier or bank factors).
 */
export const CERTIFICATION_LEVELS = [
	'self-declared',
	'checksum-valid',
	'provider-verified'
] as const;
export type CertificationLevel = (typeof CERTIFICATION_LEVELS)[number];

/** How a level was reached; `document-checksum` needs no provider, the others do (PC5). */
export const CERTIFICATION_METHODS = [
	'self-declared',
	'document-checksum',
	'face-match',
	'carrier-three-factor',
	'bank-four-factor'
] as const;
export type CertificationMethod = (typeof CERTIFICATION_METHODS)[number];

/** The provider methods a person may choose (PC5). */
export type ProviderMethod = Exclude<CertificationMethod, 'self-declared' | 'document-checksum'>;
export const PROVIDER_METHODS: readonly ProviderMethod[] = [
	'face-match',
	'carrier-three-factor',
	'bank-four-factor'
];

/**
 * The provider name stored for the development adapter (PC6). Every place that shows evidence
 * compares against this one constant, so a simulated check can never be shown as a real one.
 */
export const SIMULATED_PROVIDER = 'simulated';

/**
 * The version of the consent text a person agrees to before any personal data is sent (PC7).
 * Changing the text means a new version: earlier consents no longer cover a certification.
 */
export const CERTIFICATION_CONSENT_VERSION = '2026-12-01';

/**
 * The refusal for a person who has not agreed to the current consent text, or null: nothing
 * personal is taken before that agreement (PC7).
 */
export function consentRefusal(consentVersion: string | null): Failure | null {
	if (consentVersion === CERTIFICATION_CONSENT_VERSION) return null;
	return failure('CONSENT_REQUIRED', 'Agree to the current consent text first', {
		current: CERTIFICATION_CONSENT_VERSION
	});
}

/** Why a document number is refused; stable codes clients key their messages on. */
export type DocumentProblem = ResidentIdProblem | 'COUNTRY';

export type DocumentCheck =
	{ ok: true; type: DocumentType; normalised: string } | { ok: false; reason: DocumentProblem };

/**
 * The 6-digit address codes of 港澳台居民居住证 numbers: Hong Kong, Macao, Taiwan. The number is
 * otherwise a GB 11643 number, so it is checked the same way.
 */
export const RESIDENCE_PERMIT_PREFIXES: Readonly<Record<string, 'HK' | 'MO' | 'TW'>> = {
	'810000': 'HK',
	'820000': 'MO',
	'830000': 'TW'
};

/** Folded like resident ID numbers: full-width characters, spaces and lower case are not errors. */
function fold(input: string): string {
	return input.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/**
 * A Chinese passport number: G + 8 digits (older books) or E + 8 digits, or E + letter + 7
 * digits (e-passports after the E-digit series ran out). I and O are never used as that letter.
 */
const CN_PASSPORT = /^(?:G\d{8}|E\d{8}|E[A-HJ-NP-Z]\d{7})$/;

/**
 * Any other country: ICAO 9303 allows up to 9 characters of A–Z and 0–9 in the passport number
 * field; fewer than 5 or no digit at all is a typo in practice, not a passport.
 */
const GENERIC_PASSPORT = /^(?=.*\d)[A-Z0-9]{5,9}$/;

/** Checks a passport number by its issuing country, an ISO 3166 alpha-3 code (PC3). */
export function checkPassport(country: string, input: string): DocumentCheck {
	const issuer = fold(country);
	if (!/^[A-Z]{3}$/.test(issuer)) return { ok: false, reason: 'COUNTRY' };
	const number = fold(input);
	if (number.length < 5 || number.length > 9) return { ok: false, reason: 'LENGTH' };
	const rule = issuer === 'CHN' ? CN_PASSPORT : GENERIC_PASSPORT;
	if (!rule.test(number)) return { ok: false, reason: 'FORMAT' };
	return { ok: true, type: 'passport', normalised: `${issuer}:${number}` };
}

/**
 * Checks a document number by its type (PC1–PC3). The normalised form is what is hashed and
 * masked; for a passport it carries the country, since two countries may issue the same number.
 */
export function checkDocument(
	type: DocumentType,
	input: string,
	today: Date,
	country = 'CHN'
): DocumentCheck {
	if (type === 'passport') return checkPassport(country, input);
	const checked = checkResidentId(input, today);
	if (!checked.ok) return checked;
	const prefix = checked.normalised.slice(0, 6);
	const isPermit = prefix in RESIDENCE_PERMIT_PREFIXES;
	// A permit number under "resident ID" (or the reverse) is the wrong document chosen, named
	// as a region problem so the form can point at the type selector's neighbour, the number.
	if (isPermit !== (type === 'hmt-residence-permit')) return { ok: false, reason: 'REGION' };
	return { ok: true, type, normalised: checked.normalised };
}

/**
 * The displayable form of a document number: enough for its owner to recognise it, useless to
 * anyone else. Resident and permit numbers keep the first and last four; passports the
 * country and the last three.
 */
export function maskDocumentNumber(normalised: string): string {
	const colon = normalised.indexOf(':');
	if (colon >= 0) {
		const number = normalised.slice(colon + 1);
		return `${normalised.slice(0, colon)} ${'*'.repeat(Math.max(number.length - 3, 0))}${number.slice(-3)}`;
	}
	return `${normalised.slice(0, 4)}${'*'.repeat(normalised.length - 8)}${normalised.slice(-4)}`;
}

/** Whether `level` is at least `required` (PC4); null requirement is met by everyone. */
export function meetsLevel(
	level: CertificationLevel,
	required: CertificationLevel | null
): boolean {
	if (required === null) return true;
	return CERTIFICATION_LEVELS.indexOf(level) >= CERTIFICATION_LEVELS.indexOf(required);
}

/**
 * The highest level this server can certify anyone to (PC8): with an identity provider (real or
 * simulated) that is provider-verified, otherwise checksum-valid.
 */
export function highestReachable(hasVerifier: boolean): CertificationLevel {
	return hasVerifier ? 'provider-verified' : 'checksum-valid';
}

/** What is recorded about how a person was certified; never the document number itself. */
export interface CertificationEvidence {
	level: CertificationLevel;
	method: CertificationMethod;
	/** The provider's name, `simulated` for the development adapter, null without a provider. */
	provider: string | null;
	/** ISO 8601 instant (server time). */
	at: string;
	/** The provider's reference for its check, or null. */
	reference: string | null;
}

const LEVEL_TEXT: Record<CertificationLevel, { zh: string; en: string }> = {
	'self-declared': { zh: '自行填写', en: 'self-declared' },
	'checksum-valid': { zh: '证件号码校验通过', en: 'ID number checksum valid' },
	'provider-verified': { zh: '实名核验通过', en: 'identity verified by a provider' }
};

const METHOD_TEXT: Record<CertificationMethod, { zh: string; en: string }> = {
	'self-declared': { zh: '本人填写', en: 'typed by the person' },
	'document-checksum': { zh: '证件号码校验', en: 'document number check' },
	'face-match': { zh: '人脸比对', en: 'face match' },
	'carrier-three-factor': { zh: '运营商三要素', en: 'carrier three-factor' },
	'bank-four-factor': { zh: '银行卡四要素', en: 'bank card four-factor' }
};

/**
 * The certification line of the certificate of completion (PC9), in both languages. A simulated
 * provider is named as such in both, so the printed record cannot pass for a real check.
 */
export function describeCertification(
	evidence: Pick<CertificationEvidence, 'level' | 'method' | 'provider'>
): string {
	const level = LEVEL_TEXT[evidence.level];
	const method = METHOD_TEXT[evidence.method];
	if (evidence.level !== 'provider-verified') return `${level.zh} / ${level.en}`;
	if (evidence.provider === SIMULATED_PROVIDER) {
		return `${level.zh}（${method.zh}，模拟核验，非真实）/ ${level.en} (${method.en}, SIMULATED, not a real check)`;
	}
	const by = evidence.provider ?? '—';
	return `${level.zh}（${method.zh}，${by}）/ ${level.en} (${method.en}, ${by})`;
}

/**
 * The extra factor a provider method needs and the request lacks or has malformed, or null:
 * the carrier and bank checks need a phone number, the bank check also a card number.
 */
export function missingFactor(input: {
	method?: ProviderMethod;
	phone?: string;
	bankCard?: string;
}): 'phone' | 'bankCard' | null {
	if (input.method === 'carrier-three-factor' || input.method === 'bank-four-factor') {
		if (!/^\+?\d{6,15}$/.test(input.phone?.trim() ?? '')) return 'phone';
	}
	if (input.method === 'bank-four-factor' && !/^\d{12,19}$/.test(input.bankCard?.trim() ?? '')) {
		return 'bankCard';
	}
	return null;
}
