import type { Kysely, Selectable } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { failure, type Failure } from '$lib/domain/errors';
import { canonicalJson, sha256Hex } from '$lib/domain/canonical';
import { checkDocument } from '$lib/domain/personal-certification';
import {
	foldPersonName,
	isNamedRepresentative,
	legalRepChallenge,
	legalRepManifest,
	parseLegalRepManifest,
	type LegalRepManifest
} from '$lib/domain/legal-rep';
import type { CertificationBody, RequestOf } from '$lib/domain/api-requests';
import type { LegalRepRequestView, Profile } from '$lib/domain/api-types';
import type { Database, Db, OrgCertApplicationTable, User } from '../db/schema';
import type { Clock } from '../platform/clock';
import {
	assertionUserVerified,
	certify,
	checkAssertion,
	hashIdNumber,
	idNumberMatches,
	type CertificationDeps
} from '../auth';
import { recordAudit } from '../audit';
import { recordStep } from './certification';

// 法定代表人认证, the representative's side (SPEC LR3, LR4): their request, their certification
// checked against the application, the manifest they are shown and its passkey confirmation.

type ApplicationRow = Selectable<OrgCertApplicationTable>;

/** The pending legal-rep application that asks this person, newest first; else undefined. */
function requestFor(db: Db, userId: string): Promise<ApplicationRow | undefined> {
	return db
		.selectFrom('org_cert_applications')
		.selectAll()
		.where('rep_user_id', '=', userId)
		.where('method', '=', 'legal_rep')
		.where('state', '=', 'pending')
		.orderBy('created_at', 'desc')
		.executeTakeFirst();
}

const noRequest = () => failure('NOT_FOUND', 'No authorisation request is waiting for you');

function identified(row: ApplicationRow, user: User): boolean {
	return isNamedRepresentative(
		{ representative: row.representative, idHash: row.rep_id_hash },
		{ realName: user.real_name, idHash: user.id_number_hash }
	);
}

async function applicantName(db: Db, row: ApplicationRow): Promise<string> {
	const applicant = await db
		.selectFrom('users')
		.select(['display_name', 'real_name'])
		.where('id', '=', row.applicant_id)
		.executeTakeFirst();
	return applicant?.real_name ?? applicant?.display_name ?? row.applicant_id;
}

/** The request as the representative's page shows it (LR3, LR4). */
export async function legalRepRequest(
	db: Db,
	user: User
): Promise<({ ok: true } & LegalRepRequestView) | Failure> {
	const row = await requestFor(db, user.id);
	if (!row) return noRequest();
	const credentials = await db
		.selectFrom('credentials')
		.select('id')
		.where('user_id', '=', user.id)
		.where('revoked_at', 'is', null)
		.execute();
	const manifest = row.rep_manifest ? parseLegalRepManifest(row.rep_manifest) : null;
	return {
		ok: true,
		applicationId: row.id,
		organisation: { name: row.name, idNumber: row.id_number },
		applicantName: await applicantName(db, row),
		representative: row.representative,
		identified: identified(row, user),
		manifest: row.rep_confirmed_at ? null : manifest,
		manifestHash: manifest && !row.rep_confirmed_at ? await sha256Hex(row.rep_manifest!) : null,
		credentialIds: credentials.map((c) => c.id),
		confirmedAt: row.rep_confirmed_at,
		validUntil: row.rep_expires_at
	};
}

/**
 * Certifies the representative (LR3): the name and document number must be those the
 * application names (the number compared with its keyed hash) before personal certification
 * stores anything, so a mistyped number is refused with LEGAL_REP_MISMATCH and nothing is
 * lost: the request stays open and the person may try again. The refusal is audited on the
 * application. A malformed number gets personal certification's own answer.
 */
export async function certifyAsLegalRep(
	deps: CertificationDeps,
	user: User,
	input: RequestOf<typeof CertificationBody>
): Promise<{ ok: true; profile: Profile } | Failure> {
	const row = await requestFor(deps.db, user.id);
	if (!row || !row.rep_id_hash) return noRequest();
	const checked = checkDocument(input.documentType, input.idNumber, deps.clock(), input.country);
	if (checked.ok) {
		const same =
			idNumberMatches(checked.normalised, row.rep_id_hash) &&
			foldPersonName(input.realName) === foldPersonName(row.representative);
		if (!same) {
			await recordAudit(deps.db, deps.clock, user.id, {
				kind: 'org.cert-verification',
				subject: row.id,
				data: { method: 'legal_rep', step: 'mismatch' }
			});
			return failure('LEGAL_REP_MISMATCH', 'You are not the legal representative it names');
		}
	}
	const done = await certify(deps, user, input);
	if (!done.ok || !checked.ok) return done;
	// The same number under a rotated ID key hashes anew: the application follows the person.
	const current = hashIdNumber(checked.normalised);
	if (current !== row.rep_id_hash) {
		await deps.db
			.updateTable('org_cert_applications')
			.set({ rep_id_hash: current })
			.where('id', '=', row.id)
			.execute();
	}
	return done;
}

