import type { Kysely } from 'kysely';
import type { CertificationOptions, Profile } from '$lib/domain/api-types';
import type { RequestOf } from '$lib/domain/api-requests';
import type { CertificationBody } from '$lib/domain/api-requests';
import { failure, type Failure } from '$lib/domain/errors';
import {
	CERTIFICATION_CONSENT_VERSION,
	checkDocument,
	consentRefusal,
	missingFactor,
	highestReachable,
	maskDocumentNumber,
	SIMULATED_PROVIDER,
	type CertificationEvidence
} from '$lib/domain/personal-certification';
import type { Database, User } from '../../db/schema';
import type { Clock } from '../../platform/clock';
import { appendAudit } from '../../audit';
import { personRowsOf } from '../people';
import { normaliseName } from '../invites';
import { hashIdNumber, profileOf } from '../profile';
import type { IdentityVerifier } from './verifier';

export interface CertificationDeps {
	db: Kysely<Database>;
	clock: Clock;
	/** Null when this server has no identity provider (PC8). */
	verifier: IdentityVerifier | null;
}

/** What this server offers a person about to certify (PC7, PC8). */
export function certificationOptions(verifier: IdentityVerifier | null): CertificationOptions {
	return {
		consentVersion: CERTIFICATION_CONSENT_VERSION,
		highestLevel: highestReachable(verifier !== null),
		methods: verifier ? [...verifier.methods] : [],
		simulated: verifier?.provider === SIMULATED_PROVIDER
	};
}

async function reload(db: Kysely<Database>, id: string): Promise<User> {
	return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * Records that the user agreed to the consent text of `version` (PC7). Only the current version
 * is accepted: a page cached from before a change of text must not record agreement to words
 * the person never saw.
 */
export async function recordConsent(
	deps: Pick<CertificationDeps, 'db' | 'clock'>,
	user: User,
	version: string
): Promise<{ ok: true; profile: Profile } | Failure> {
	if (version !== CERTIFICATION_CONSENT_VERSION) {
		return failure('CONSENT_REQUIRED', 'That consent text is not the current one', {
			current: CERTIFICATION_CONSENT_VERSION
		});
	}
	const now = deps.clock().toISOString();
	await deps.db.transaction().execute(async (trx) => {
		await trx
			.updateTable('users')
			.set({ consent_version: version, consent_at: now })
			// The person's, on every membership alike (MO7).
			.where('users.id', 'in', personRowsOf(trx, user.id))
			.execute();
		await appendAudit(trx, deps.clock, user.id, {
			kind: 'certification.consented',
			subject: user.id,
			data: { version }
		});
	});
	return { ok: true, profile: profileOf(await reload(deps.db, user.id)) };
}

/**
 * Certifies the user (PC1–PC9): with current consent, a valid document number makes them
 * checksum-valid (stored masked and hashed, never in clear); with a provider method the verifier
 * is asked, and only its match makes them provider-verified. The checksum level is kept when the
 * provider says no, so a failed check never lowers a person below what their number proved.
 */
export async function certify(
	deps: CertificationDeps,
	user: User,
	input: RequestOf<typeof CertificationBody>
): Promise<{ ok: true; profile: Profile } | Failure> {
	const noConsent = consentRefusal(user.consent_version);
	if (noConsent) return noConsent;
	const realName = normaliseName(input.realName);
	if (!realName) return failure('REAL_NAME_INVALID', 'Name needs 1–50 characters');
	const checked = checkDocument(input.documentType, input.idNumber, deps.clock(), input.country);
	if (!checked.ok) {
		return failure('ID_NUMBER_INVALID', `Document number refused: ${checked.reason}`, {
			reason: checked.reason
		});
	}
	if (input.method && !deps.verifier?.methods.includes(input.method)) {
		return failure('CERTIFICATION_UNREACHABLE', 'This server has no provider for that method');
	}
	const factors = missingFactor(input);
	if (factors) return failure('BAD_REQUEST', `The method needs ${factors}`, { field: factors });

	const masked = maskDocumentNumber(checked.normalised);
	const hash = hashIdNumber(checked.normalised);
	// Asked before anything is written: the provider's answer decides the level stored, and a
	// provider that is down leaves the person exactly as they were.
	const answer =
		input.method && deps.verifier
			? await deps.verifier.verify({
					method: input.method,
					realName,
					documentType: checked.type,
					documentNumber: checked.normalised,
					phone: input.phone,
					bankCard: input.bankCard
				})
			: null;
	const now = deps.clock().toISOString();
	const evidence: Omit<CertificationEvidence, 'at'> =
		answer?.ok === true
			? {
					level: 'provider-verified',
					method: input.method!,
					provider: deps.verifier!.provider,
					reference: answer.reference
				}
			: { level: 'checksum-valid', method: 'document-checksum', provider: null, reference: null };
	await deps.db.transaction().execute(async (trx) => {
		await trx
			.updateTable('users')
			.set({
				real_name: realName,
				id_number_masked: masked,
				id_number_hash: hash,
				verified_at: now,
				cert_document_type: checked.type,
				cert_level: evidence.level,
				cert_method: evidence.method,
				cert_provider: evidence.provider,
				cert_reference: evidence.reference,
				cert_at: now
			})
			// The person's, on every membership alike (MO7).
			.where('users.id', 'in', personRowsOf(trx, user.id))
			.execute();
		await appendAudit(trx, deps.clock, user.id, {
			kind: 'certification.certified',
			subject: user.id,
			data: { ...evidence, documentType: checked.type }
		});
		if (answer && !answer.ok) {
			await appendAudit(trx, deps.clock, user.id, {
				kind: 'certification.failed',
				subject: user.id,
				data: {
					method: input.method!,
					provider: deps.verifier!.provider,
					reference: answer.reference,
					reason: answer.reason
				}
			});
		}
	});
	if (answer && !answer.ok) {
		return failure('CERTIFICATION_FAILED', 'The identity provider did not confirm the person', {
			reason: answer.reason,
			level: 'checksum-valid'
		});
	}
	return { ok: true, profile: profileOf(await reload(deps.db, user.id)) };
}
