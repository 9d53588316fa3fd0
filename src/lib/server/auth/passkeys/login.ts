import {
	generateAuthenticationOptions,
	type AuthenticationResponseJSON,
	type PublicKeyCredentialRequestOptionsJSON
} from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { failure, type Result } from '$lib/domain/errors';
import type { User } from '../../db/schema';
import { appendAudit } from '../../audit';
import { landingMembership } from '../people';
import { assertionUserVerified, checkAssertion } from './assertion';
import { consumeChallenge, issueChallenge, rpIdFor, signedChallenge } from './challenges';
import { CHALLENGE_TTL_MS, type PasskeyDeps } from './common';

/**
 * Options for a discoverable login: no allowCredentials, so the authenticator offers the
 * passkeys it holds for this site and the user picks one (also through autofill).
 */
export async function authenticationOptions(
	deps: PasskeyDeps
): Promise<PublicKeyCredentialRequestOptionsJSON> {
	const challenge = await issueChallenge(deps.db, deps.clock, 'login', null);
	return generateAuthenticationOptions({
		rpID: rpIdFor(deps.origin),
		// Bytes, not the string: the library would base64url the string's UTF-8 a second time.
		challenge: isoBase64URL.toBuffer(challenge),
		timeout: CHALLENGE_TTL_MS,
		userVerification: 'required',
		allowCredentials: []
	});
}

/**
 * Verifies a login assertion and answers whose it is. The credential must be known and not
 * revoked, the user handle must name its owner, user verification must be present, and the
 * library must answer `verified === true` (it returns false for a bad signature rather than
 * throwing). The counter and last use are recorded only after that.
 */
export async function verifyAuthentication(
	deps: PasskeyDeps,
	body: AuthenticationResponseJSON
): Promise<Result<{ value: { user: User; credentialId: string } }>> {
	const challenge = signedChallenge(body.response.clientDataJSON);
	if (!challenge) return failure('PASSKEY_INVALID', 'Unreadable client data');
	if (!(await consumeChallenge(deps.db, deps.clock, challenge, 'login', null))) {
		return failure('PASSKEY_CHALLENGE_INVALID', 'Unknown, expired or used challenge');
	}
	const credential = await deps.db
		.selectFrom('credentials')
		.selectAll()
		.where('id', '=', body.id)
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
	if (!credential) return failure('PASSKEY_UNKNOWN', 'Unknown or revoked passkey');
	const handle = body.response.userHandle;
	if (
		handle !== undefined &&
		Buffer.from(handle, 'base64url').toString('utf8') !== credential.user_id
	) {
		return failure('PASSKEY_INVALID', 'The user handle does not match the passkey owner');
	}
	if (!assertionUserVerified(body)) {
		return failure('UV_REQUIRED', 'The authenticator did not verify the user');
	}
	const checked = await checkAssertion(deps.origin, credential, body, challenge);
	if (!checked.ok) return failure('PASSKEY_INVALID', checked.reason);
	const result = { authenticationInfo: checked.info };
	if (result.authenticationInfo.userVerified !== true) {
		return failure('PASSKEY_INVALID', 'The assertion did not verify');
	}
	const user = await landingMembership(deps.db, credential.user_id);
	// MB4: checked after the passkey proves who is asking, so the answer tells nobody else.
	if (user.deactivated_at !== null) {
		return failure('ACCOUNT_DEACTIVATED', 'This account was deactivated by an administrator');
	}
	await deps.db.transaction().execute(async (trx) => {
		await trx
			.updateTable('credentials')
			.set({
				counter: result.authenticationInfo.newCounter,
				backed_up: result.authenticationInfo.credentialBackedUp ? 1 : 0,
				last_used_at: deps.clock().toISOString()
			})
			.where('id', '=', credential.id)
			.execute();
		await appendAudit(trx, deps.clock, user.id, {
			kind: 'login',
			subject: user.id,
			data: { credentialId: credential.id }
		});
	});
	return { ok: true, value: { user, credentialId: credential.id } };
}