/**
 * Issues the authorisation manifest for the representative to confirm (LR4): the organisation,
 * the applicant, the representative as certified, the purpose and a year's validity, with a
 * fresh nonce. It replaces any earlier unconfirmed one, so only the newest can be confirmed.
 */
export async function issueLegalRepManifest(
	deps: { db: Kysely<Database>; clock: Clock },
	user: User
): Promise<{ ok: true; manifest: LegalRepManifest; manifestHash: string } | Failure> {
	const row = await requestFor(deps.db, user.id);
	if (!row) return noRequest();
	if (row.rep_confirmed_at) return failure('CERT_STATE', 'The authorisation is already confirmed');
	if (!identified(row, user) || !user.real_name || !user.id_number_masked) {
		return failure('LEGAL_REP_MISMATCH', 'Certify as the legal representative first');
	}
	const manifest = legalRepManifest({
		applicationId: row.id,
		organisation: { name: row.name, idNumber: row.id_number },
		applicantName: await applicantName(deps.db, row),
		representative: { name: user.real_name, idNumberMasked: user.id_number_masked },
		issuedAt: deps.clock().toISOString(),
		nonce: randomBytes(16).toString('base64url')
	});
	const text = canonicalJson(manifest);
	const manifestHash = await sha256Hex(text);
	await deps.db.transaction().execute((trx) =>
		recordStep(trx, deps.clock, user.id, {
			id: row.id,
			set: { rep_manifest: text },
			audit: { method: 'legal_rep', step: 'issued', detail: manifestHash }
		})
	);
	return { ok: true, manifest, manifestHash };
}

/**
 * Confirms the issued manifest with the representative's passkey (LR4): the assertion must be
 * from one of their active passkeys, with user verification, over the challenge that is the
 * SHA-256 of the manifest's canonical JSON. The manifest, the assertion, the credential, the
 * time and the validity are stored as the method's evidence, and the application is verified,
 * together with the audit entry. The person must still be the certified representative.
 */
export async function confirmLegalRep(
	deps: { db: Kysely<Database>; clock: Clock; origin: string },
	user: User,
	assertion: AuthenticationResponseJSON
): Promise<{ ok: true; confirmedAt: string; validUntil: string } | Failure> {
	return deps.db.transaction().execute(async (trx) => {
		const row = await requestFor(trx, user.id);
		if (!row) return noRequest();
		if (row.rep_confirmed_at || row.verified_at) {
			return failure('CERT_STATE', 'The authorisation is already confirmed');
		}
		const manifest = row.rep_manifest ? parseLegalRepManifest(row.rep_manifest) : null;
		if (!manifest) return failure('CERT_STATE', 'No authorisation has been issued to confirm');
		const person = await trx
			.selectFrom('users')
			.selectAll()
			.where('id', '=', user.id)
			.executeTakeFirstOrThrow();
		if (!identified(row, person)) {
			return failure('LEGAL_REP_MISMATCH', 'You are not the legal representative it names');
		}
		const credential = await trx
			.selectFrom('credentials')
			.selectAll()
			.where('id', '=', assertion.id)
			.where('user_id', '=', user.id)
			.where('revoked_at', 'is', null)
			.executeTakeFirst();
		if (!credential) return failure('PASSKEY_UNKNOWN', 'Not one of your active passkeys');
		const handle = assertion.response.userHandle;
		if (handle !== undefined && Buffer.from(handle, 'base64url').toString('utf8') !== user.id) {
			return failure('PASSKEY_INVALID', 'The user handle does not match the passkey owner');
		}
		const challenge = isoBase64URL.fromBuffer(await legalRepChallenge(manifest));
		const checked = await checkAssertion(deps.origin, credential, assertion, challenge);
		if (!checked.ok) return failure('PASSKEY_INVALID', checked.reason);
		if (!checked.info.userVerified || !assertionUserVerified(assertion)) {
			return failure('UV_REQUIRED', 'The authenticator did not verify the user');
		}
		const now = deps.clock().toISOString();
		await trx
			.updateTable('credentials')
			.set({
				counter: checked.info.newCounter,
				backed_up: checked.info.credentialBackedUp ? 1 : 0,
				last_used_at: now
			})
			.where('id', '=', credential.id)
			.execute();
		await recordStep(trx, deps.clock, user.id, {
			id: row.id,
			set: {
				rep_assertion: JSON.stringify(assertion),
				rep_credential_id: credential.id,
				rep_confirmed_at: now,
				rep_expires_at: manifest.validUntil,
				verified_at: now
			},
			audit: {
				method: 'legal_rep',
				step: 'confirmed',
				detail: await sha256Hex(row.rep_manifest!)
			}
		});
		return { ok: true as const, confirmedAt: now, validUntil: manifest.validUntil };
	});
}
