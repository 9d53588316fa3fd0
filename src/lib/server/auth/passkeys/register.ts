import {
	generateRegistrationOptions,
	verifyRegistrationResponse,
	type PublicKeyCredentialCreationOptionsJSON,
	type RegistrationResponseJSON
} from '@simplewebauthn/server';
import {
	decodeAttestationObject,
	isoBase64URL,
	parseAuthenticatorData
} from '@simplewebauthn/server/helpers';
import { failure, type Result } from '$lib/domain/errors';
import type { PasskeySummary } from '$lib/domain/api-types';
import type { User } from '../../db/schema';
import { appendAudit } from '../../audit';
import { consumeChallenge, issueChallenge, rpIdFor, signedChallenge } from './challenges';
import {
	CHALLENGE_TTL_MS,
	logLibraryRefusal,
	normalisePasskeyName,
	parseTransports,
	RP_NAME,
	toSummary,
	type PasskeyDeps
} from './common';

/**
 * Options for creating a passkey for a signed-in user: discoverable (so login needs no user
 * name), user verification required (the biometric or screen lock is the manual's "face
 * recognition"), the device's own authenticator hinted first, and the user's existing passkeys
 * excluded so one device does not collect duplicates.
 */
export async function registrationOptions(
	deps: PasskeyDeps,
	user: User
): Promise<PublicKeyCredentialCreationOptionsJSON> {
	const existing = await deps.db
		.selectFrom('credentials')
		.select(['id', 'transports'])
		.where('user_id', '=', user.id)
		.where('revoked_at', 'is', null)
		.execute();
	const challenge = await issueChallenge(deps.db, deps.clock, 'register', user.id);
	const options = await generateRegistrationOptions({
		rpName: RP_NAME,
		rpID: rpIdFor(deps.origin),
		userName: user.display_name,
		userDisplayName: user.display_name,
		// The user id is the WebAuthn user handle; login checks it against the credential's owner.
		userID: new TextEncoder().encode(user.id),
		// Bytes, not the string: the library would base64url the string's UTF-8 a second time.
		challenge: isoBase64URL.toBuffer(challenge),
		timeout: CHALLENGE_TTL_MS,
		attestationType: 'none',
		excludeCredentials: existing.map((c) => ({
			id: c.id,
			transports: parseTransports(c.transports)
		})),
		authenticatorSelection: { residentKey: 'required', userVerification: 'required' }
	});
	// A hint, not authenticatorAttachment: the platform authenticator comes first, but a phone
	// or security key still works on a computer without one.
	return { ...options, hints: ['client-device'] };
}

/**
 * Verifies a registration response and stores the new passkey. Refuses unless the challenge
 * was this user's, unexpired and unspent, the user was verified, and the library answers
 * `verified === true` (origin and RP ID included).
 */
export async function verifyRegistration(
	deps: PasskeyDeps,
	user: User,
	body: RegistrationResponseJSON,
	requestedName: string
): Promise<Result<{ value: PasskeySummary }>> {
	const name = normalisePasskeyName(requestedName);
	if (!name) return failure('PASSKEY_NAME_INVALID', 'A passkey name needs 1 to 60 characters');
	const challenge = signedChallenge(body.response.clientDataJSON);
	if (!challenge) return failure('PASSKEY_INVALID', 'Unreadable client data');
	if (!(await consumeChallenge(deps.db, deps.clock, challenge, 'register', user.id))) {
		return failure('PASSKEY_CHALLENGE_INVALID', 'Unknown, expired or used challenge');
	}
	if (!registrationUserVerified(body)) {
		return failure('UV_REQUIRED', 'The authenticator did not verify the user');
	}
	let result;
	try {
		result = await verifyRegistrationResponse({
			response: body,
			expectedChallenge: challenge,
			expectedOrigin: deps.origin,
			expectedRPID: rpIdFor(deps.origin),
			requireUserVerification: true
		});
	} catch (error) {
		logLibraryRefusal('registration', error);
		return failure('PASSKEY_INVALID', 'The registration did not verify');
	}
	if (result.verified !== true || result.registrationInfo.userVerified !== true) {
		return failure('PASSKEY_INVALID', 'The registration did not verify');
	}
	const info = result.registrationInfo;
	const taken = await deps.db
		.selectFrom('credentials')
		.select('id')
		.where('id', '=', info.credential.id)
		.executeTakeFirst();
	if (taken) return failure('PASSKEY_EXISTS', 'This credential is already registered');
	const now = deps.clock().toISOString();
	const row = {
		id: info.credential.id,
		user_id: user.id,
		public_key: info.credential.publicKey,
		counter: info.credential.counter,
		transports: JSON.stringify(info.credential.transports ?? body.response.transports ?? []),
		device_type: info.credentialDeviceType,
		backed_up: info.credentialBackedUp ? 1 : 0,
		name,
		created_at: now,
		last_used_at: null,
		revoked_at: null,
		// Names the authenticator model on the certificate of completion (SPEC C6).
		aaguid: info.aaguid
	};
	await deps.db.transaction().execute(async (trx) => {
		await trx.insertInto('credentials').values(row).execute();
		await appendAudit(trx, deps.clock, user.id, {
			kind: 'passkey.enrolled',
			subject: user.id,
			data: { credentialId: row.id, name }
		});
	});
	return { ok: true, value: toSummary(row) };
}

function registrationUserVerified(body: RegistrationResponseJSON): boolean {
	try {
		const attestation = decodeAttestationObject(
			isoBase64URL.toBuffer(body.response.attestationObject)
		);
		return parseAuthenticatorData(attestation.get('authData')).flags.uv;
	} catch {
		// Unparseable: let the full verification below refuse it with its own reason.
		return true;
	}
}
