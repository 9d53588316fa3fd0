import { resolve } from 'node:path';
import { SESSION_IDLE_HOURS } from '../auth';

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
	/** A session unused this long ends (SESSION_IDLE_HOURS, default 12). */
	sessionIdleMs: number;
	/** Where the platform's PAdES signing identity comes from (docs/signing.md). */
	signing: SigningSource;
	/** RFC 3161 time-stamp authority (TSA_URL): with it, finished contracts are signed at B-T. */
	tsaUrl: string | null;
	/**
	 * The identity provider behind personal certification (SPEC PC6): `simulated` (development
	 * only) or `none`, which stops certification at checksum-valid.
	 */
	identityVerifier: 'simulated' | 'none';
}

/**
 * The platform signing identity's source: a PKCS#12 file (SIGNING_P12 + SIGNING_P12_PASSWORD),
 * PEM files (SIGNING_CERT_PEM + SIGNING_KEY_PEM, optional SIGNING_CHAIN_PEM), or else a local CA
 * and certificate generated at the first start into `<DATA_DIR>/signing`.
 */
export type SigningSource =
	| { kind: 'p12'; path: string; password: string }
	| { kind: 'pem'; certPath: string; keyPath: string; chainPath: string | null }
	| { kind: 'generated'; dir: string };

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
	// smtp:// starts in plain text; the client insists on STARTTLS before it logs in, but whether
	// that happens depends on the far server. A password bound for another machine goes by
	// smtps://, encrypted from the first byte, so no server setting can expose it.
	if (url.protocol === 'smtp:' && (url.username || url.password) && !isLoopback(url.hostname)) {
		throw new Error(
			`SMTP_URL would send the mail password to ${url.hostname} over smtp://, which starts ` +
				`unencrypted: use smtps://…:465 (TLS), or smtp:// only to a relay on this machine (localhost)`
		);
	}
	return value;
}

/** Whether a host name is this machine, where plain SMTP never leaves the host. */
function isLoopback(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The signing variables checked together: half of a pair (a certificate without its key, a P12
 * without its password) would otherwise fall back to a generated identity and sign every
 * contract with a certificate nobody meant to use.
 */
function signingSource(env: Record<string, string | undefined>, dataDir: string): SigningSource {
	const p12 = env.SIGNING_P12;
	const cert = env.SIGNING_CERT_PEM;
	const key = env.SIGNING_KEY_PEM;
	const chain = env.SIGNING_CHAIN_PEM;
	if (p12 && (cert || key || chain)) {
		throw new Error('Set either SIGNING_P12 or SIGNING_CERT_PEM/SIGNING_KEY_PEM, not both');
	}
	if (p12) {
		if (env.SIGNING_P12_PASSWORD === undefined) {
			throw new Error('SIGNING_P12 needs SIGNING_P12_PASSWORD (set it empty for no password)');
		}
		return { kind: 'p12', path: resolve(p12), password: env.SIGNING_P12_PASSWORD };
	}
	if (cert || key || chain) {
		if (!cert || !key) {
			throw new Error('SIGNING_CERT_PEM and SIGNING_KEY_PEM must be set together');
		}
		return {
			kind: 'pem',
			certPath: resolve(cert),
			keyPath: resolve(key),
			chainPath: chain ? resolve(chain) : null
		};
	}
	return { kind: 'generated', dir: resolve(dataDir, 'signing') };
}

/** TSA_URL checked up front: a typo would otherwise surface only when a contract is finished. */
function tsaUrl(value: string | undefined): string | null {
	if (!value) return null;
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new Error('TSA_URL must be a URL like https://tsa.example.com/tsr');
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new Error(`TSA_URL must start with http:// or https://, got "${url.protocol}"`);
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
		secretsFile: env.SECRETS_FILE ? resolve(env.SECRETS_FILE) : `${dataDir}.secrets.json`,
		sessionIdleMs:
			positiveInt(env.SESSION_IDLE_HOURS, SESSION_IDLE_HOURS, 'SESSION_IDLE_HOURS') * 3_600_000,
		signing: signingSource(env, dataDir),
		tsaUrl: tsaUrl(env.TSA_URL),
		identityVerifier: identityVerifier(env)
	};
}

/**
 * IDENTITY_VERIFIER (SPEC PC6): unset means simulated in development and none in production
 * (NODE_ENV=production), so a production server never certifies anyone by a simulation unless
 * its operator says so in two variables. A provider name not built in stops start-up instead
 * of silently certifying nobody.
 */
function identityVerifier(env: Record<string, string | undefined>): 'simulated' | 'none' {
	const production = env.NODE_ENV === 'production';
	const value = env.IDENTITY_VERIFIER ?? '';
	if (value === '') return production ? 'none' : 'simulated';
	if (value === 'none') return 'none';
	if (value === 'simulated') {
		if (production && env.IDENTITY_VERIFIER_ALLOW_SIMULATED !== '1') {
			throw new Error(
				'IDENTITY_VERIFIER=simulated certifies nobody for real and is refused when NODE_ENV=production; set IDENTITY_VERIFIER_ALLOW_SIMULATED=1 to run a demonstration anyway'
			);
		}
		return 'simulated';
	}
	throw new Error(
		`IDENTITY_VERIFIER must be "simulated" or "none" (no adapter named "${value}" is built in)`
	);
}
