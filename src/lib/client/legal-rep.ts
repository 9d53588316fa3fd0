import { bufferToBase64URLString, startAuthentication } from '@simplewebauthn/browser';
import type { LegalRepRequestView, Profile, ProfileResponse } from '$lib/domain/api-types';
import type { CertificationBody, RequestOf } from '$lib/domain/api-requests';
import { legalRepChallenge, type LegalRepManifest } from '$lib/domain/legal-rep';
import { api, ApiError } from './api';
import { ceremonyError } from './passkeys';

// 法定代表人认证, the representative's page (SPEC LR3, LR4): the request, certification as the
// named representative, the manifest and its passkey confirmation.

export function loadLegalRepRequest(fetcher: typeof fetch) {
	return api<LegalRepRequestView>(fetcher, '/api/legal-rep');
}

/** Personal certification, refused with LEGAL_REP_MISMATCH unless it is the named person. */
export async function certifyAsLegalRep(
	body: RequestOf<typeof CertificationBody>
): Promise<Profile> {
	const { profile } = await api<ProfileResponse>(fetch, '/api/legal-rep/certify', {
		method: 'POST',
		json: body
	});
	return profile;
}

export function issueLegalRepManifest() {
	return api<{ manifest: LegalRepManifest; manifestHash: string }>(
		fetch,
		'/api/legal-rep/manifest',
		{ method: 'POST' }
	);
}

/**
 * The passkey ceremony over the manifest (challenge = SHA-256 of its canonical JSON, user
 * verification required, one of the person's passkeys), then the server's check and record.
 */
export async function confirmLegalRep(
	manifest: LegalRepManifest,
	credentialIds: string[]
): Promise<{ confirmedAt: string; validUntil: string }> {
	const challenge = await legalRepChallenge(manifest);
	let assertion;
	try {
		assertion = await startAuthentication({
			optionsJSON: {
				challenge: bufferToBase64URLString(challenge.buffer),
				rpId: location.hostname,
				allowCredentials: credentialIds.map((id) => ({ id, type: 'public-key' as const })),
				userVerification: 'required',
				timeout: 120_000
			}
		});
	} catch (error) {
		throw ceremonyError(error) ?? new ApiError('PASSKEY_CANCELLED', 0, String(error));
	}
	return api(fetch, '/api/legal-rep/confirm', {
		method: 'POST',
		json: { assertion }
	});
}
