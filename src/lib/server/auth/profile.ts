import type { Kysely } from 'kysely';
import { checkResidentId } from '$lib/domain/validators';
import type { Profile } from '$lib/domain/api-types';
import type { Database, User } from '../db/schema';
import type { Clock } from '../platform/clock';
import { hmacHex, sameMac, serverKey, verificationKeys } from '../platform/secrets';
import { appendAuthEvent } from './auth-events';
import { personRowsOf } from './people';
import { normaliseName } from './invites';
import { failure, type Failure } from '$lib/domain/errors';
import { certificationOf } from './certification/summary';
import { consentRefusal } from '$lib/domain/personal-certification';

/**
 * The displayable form of a resident ID number: region prefix and the last four, e.g.
 * 1101**********002X. Enough for a person to recognise their own number, useless to anyone else.
 */
export function maskIdNumber(normalised: string): string {
	return `${normalised.slice(0, 4)}${'*'.repeat(normalised.length - 8)}${normalised.slice(-4)}`;
}

/**
 * A keyed hash of the number, to find the same person twice without storing the number. Keyed
 * with the ID key (SPEC SEC1), held outside the database, because the space of valid numbers is
 * small enough to enumerate.
 */
export function hashIdNumber(normalised: string): string {
	return hmacHex(serverKey('id_number_key'), normalised);
}

/**
 * Whether a normalised number is the one behind a stored hash, under the current ID key or one
 * retired by a rotation (SEC4), compared in constant time: how a person proves again that they
 * are the one who certified, without the number being kept.
 */
export function idNumberMatches(normalised: string, stored: string): boolean {
	return verificationKeys('id_number_key').some((key) => sameMac(hmacHex(key, normalised), stored));
}

/** What the user sees of their own account. */
export function profileOf(user: User): Profile {
	return {
		id: user.id,
		name: user.display_name,
		role: user.role,
		realName: user.real_name,
		idNumberMasked: user.id_number_masked,
		verifiedAt: user.verified_at,
		certification: certificationOf(user),
		consent:
			user.consent_version && user.consent_at
				? { version: user.consent_version, at: user.consent_at }
				: null
	};
}

/**
 * Records a user's real name and resident ID number (checked with the GB 11643 validator
 * against the server's date). Stores the masked number and its keyed hash, never the number.
 */
export async function saveDetails(
	deps: { db: Kysely<Database>; clock: Clock },
	user: User,
	input: { realName: string; idNumber: string; ip: string | null }
): Promise<{ ok: true; profile: Profile } | Failure> {
	const noConsent = consentRefusal(user.consent_version);
	if (noConsent) return noConsent;
	const realName = normaliseName(input.realName);
	if (!realName) {
		return failure('REAL_NAME_INVALID', 'Name needs 1–50 characters');
	}
	const checked = checkResidentId(input.idNumber, deps.clock());
	if (!checked.ok) {
		return failure('ID_NUMBER_INVALID', `Resident ID number refused: ${checked.reason}`, {
			reason: checked.reason
		});
	}
	const masked = maskIdNumber(checked.normalised);
	const now = deps.clock().toISOString();
	await deps.db
		.updateTable('users')
		.set({
			real_name: realName,
			id_number_masked: masked,
			id_number_hash: hashIdNumber(checked.normalised),
			verified_at: now,
			// The number's checksum is all this proves (PC5); a provider check replaces it later.
			cert_level: 'checksum-valid',
			cert_method: 'document-checksum',
			cert_document_type: 'resident-id',
			cert_provider: null,
			cert_reference: null,
			cert_at: now
		})
		// The person's, on every membership alike (MO7).
		.where('users.id', 'in', personRowsOf(deps.db, user.id))
		.execute();
	await appendAuthEvent(deps.db, deps.clock, {
		kind: 'details.updated',
		userId: user.id,
		ip: input.ip,
		detail: { idNumberMasked: masked, replaced: user.verified_at !== null }
	});
	const updated = await deps.db
		.selectFrom('users')
		.selectAll()
		.where('id', '=', user.id)
		.executeTakeFirstOrThrow();
	return { ok: true, profile: profileOf(updated) };
}
