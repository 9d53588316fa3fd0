import { resolve } from 'node:path';

/** Server settings, read once from the environment so every module sees the same values. */
export interface ServerConfig {
	/** Folder for the SQLite file and the blob store. */
	dataDir: string;
	/** Database URL; `sqlite:` paths are the embedded default, other schemes are future dialects. */
	databaseUrl: string;
	/** Public origin used in printed links; adapter-node reads ORIGIN for requests too. */
	origin: string;
	/** Largest single blob accepted by the store, in bytes. */
	blobMaxBytes: number;
	/** Seed a demo organisation and contract on an empty database. */
	seedDemo: boolean;
	/** smtp:// or smtps:// URL (user:password@host:port) for invite mail; null = console outbox. */
	smtpUrl: string | null;
	/** Sender address of invite mail. */
	smtpFrom: string;
	/**
	 * The server keys' file (SPEC SEC1): SECRETS_FILE, else `<DATA_DIR>.secrets.json` beside the
	 * data folder, so a copy of the data folder alone carries no key.
	 */
	secretsFile: string;
}

function positiveInt(value: string | undefined, fallback: number, name: string): number {
	if (value === undefined || value === '') return fallback;
	const n = Number(value);
	if (!Number.isSafeInteger(n) || n <= 0) {
		throw new Error(`${name} must be a positive whole number, got "${value}"`);
	}
	return n;
}

/** SMTP_URL checked up front: a typo would otherwise surface only when the first invite fails. */
function smtpUrl(value: string | undefined): string | null {
	if (!value) return null;
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new Error('SMTP_URL must be a URL like smtps://user:password@mail.example.com:465');
	}
	if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
		throw new Error(`SMTP_URL must start with smtp:// or smtps://, got "${url.protocol}"`);
	}
	return value;
}

/**
 * Builds the configuration from environment variables. Throws with the variable's name on a
 * bad value, because a typo silently replaced by a default would put data somewhere else.
 */
export function loadConfig(env: Record<string, string | undefined>): ServerConfig {
	const dataDir = resolve(env.DATA_DIR || './data');
	const port = env.PORT || '3000';
	const origin = (env.ORIGIN || `http://localhost:${port}`).replace(/\/$/, '');
	return {
		dataDir,
		databaseUrl: env.DATABASE_URL || `sqlite:${resolve(dataDir, 'sealpass.db')}`,
		origin,
		blobMaxBytes: positiveInt(env.BLOB_MAX_BYTES, 64 * 1024 * 1024, 'BLOB_MAX_BYTES'),
		seedDemo: env.SEED_DEMO !== '0',
		smtpUrl: smtpUrl(env.SMTP_URL),
		smtpFrom: env.SMTP_FROM || `SealPass <noreply@${new URL(origin).hostname}>`,
		secretsFile: env.SECRETS_FILE ? resolve(env.SECRETS_FILE) : `${dataDir}.secrets.json`
	};
}
