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

export type User = Selectable<UserTable>;
export type NewEnvelope = Insertable<EnvelopeTable>;
export type Envelope = Selectable<EnvelopeTable>;
