import type { Kysely } from 'kysely';
import type { PasskeySummary } from '$lib/domain/api-types';
import type { Credential, Database } from '../../db/schema';
import type { Clock } from '../../platform/clock';
import type { App } from '../../platform/app';

// What every passkey operation shares: its dependencies, the ceremony's constants, the name
// rule, and how a stored credential is read back.

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

/**
 * A passkey name as stored: trimmed, 1–60 characters. Null when unusable, so the caller answers
 * PASSKEY_NAME_INVALID instead of silently truncating what the user typed.
 */
export function normalisePasskeyName(raw: string): string | null {
	const name = raw.trim().replace(/\s+/g, ' ');
	return name.length >= 1 && [...name].length <= PASSKEY_NAME_MAX ? name : null;
}

/**
 * Logs why the WebAuthn library refused a response, for the operator. The client gets the
 * code's fixed text instead: the library's message carries internals (the expected challenge,
 * origins, counters) that tell a prober exactly what to change.
 */
export function logLibraryRefusal(ceremony: 'registration' | 'assertion', error: unknown): void {
	console.warn(
		`SealPass: passkey ${ceremony} refused: ${error instanceof Error ? error.message : String(error)}`
	);
}

/** A stored credential as the passkeys page lists it. */
export function toSummary(
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

/** The transports stored with a credential; an unreadable value reads as none. */
export function parseTransports(json: string): string[] {
	try {
		const value: unknown = JSON.parse(json);
		return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
	} catch {
		return [];
	}
}
