import {
	verifyAuthenticationResponse,
	type AuthenticationResponseJSON
} from '@simplewebauthn/server';
import { isoBase64URL, parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import type { Credential } from '../../db/schema';
import { rpIdFor } from './challenges';
import { logLibraryRefusal, parseTransports } from './common';

/**
 * The UV flag as the authenticator set it. Callers check it themselves so a missing user
 * verification gets its own code (UV_REQUIRED) instead of a generic verification failure.
 */
export function assertionUserVerified(body: AuthenticationResponseJSON): boolean {
	try {
		return parseAuthenticatorData(isoBase64URL.toBuffer(body.response.authenticatorData)).flags.uv;
	} catch {
		return true; // unparseable: the full verification refuses it with its own reason
	}
}

/**
 * Verifies a passkey assertion against a stored credential, origin and RP ID: the one place
 * login and signature ingest call SimpleWebAuthn, so both check `verified === true` (the library
 * answers false for a bad signature rather than throwing) and treat a throw — including a
 * counter that did not increase — as a refusal. User verification is left to the caller.
 */
export async function checkAssertion(
	origin: string,
	credential: Pick<Credential, 'id' | 'public_key' | 'counter' | 'transports'>,
	response: AuthenticationResponseJSON,
	expectedChallenge: string
): Promise<
	| { ok: true; info: { newCounter: number; userVerified: boolean; credentialBackedUp: boolean } }
	| { ok: false; reason: string }
> {
	let result;
	try {
		result = await verifyAuthenticationResponse({
			response,
			expectedChallenge,
			expectedOrigin: origin,
			expectedRPID: rpIdFor(origin),
			credential: {
				id: credential.id,
				// A fresh copy: the driver's Buffer may share a larger pool ArrayBuffer.
				publicKey: new Uint8Array(credential.public_key),
				counter: credential.counter,
				transports: parseTransports(credential.transports)
			},
			requireUserVerification: false
		});
	} catch (error) {
		logLibraryRefusal('assertion', error);
		return { ok: false, reason: 'The assertion did not verify' };
	}
	if (result.verified !== true) return { ok: false, reason: 'The assertion did not verify' };
	return { ok: true, info: result.authenticationInfo };
}
