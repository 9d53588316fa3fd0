import type { Kysely } from 'kysely';
import { randomBytes, randomUUID } from 'node:crypto';
import {
	generateAuthenticationOptions,
	generateRegistrationOptions,
	verifyAuthenticationResponse,
	verifyRegistrationResponse,
	type AuthenticationResponseJSON,
	type PublicKeyCredentialCreationOptionsJSON,
	type PublicKeyCredentialRequestOptionsJSON,
	type RegistrationResponseJSON
} from '@simplewebauthn/server';
import {
	decodeAttestationObject,
	decodeClientDataJSON,
	isoBase64URL,
	parseAuthenticatorData
} from '@simplewebauthn/server/helpers';
import type { ErrorCode, Failure } from '$lib/domain/errors';
import type { PasskeySummary } from '$lib/domain/api-types';
import type { Credential, Database, User } from '../db/schema';
import type { Clock } from '../platform/clock';
import type { App } from '../platform/app';
import { appendAudit } from '../audit/audit';

/** What the passkey functions need from the running app; tests pass their own. */
export interface PasskeyDeps {
	db: Kysely<Database>;
	clock: Clock;
	/** The public origin (config ORIGIN): the only origin a ceremony may come from. */
	origin: string;
}

/** The running app's passkey dependencies, so endpoints stay one line long. */
export function passkeyDeps(app: Pick<App, 'database' | 'clock' | 'config'>): PasskeyDeps {
	return { db: app.database.db, clock: app.clock, origin: app.config.origin };
}

export const RP_NAME = '签章通 SealPass';
/** Long enough for a person to find their phone, short enough that a leaked challenge is stale. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
export const PASSKEY_NAME_MAX = 60;

export type Refusal = Failure;
export type Outcome<T> = { ok: true; value: T } | Refusal;

const refuse = (code: ErrorCode, message: string): Refusal => ({ ok: false, code, message });

/**
 * A passkey name as stored: trimmed, 1–60 characters. Null when unusable, so the caller answers
 * PASSKEY_NAME_INVALID instead of silently truncating what the user typed.
 */
export function normalisePasskeyName(raw: string): string | null {
	const name = raw.trim().replace(/\s+/g, ' ');
	return name.length >= 1 && [...name].length <= PASSKEY_NAME_MAX ? name : null;
}

// --- challenges -----------------------------------------------------------------------------

/** The RP ID is the origin's host name, so passkeys are bound to the deployment's own domain. */
export function rpIdFor(origin: string): string {
	return new URL(origin).hostname;
}

/**
 * Stores a fresh random challenge for one ceremony. Challenges live on the server (not in a
 * cookie) so that spending one is a database fact that a replay cannot undo. Expired rows are
 * swept here, which keeps the table small without a timer.
 */
export async function issueChallenge(
	db: Kysely<Database>,
	clock: Clock,
	purpose: 'register' | 'login',
	userId: string | null
): Promise<string> {
	const now = clock();
	await db.deleteFrom('webauthn_challenges').where('expires_at', '<', now.toISOString()).execute();
	const challenge = randomBytes(32).toString('base64url');
	await db
		.insertInto('webauthn_challenges')
		.values({
			id: randomUUID(),
			challenge,
			purpose,
			user_id: userId,
			created_at: now.toISOString(),
			expires_at: new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString(),
			used_at: null
		})
		.execute();
	return challenge;
}

/**
 * Spends a challenge. The conditional UPDATE is the lock: of two requests with the same
 * challenge exactly one changes the row, so a challenge is never accepted twice. It is spent
 * before the signature is checked, so a failed attempt needs fresh options (which is cheap).
 */
export async function consumeChallenge(
	db: Kysely<Database>,
	clock: Clock,
	challenge: string,
	purpose: 'register' | 'login',
	userId: string | null
): Promise<boolean> {
	const now = clock().toISOString();
	let query = db
		.updateTable('webauthn_challenges')
		.set({ used_at: now })
		.where('challenge', '=', challenge)
		.where('purpose', '=', purpose)
		.where('used_at', 'is', null)
		.where('expires_at', '>', now);
	query =
		userId === null ? query.where('user_id', 'is', null) : query.where('user_id', '=', userId);
	const result = await query.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}

