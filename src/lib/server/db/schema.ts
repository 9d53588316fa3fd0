import type { Generated, Insertable, Selectable } from 'kysely';
import type { EnvelopeStatus } from '$lib/domain/api-types';

/**
 * The database as Kysely sees it. Times are ISO-8601 UTC strings: they sort correctly as text
 * and read back identically from SQLite and PostgreSQL (bigint would come back as a string
 * from pg and a number from SQLite).
 */
export interface Database {
	organisations: OrganisationTable;
	users: UserTable;
	setup_tokens: SetupTokenTable;
	sessions: SessionTable;
	blobs: BlobTable;
	envelopes: EnvelopeTable;
	credentials: CredentialTable;
	webauthn_challenges: WebauthnChallengeTable;
}

export interface OrganisationTable {
	id: string;
	name: string;
	name_en: string;
	created_at: string;
}

export interface UserTable {
	id: string;
	org_id: string;
	display_name: string;
	role: 'admin' | 'signer';
	created_at: string;
}

export interface SetupTokenTable {
	id: string;
	/** SHA-256 (hex) of the token; the token itself is only ever printed, never stored. */
	token_hash: string;
	user_id: string;
	created_at: string;
	used_at: string | null;
	/** Set when a newer link replaces this one before it was used. */
	revoked_at: string | null;
}

export interface SessionTable {
	/** SHA-256 (hex) of the cookie value, so a database leak yields no live session. */
	id_hash: string;
	user_id: string;
	created_at: string;
	expires_at: string;
}

export interface BlobTable {
	sha256: string;
	size: number;
	media_type: string;
	created_at: string;
}

export interface EnvelopeTable {
	id: string;
	org_id: string;
	title: string;
	doc_sha256: string;
	page_count: number;
	revision: Generated<number>;
	status: EnvelopeStatus;
	created_at: string;
}

/** A passkey. Revoked rows stay, so evidence that names a credential can still be explained. */
export interface CredentialTable {
	/** The credential id, base64url, exactly as the browser reports it. */
	id: string;
	user_id: string;
	/** COSE public key; better-sqlite3 and pg both read it back as a Buffer. */
	public_key: Uint8Array;
	counter: number;
	/** JSON array of the transports the authenticator reported, for excludeCredentials hints. */
	transports: string;
	device_type: 'singleDevice' | 'multiDevice';
	/** 0 or 1: SQLite has no boolean, and one representation keeps both dialects alike. */
	backed_up: number;
	name: string;
	created_at: string;
	last_used_at: string | null;
	revoked_at: string | null;
}

/** A server-issued WebAuthn challenge: single use, short-lived, bound to a purpose. */
export interface WebauthnChallengeTable {
	id: string;
	/** base64url, as it appears in the client data the authenticator signs. */
	challenge: string;
	purpose: 'register' | 'login';
	/** The user enrolling; null for discoverable login, where the user is not yet known. */
	user_id: string | null;
	created_at: string;
	expires_at: string;
	used_at: string | null;
}

export type User = Selectable<UserTable>;
export type Credential = Selectable<CredentialTable>;
export type NewEnvelope = Insertable<EnvelopeTable>;
export type Envelope = Selectable<EnvelopeTable>;
