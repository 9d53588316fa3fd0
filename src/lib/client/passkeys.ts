import {
	browserSupportsWebAuthn,
	browserSupportsWebAuthnAutofill,
	startAuthentication,
	startRegistration,
	WebAuthnError,
	type PublicKeyCredentialCreationOptionsJSON,
	type PublicKeyCredentialRequestOptionsJSON
} from '@simplewebauthn/browser';
import type { ErrorCode } from '$lib/domain/errors';
import type {
	CodeLoginRequested,
	LoginResponse,
	PasskeyResponse,
	PasskeyRevokedResponse,
	PasskeysResponse,
	PasskeySummary,
	SessionResponse,
	SessionUser
} from '$lib/domain/api-types';
import { api, ApiError } from './api';
import {
	forgetOtherUsersCredential,
	rememberDeviceCredential,
	topUpIfOnline
} from './device/tickets';
import type {
	CodeLoginRequestBody,
	CodeLoginVerifyBody,
	RequestOf,
	PasskeyRenameBody
} from '$lib/domain/api-requests';
import { enterOrganisation } from './device/organisation';

/**
 * Records the passkey this device just used as the device credential and fetches its tickets.
 * A failure here never fails the sign-in: the confirmation says clearly when no passkey or no
 * ticket is on the device, and the next login records it again.
 */
async function adoptDeviceCredential(
	fetcher: typeof fetch,
	credentialId: string,
	userId: string
): Promise<void> {
	try {
		await rememberDeviceCredential({ credentialId, userId });
	} catch {
		return;
	}
	// The tickets drawn next are the signed-in membership's: the device enters its organisation
	// first (SPEC MO8), or entering it later would drop them as another organisation's.
	try {
		const { memberships } = await api<SessionResponse>(fetcher, '/api/session');
		const current = memberships?.find((o) => o.current);
		if (current) await enterOrganisation(current.orgId);
	} catch {
		// Offline or refused: the next inbox refresh says which organisation this is.
	}
	void topUpIfOnline(fetcher);
}

/**
 * Turns what the browser's WebAuthn ceremony throws into our stable codes, so the UI shows a
 * specific, translated message instead of the browser's English (or nothing at all).
 */
export function ceremonyError(error: unknown): ApiError | null {
	if (error instanceof ApiError) return error;
	const name = error instanceof Error ? error.name : '';
	const code = error instanceof WebAuthnError ? error.code : '';
	// The ceremony was superseded (e.g. the button replaced the autofill request): not an error.
	if (name === 'AbortError' || code === 'ERROR_CEREMONY_ABORTED') return null;
	const mapped: ErrorCode =
		code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError'
			? 'PASSKEY_EXISTS'
			: code === 'ERROR_AUTHENTICATOR_MISSING_USER_VERIFICATION_SUPPORT'
				? 'UV_REQUIRED'
				: name === 'NotAllowedError'
					? 'PASSKEY_CANCELLED'
					: name === 'NotSupportedError' ||
						  code === 'ERROR_AUTHENTICATOR_MISSING_DISCOVERABLE_CREDENTIAL_SUPPORT'
						? 'PASSKEY_UNSUPPORTED'
						: 'PASSKEY_INVALID';
	return new ApiError(mapped, 0, error instanceof Error ? error.message : String(error));
}

/** Runs a ceremony step and rethrows its failure as an ApiError with a stable code. */
async function ceremony<T>(run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (error) {
		throw ceremonyError(error) ?? error;
	}
}

/**
 * A default name that tells devices apart on the passkeys page ("Chrome on Android"), so a
 * user can find the lost phone's passkey without having named anything.
 */
export function defaultPasskeyName(userAgent: string): string {
	const browser = /Edg\//.test(userAgent)
		? 'Edge'
		: /Firefox\//.test(userAgent)
			? 'Firefox'
			: /Chrom(e|ium)\//.test(userAgent)
				? 'Chrome'
				: /Safari\//.test(userAgent)
					? 'Safari'
					: 'Browser';
	const system = /Android/.test(userAgent)
		? 'Android'
		: /iPhone|iPad|iPod/.test(userAgent)
			? 'iOS'
			: /Mac OS X|Macintosh/.test(userAgent)
				? 'macOS'
				: /Windows/.test(userAgent)
					? 'Windows'
					: /CrOS/.test(userAgent)
						? 'ChromeOS'
						: /Linux/.test(userAgent)
							? 'Linux'
							: '';
	return system ? `${browser} · ${system}` : browser;
}

/**
 * Creates a passkey on this device for the signed-in user: server options, the browser's
 * ceremony (biometric or screen lock), then server verification. Throws ApiError with a
 * stable code on every failure path, the user's cancel included.
 */
export async function enrolPasskey(fetcher: typeof fetch): Promise<PasskeySummary> {
	if (!browserSupportsWebAuthn()) {
		throw new ApiError('PASSKEY_UNSUPPORTED', 0, 'WebAuthn is not available');
	}
	const optionsJSON = await api<PublicKeyCredentialCreationOptionsJSON>(
		fetcher,
		'/api/passkeys/register/options',
		{ method: 'POST' }
	);
	const response = await ceremony(() => startRegistration({ optionsJSON }));
	const { passkey } = await api<PasskeyResponse>(fetcher, '/api/passkeys/register/verify', {
		method: 'POST',
		json: { response, name: defaultPasskeyName(navigator.userAgent) }
	});
	// The passkey just created lives on this device.
	await adoptForCurrentUser(fetcher, response.id);
	return passkey;
}

/**
 * The browser's half of a passkey check: this site's passkeys offered, the user verifies, and the
 * assertion comes back for the endpoint that consumes it (the check itself, or joining).
 */