/** The challenge the authenticator signed, read from the client data; null when unreadable. */
function signedChallenge(clientDataJSON: string): string | null {
	try {
		const data = decodeClientDataJSON(clientDataJSON);
		return typeof data.challenge === 'string' ? data.challenge : null;
	} catch {
		return null;
	}
}

// --- registration ---------------------------------------------------------------------------

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
): Promise<Outcome<PasskeySummary>> {
	const name = normalisePasskeyName(requestedName);
	if (!name) return refuse('PASSKEY_NAME_INVALID', 'A passkey name needs 1 to 60 characters');
	const challenge = signedChallenge(body.response.clientDataJSON);
	if (!challenge) return refuse('PASSKEY_INVALID', 'Unreadable client data');
	if (!(await consumeChallenge(deps.db, deps.clock, challenge, 'register', user.id))) {
		return refuse('PASSKEY_CHALLENGE_INVALID', 'Unknown, expired or used challenge');
	}
	if (!registrationUserVerified(body)) {
		return refuse('UV_REQUIRED', 'The authenticator did not verify the user');
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
		return refuse('PASSKEY_INVALID', 'The registration did not verify');
	}
	if (result.verified !== true || result.registrationInfo.userVerified !== true) {
		return refuse('PASSKEY_INVALID', 'The registration did not verify');
	}
	const info = result.registrationInfo;
	const taken = await deps.db
		.selectFrom('credentials')
		.select('id')
		.where('id', '=', info.credential.id)
		.executeTakeFirst();
	if (taken) return refuse('PASSKEY_EXISTS', 'This credential is already registered');
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
		revoked_at: null
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

// --- authentication -------------------------------------------------------------------------

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
): Promise<Outcome<{ user: User; credentialId: string }>> {
	const challenge = signedChallenge(body.response.clientDataJSON);
	if (!challenge) return refuse('PASSKEY_INVALID', 'Unreadable client data');
	if (!(await consumeChallenge(deps.db, deps.clock, challenge, 'login', null))) {
		return refuse('PASSKEY_CHALLENGE_INVALID', 'Unknown, expired or used challenge');
	}
	const credential = await deps.db
		.selectFrom('credentials')
		.selectAll()
		.where('id', '=', body.id)
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
	if (!credential) return refuse('PASSKEY_UNKNOWN', 'Unknown or revoked passkey');
	const handle = body.response.userHandle;
	if (
		handle !== undefined &&
		Buffer.from(handle, 'base64url').toString('utf8') !== credential.user_id
	) {
		return refuse('PASSKEY_INVALID', 'The user handle does not match the passkey owner');
	}
	if (!assertionUserVerified(body)) {
		return refuse('UV_REQUIRED', 'The authenticator did not verify the user');
	}
	const checked = await checkAssertion(deps.origin, credential, body, challenge);
	if (!checked.ok) return refuse('PASSKEY_INVALID', checked.reason);
	const result = { authenticationInfo: checked.info };
	if (result.authenticationInfo.userVerified !== true) {
		return refuse('PASSKEY_INVALID', 'The assertion did not verify');
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
		await appendAudit(trx, deps.clock, credential.user_id, {
			kind: 'login',
			subject: credential.user_id,
			data: { credentialId: credential.id }
		});
	});
	const user = await deps.db
		.selectFrom('users')
		.selectAll()
		.where('id', '=', credential.user_id)
		.executeTakeFirstOrThrow();
	return { ok: true, value: { user, credentialId: credential.id } };
}

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

/**
 * Logs why the WebAuthn library refused a response, for the operator. The client gets the
 * code's fixed text instead: the library's message carries internals (the expected challenge,
 * origins, counters) that tell a prober exactly what to change.
 */
function logLibraryRefusal(ceremony: 'registration' | 'assertion', error: unknown): void {
	console.warn(
		`SealPass: passkey ${ceremony} refused: ${error instanceof Error ? error.message : String(error)}`
	);
}

// --- managing a user's passkeys -------------------------------------------------------------

