import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { ErrorCode } from '$lib/domain/errors';
import { type Manifest } from '$lib/domain/manifest';
import { parseManifest } from '$lib/domain/manifest-schema';
import { manifestChallenge } from '$lib/domain/canonical';
import type { User } from '../../db/schema';
import { assertionUserVerified, checkAssertion } from '../../auth';
import { refusal, type Body, type IngestAnswer, type IngestDeps } from './common';
import type { Attempt } from './load';

export interface Authenticated {
	manifest: Manifest;
	ticketId: string;
	/** When the ticket was issued: the seal image versions are judged at it (R20). */
	ticketIssuedAt: string;
	credentialId: string;
	newCounter: number;
	backedUp: boolean;
}

/** The checks up to and including the passkey assertion, on the rows loadAttempt read; writes nothing. */
export async function authenticate(
	deps: IngestDeps,
	user: User,
	body: Body,
	parsed: ReturnType<typeof parseManifest>,
	{ ticket, credential }: Attempt
): Promise<Authenticated | { refused: IngestAnswer }> {
	const refuse = (code: ErrorCode, message: string) => ({ refused: refusal(code, message) });
	if (!parsed.ok) {
		return { refused: refusal('MANIFEST_INVALID', parsed.issues.slice(0, 10).join('; ')) };
	}
	const manifest = parsed.manifest;
	// One answer for "no such ticket", "not yours" and "wrong nonce": nothing to probe.
	if (
		!ticket ||
		ticket.user_id !== user.id ||
		ticket.credential_id !== manifest.credentialId ||
		ticket.nonce !== manifest.ticket.nonce
	) {
		return refuse('TICKET_UNKNOWN', 'No such ticket for this passkey');
	}
	// A deactivated member's tickets are revoked too (MB4); say which of the two happened.
	if (user.deactivated_at) {
		return refuse('ACCOUNT_DEACTIVATED', 'This account was deactivated by an administrator');
	}
	// Before expiry: "your passkey was revoked" is what the user must act on, whatever the date.
	if (ticket.revoked_at !== null) {
		return refuse('PASSKEY_UNKNOWN', 'The passkey of this ticket was revoked');
	}
	const now = deps.clock().toISOString();
	if (ticket.expires_at <= now) return refuse('TICKET_EXPIRED', 'The ticket has expired');
	if (ticket.used_at !== null) return refuse('TICKET_USED', 'The ticket was already used');

	// A ticket revoked with its passkey was answered above; this is a passkey revoked while its
	// tickets were not (before migration 0011 revoked both together): the same answer.
	if (credential && credential.revoked_at !== null) {
		return refuse('PASSKEY_UNKNOWN', 'The passkey was revoked');
	}
	const assertion = body.assertion as AuthenticationResponseJSON;
	if (!credential || assertion.id !== credential.id) {
		return refuse('ASSERTION_INVALID', 'The assertion is not from this passkey');
	}
	const handle = assertion.response.userHandle;
	if (
		handle !== undefined &&
		Buffer.from(handle, 'base64url').toString('utf8') !== credential.user_id
	) {
		return refuse('ASSERTION_INVALID', 'The user handle does not match the passkey owner');
	}
	const challenge = isoBase64URL.fromBuffer(await manifestChallenge(manifest));
	// The base64url of the raw hash, exactly as it appears in the signed client data.
	const checked = await checkAssertion(deps.origin, credential, assertion, challenge);
	if (!checked.ok) return refuse('ASSERTION_INVALID', checked.reason);
	// After the signature, so an assertion both forged and unverified is ASSERTION_INVALID.
	if (checked.info.userVerified !== true || !assertionUserVerified(assertion)) {
		return refuse('UV_REQUIRED', 'The authenticator did not verify the user');
	}
	const result = { authenticationInfo: checked.info };
	return {
		manifest,
		ticketId: ticket.id,
		ticketIssuedAt: ticket.issued_at,
		credentialId: credential.id,
		newCounter: result.authenticationInfo.newCounter,
		backedUp: result.authenticationInfo.credentialBackedUp
	};
}