async function passkeyCheckAssertion(fetcher: typeof fetch) {
	if (!browserSupportsWebAuthn()) {
		throw new ApiError('PASSKEY_UNSUPPORTED', 0, 'WebAuthn is not available');
	}
	const optionsJSON = await api<PublicKeyCredentialRequestOptionsJSON>(
		fetcher,
		'/api/session/check/options',
		{ method: 'POST' }
	);
	return ceremony(() => startAuthentication({ optionsJSON }));
}

/** After a passkey was tied to this account: offline confirmations on this device will ask for it. */
async function adoptForCurrentUser(fetcher: typeof fetch, credentialId: string): Promise<void> {
	const { user } = await api<SessionResponse>(fetcher, '/api/session').catch(() => ({
		user: null
	}));
	if (user) await adoptDeviceCredential(fetcher, credentialId, user.id);
}

/**
 * A passkey check for the signed-in user (enrolling another passkey asks for one): the browser
 * offers this site's passkeys, the user verifies, and the server marks this session as checked.
 */
export async function confirmWithPasskey(fetcher: typeof fetch): Promise<void> {
	const response = await passkeyCheckAssertion(fetcher);
	await api<{ ok: true }>(fetcher, '/api/session/check/verify', {
		method: 'POST',
		json: { response }
	});
}

/**
 * Joins the invitation just redeemed to the person whose passkey this is (SPEC MO4): the browser
 * offers this site's passkeys, the user verifies, and the invited membership becomes theirs. The
 * passkey then serves this device in the new organisation too.
 */
export async function joinWithPasskey(fetcher: typeof fetch): Promise<void> {
	const response = await passkeyCheckAssertion(fetcher);
	await api<{ ok: true }>(fetcher, '/api/session/join', { method: 'POST', json: { response } });
	await adoptForCurrentUser(fetcher, response.id);
}

/**
 * Signs in with a discoverable passkey. With `autofill` the request waits quietly for the user
 * to pick a passkey from an input's suggestions (conditional UI); it resolves to null when a
 * newer ceremony aborted it, which is the normal end of an unused autofill request.
 */
export async function signInWithPasskey(
	fetcher: typeof fetch,
	{ autofill = false }: { autofill?: boolean } = {}
): Promise<SessionUser | null> {
	if (!browserSupportsWebAuthn()) {
		throw new ApiError('PASSKEY_UNSUPPORTED', 0, 'WebAuthn is not available');
	}
	const optionsJSON = await api<PublicKeyCredentialRequestOptionsJSON>(
		fetcher,
		'/api/auth/login/options',
		{ method: 'POST' }
	);
	let response;
	try {
		response = await startAuthentication({ optionsJSON, useBrowserAutofill: autofill });
	} catch (error) {
		const mapped = ceremonyError(error);
		if (!mapped) return null;
		throw mapped;
	}
	const { user } = await api<LoginResponse>(fetcher, '/api/auth/login/verify', {
		method: 'POST',
		json: { response }
	});
	await adoptDeviceCredential(fetcher, response.id, user.id);
	return user;
}

/**
 * Asks for a sign-in code at the contact the member was invited at (SPEC CL1–CL3). The answer
 * is the same whether or not the contact is a member's; RATE_LIMITED carries retryAfterSeconds.
 */
export function requestSignInCode(
	fetcher: typeof fetch,
	contact: string
): Promise<CodeLoginRequested> {
	return api<CodeLoginRequested>(fetcher, '/api/auth/code/request', {
		method: 'POST',
		json: { contact } satisfies RequestOf<typeof CodeLoginRequestBody>
	});
}

/**
 * Signs in with the code sent to the contact. The session has no passkey on this device yet
 * (CL7): a passkey another account recorded here is forgotten, so confirming a signature says
 * that this device needs its own passkey instead of asking for someone else's.
 */
export async function signInWithCode(
	fetcher: typeof fetch,
	contact: string,
	code: string
): Promise<SessionUser> {
	const { user } = await api<LoginResponse>(fetcher, '/api/auth/code/verify', {
		method: 'POST',
		json: { contact, code } satisfies RequestOf<typeof CodeLoginVerifyBody>
	});
	await forgetOtherUsersCredential(user.id).catch(() => undefined);
	return user;
}

/** Whether this browser offers passkeys in an input's autofill (conditional UI). */
export function supportsPasskeyAutofill(): Promise<boolean> {
	return browserSupportsWebAuthnAutofill();
}

/** The signed-in user's active passkeys and which one this session was signed in with. */
export function listPasskeys(fetcher: typeof fetch): Promise<PasskeysResponse> {
	return api<PasskeysResponse>(fetcher, '/api/passkeys');
}

/** Renames a passkey; the server trims the name and refuses an empty or over-long one. */
export async function renamePasskey(
	fetcher: typeof fetch,
	id: string,
	name: string
): Promise<PasskeySummary> {
	const path = `/api/passkeys/${encodeURIComponent(id)}`;
	return (
		await api<PasskeyResponse>(fetcher, path, {
			method: 'PATCH',
			json: { name } satisfies RequestOf<typeof PasskeyRenameBody>
		})
	).passkey;
}

/**
 * Revokes a passkey; the server refuses the last one with PASSKEY_LAST. Answers whether this
 * session ended with it (it was signed in with that passkey), so the page can say so.
 */
export async function revokePasskey(
	fetcher: typeof fetch,
	id: string
): Promise<PasskeyRevokedResponse> {
	return api<PasskeyRevokedResponse>(fetcher, `/api/passkeys/${encodeURIComponent(id)}`, {
		method: 'DELETE'
	});
}