/** The user's active passkeys, oldest first, for the passkeys page. */
export async function listPasskeys(
	db: Kysely<Database>,
	userId: string
): Promise<PasskeySummary[]> {
	const rows = await db
		.selectFrom('credentials')
		.select(['id', 'name', 'created_at', 'last_used_at', 'backed_up'])
		.where('user_id', '=', userId)
		.where('revoked_at', 'is', null)
		.orderBy('created_at')
		.orderBy('id')
		.execute();
	return rows.map(toSummary);
}

/** Renames one of the user's own active passkeys; another user's id reads as not found. */
export async function renamePasskey(
	db: Kysely<Database>,
	userId: string,
	id: string,
	requestedName: string
): Promise<Outcome<PasskeySummary>> {
	const name = normalisePasskeyName(requestedName);
	if (!name) return refuse('PASSKEY_NAME_INVALID', 'A passkey name needs 1 to 60 characters');
	const result = await db
		.updateTable('credentials')
		.set({ name })
		.where('id', '=', id)
		.where('user_id', '=', userId)
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
	if (result.numUpdatedRows !== 1n) return refuse('NOT_FOUND', 'No such passkey');
	const row = await db
		.selectFrom('credentials')
		.select(['id', 'name', 'created_at', 'last_used_at', 'backed_up'])
		.where('id', '=', id)
		.executeTakeFirstOrThrow();
	return { ok: true, value: toSummary(row) };
}

/** What a revoke ended, for the caller's answer and the tests. */
export interface Revoked {
	/** Sessions signed in with the passkey (on any device), now ended. */
	sessionsEnded: number;
	/** Its unused challenge tickets, now unusable for an offline device that holds them. */
	ticketsRevoked: number;
}

/**
 * Revokes one of the user's passkeys, e.g. of a lost phone, and with it everything it opened:
 * the sessions signed in with it end at once (the lost phone is signed out at its next
 * request), and its unused tickets are revoked, so signatures that phone confirms offline
 * after the revoke are refused at ingest (PASSKEY_UNKNOWN) instead of being accepted. The last
 * active passkey is refused (PASSKEY_LAST): without it the user could never sign in again. All
 * of it runs in one transaction, so two simultaneous revokes cannot remove the last two
 * together and no session outlives its passkey.
 */
export async function revokePasskey(
	db: Kysely<Database>,
	clock: Clock,
	userId: string,
	id: string
): Promise<Outcome<Revoked>> {
	return db.transaction().execute(async (trx) => {
		const active = await trx
			.selectFrom('credentials')
			.select('id')
			.where('user_id', '=', userId)
			.where('revoked_at', 'is', null)
			.execute();
		if (!active.some((c) => c.id === id)) return refuse('NOT_FOUND', 'No such passkey');
		if (active.length <= 1) return refuse('PASSKEY_LAST', 'The last passkey cannot be revoked');
		const now = clock().toISOString();
		await trx
			.updateTable('credentials')
			.set({ revoked_at: now })
			.where('id', '=', id)
			.where('user_id', '=', userId)
			.where('revoked_at', 'is', null)
			.execute();
		const sessions = await trx
			.deleteFrom('sessions')
			.where('credential_id', '=', id)
			.where('user_id', '=', userId)
			.executeTakeFirst();
		// Used tickets stay as they are: they are the evidence of signatures already accepted.
		const tickets = await trx
			.updateTable('tickets')
			.set({ revoked_at: now })
			.where('credential_id', '=', id)
			.where('user_id', '=', userId)
			.where('used_at', 'is', null)
			.where('revoked_at', 'is', null)
			.executeTakeFirst();
		await appendAudit(trx, clock, userId, {
			kind: 'passkey.revoked',
			subject: userId,
			data: { credentialId: id }
		});
		return {
			ok: true as const,
			value: {
				sessionsEnded: Number(sessions.numDeletedRows),
				ticketsRevoked: Number(tickets.numUpdatedRows)
			}
		};
	});
}

function toSummary(
	row: Pick<Credential, 'id' | 'name' | 'created_at' | 'last_used_at' | 'backed_up'>
): PasskeySummary {
	return {
		id: row.id,
		name: row.name,
		createdAt: row.created_at,
		lastUsedAt: row.last_used_at,
		backedUp: row.backed_up === 1
	};
}

function parseTransports(json: string): string[] {
	try {
		const value: unknown = JSON.parse(json);
		return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
	} catch {
		return [];
	}
}
