import { resolve } from 'node:path';
import { SESSION_IDLE_HOURS } from '../auth';
import type { SmsConfig } from './sms';
import { SMS_TEMPLATES } from './sms-templates';

/** Server settings, read once from the environment so every module sees the same values. */
export interface ServerConfig {
	/** Folder for the SQLite file and the blob store. */
	dataDir: string;
	/** Database URL; `sqlite:` paths are the embedded default, other schemes are future dialects. */
	databaseUrl: string;
	/** Public origin used in printed links; adapter-node reads ORIGIN for requests too. */
	origin: string;
	/** Where blobs are kept (BLOB_STORE): the data folder by default, or an S3 bucket. */
	blobStore: BlobStoreSource;
	/** Largest single blob accepted by the store, in bytes. */
	blobMaxBytes: number;
	/** Seed a demo organisation and contract on an empty database. */
	seedDemo: boolean;
	/**
	 * Run pending migrations at start-up (MIGRATE, default on). MIGRATE=0 for an app role that
	 * does not own the schema: start-up then only checks that `sealpass migrate` has run.
	 */
	migrate: boolean;
	/** smtp:// or smtps:// URL (user:password@host:port) for invite mail; null = console outbox. */
	smtpUrl: string | null;
	/** Sender address of invite mail. */
	smtpFrom: string;
	/** DKIM signing of outgoing mail (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY_FILE), or null. */
	dkim: DkimConfig | null;
	/**
	 * SMS delivery to phone numbers (SMS_PROVIDER=aliyun|tencent and its SMS_* variables, see
	 * docs/messages.md); null sends phone messages to the console outbox.
	 */
	sms: SmsConfig | null;
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
	 * Submissions one network address may send a minute (SUBMISSIONS_PER_ADDRESS_PER_MINUTE,
	 * default 3000): an office behind one address shares it, so raise it for a large site.
	 */
	submissionsPerAddress: number;
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

/**
 * The blob store's location: a local folder (`<DATA_DIR>/blobs` unless BLOB_STORE is a file://
 * URL), or an S3-compatible bucket from `s3://bucket?endpoint=…&region=…`.
 */
export type BlobStoreSource = { kind: 'folder'; dir: string } | ({ kind: 's3' } & S3Source);

export interface S3Source {
	bucket: string;
	/** The server's URL for S3-compatible services (MinIO, Ceph); null = AWS itself. */
	endpoint: string | null;
	region: string;
	/** Null: the SDK's own chain finds them (instance roles, profiles). */
	credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | null;
}

/** The query parameters an s3:// BLOB_STORE may carry; another name is a typo, refused. */
const S3_PARAMS = new Set(['endpoint', 'region', 'accessKeyId', 'secretAccessKey']);

/**
 * BLOB_STORE checked up front. Messages name the scheme or parameter at fault but never repeat
 * the value, which may hold the secret key.
 */
function blobStoreSource(
	env: Record<string, string | undefined>,
	dataDir: string
): BlobStoreSource {
	const value = env.BLOB_STORE;
	if (!value) return { kind: 'folder', dir: resolve(dataDir, 'blobs') };
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new Error(
			'BLOB_STORE must be a URL like s3://bucket?endpoint=https://s3.example.com&region=us-east-1 or file:///var/lib/sealpass/blobs'
		);
	}
	if (url.protocol === 'file:') {
		if (url.search || url.hash) throw new Error('BLOB_STORE file:// URLs take no query');
		return { kind: 'folder', dir: resolve(decodeURIComponent(url.pathname)) };
	}
	if (url.protocol !== 's3:') {
		throw new Error(
			`BLOB_STORE must start with s3:// or file://, got "${url.protocol.replace(/:$/, '')}"`
		);
	}
	if (url.username || url.password) {
		throw new Error(
			'BLOB_STORE: put S3 credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or the ' +
				'accessKeyId and secretAccessKey parameters), not before the bucket name'
		);
	}
	const bucket = url.hostname;
	if (!bucket || (url.pathname !== '' && url.pathname !== '/')) {
		throw new Error('BLOB_STORE must name just a bucket: s3://bucket?endpoint=…&region=…');
	}
	for (const name of url.searchParams.keys()) {
		if (!S3_PARAMS.has(name)) {
			throw new Error(
				`BLOB_STORE has an unknown parameter "${name}"; known: ${[...S3_PARAMS].join(', ')}`
			);
		}
	}
	const query = (name: string) => url.searchParams.get(name) || undefined;
	const endpoint = query('endpoint') ?? null;
	if (endpoint !== null) {
		let parsed: URL | null = null;
		try {
			parsed = new URL(endpoint);
		} catch {
			// Reported below.
		}
		if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
			throw new Error('BLOB_STORE endpoint must be an http:// or https:// URL');
		}
	}
	const accessKeyId = query('accessKeyId') ?? env.AWS_ACCESS_KEY_ID;
	const secretAccessKey = query('secretAccessKey') ?? env.AWS_SECRET_ACCESS_KEY;
	if (!accessKeyId !== !secretAccessKey) {
		throw new Error(
			'BLOB_STORE needs both an access key id and a secret access key (AWS_ACCESS_KEY_ID and ' +
				'AWS_SECRET_ACCESS_KEY, or the accessKeyId and secretAccessKey parameters), or neither'
		);
	}
	const sessionToken = env.AWS_SESSION_TOKEN || undefined;
	return {
		kind: 's3',
		bucket: decodeURIComponent(bucket),
		endpoint,
		region: query('region') ?? (env.AWS_REGION || 'us-east-1'),
		credentials:
			accessKeyId && secretAccessKey
				? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }
				: null
	};
}

/** DKIM: the signing domain (d=), the selector (s=) and the PEM private key's path. */
export interface DkimConfig {
	domainName: string;
	keySelector: string;
	privateKeyFile: string;
}

/** The DKIM variables together: a selector without its key would send unsigned mail unnoticed. */
function dkimConfig(env: Record<string, string | undefined>): DkimConfig | null {
	const { DKIM_DOMAIN: domain, DKIM_SELECTOR: selector, DKIM_PRIVATE_KEY_FILE: key } = env;
	if (!domain && !selector && !key) return null;
	if (!domain || !selector || !key) {
		throw new Error('DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE must be set together');
	}
	return { domainName: domain, keySelector: selector, privateKeyFile: resolve(key) };
}

/**
 * The SMS variables, checked at start-up: a provider without its keys, sign name or template
 * would only fail at the first invite, after the admin has told people to expect a message.
 *
 * SMS_PROVIDER          aliyun | tencent (unset: phone messages go to the console outbox)
 * SMS_KEY_ID            Aliyun AccessKey ID / Tencent SecretId
 * SMS_KEY_SECRET        Aliyun AccessKey Secret / Tencent SecretKey
 * SMS_SIGN_NAME         the approved signature (签名), e.g. 签章通
 * SMS_APP_ID            Tencent SmsSdkAppId (required for tencent)
 * SMS_REGION            Tencent region (default ap-guangzhou)
 * SMS_TEMPLATE_INVITE   approved template for invitations (required): ${code} ${token} ${minutes}
 * SMS_TEMPLATE_RECOVERY approved template for re-enrolment links (required): ${code} ${token} ${minutes}
 * SMS_TEMPLATE_CODE     template for sign-in codes: ${code} ${minutes}
 * SMS_TEMPLATE_NOTICE   template for contract notices, no variables
 * SMS_DEFAULT_COUNTRY   country code for numbers written without one (default 86)
 * SMS_ENDPOINT          API host (default the provider's); http://host:port only for tests
 */
function smsConfig(env: Record<string, string | undefined>): SmsConfig | null {
	const provider = env.SMS_PROVIDER;
	if (!provider) return null;
	if (provider !== 'aliyun' && provider !== 'tencent') {
		throw new Error(`SMS_PROVIDER must be aliyun or tencent, got "${provider}"`);
	}
	// Both link templates are required: a member who lost their passkey must not get the
	// invitation's "you are invited" text, nor find out only when an administrator re-enrols them.
	const required = [
		'SMS_KEY_ID',
		'SMS_KEY_SECRET',
		'SMS_SIGN_NAME',
		'SMS_TEMPLATE_INVITE',
		'SMS_TEMPLATE_RECOVERY'
	];
	if (provider === 'tencent') required.push('SMS_APP_ID');
	const missing = required.filter((name) => !env[name]);
	if (missing.length) {
		throw new Error(`SMS_PROVIDER=${provider} needs ${missing.join(', ')}`);
	}
	const country = env.SMS_DEFAULT_COUNTRY || '86';
	if (!/^\d{1,3}$/.test(country)) {
		throw new Error(`SMS_DEFAULT_COUNTRY must be a country calling code like 86, got "${country}"`);
	}
	const templates: SmsConfig['templates'] = {};
	for (const kind of SMS_TEMPLATES) {
		const id = env[`SMS_TEMPLATE_${kind.toUpperCase()}`];
		if (id) templates[kind] = id;
	}
	return {
		provider,
		keyId: env.SMS_KEY_ID!,
		keySecret: env.SMS_KEY_SECRET!,
		signName: env.SMS_SIGN_NAME!,
		appId: env.SMS_APP_ID || null,
		region: env.SMS_REGION || 'ap-guangzhou',
		endpoint: env.SMS_ENDPOINT || null,
		templates,
		defaultCountry: country,
		timeoutMs: 15_000
	};
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

/** DATABASE_URL, else the SQLite file in DATA_DIR: the app's database and the CLI's default. */
export function databaseUrlFrom(env: Record<string, string | undefined>): string {
	return env.DATABASE_URL || `sqlite:${resolve(env.DATA_DIR || './data', 'sealpass.db')}`;
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
		databaseUrl: databaseUrlFrom(env),
		origin,
		blobStore: blobStoreSource(env, dataDir),
		blobMaxBytes: positiveInt(env.BLOB_MAX_BYTES, 64 * 1024 * 1024, 'BLOB_MAX_BYTES'),
		seedDemo: env.SEED_DEMO !== '0',
		migrate: env.MIGRATE !== '0',
		smtpUrl: smtpUrl(env.SMTP_URL),
		smtpFrom: env.SMTP_FROM || `SealPass <noreply@${new URL(origin).hostname}>`,
		dkim: dkimConfig(env),
		sms: smsConfig(env),
		secretsFile: env.SECRETS_FILE ? resolve(env.SECRETS_FILE) : `${dataDir}.secrets.json`,
		sessionIdleMs:
			positiveInt(env.SESSION_IDLE_HOURS, SESSION_IDLE_HOURS, 'SESSION_IDLE_HOURS') * 3_600_000,
		signing: signingSource(env, dataDir),
		tsaUrl: tsaUrl(env.TSA_URL),
		submissionsPerAddress: positiveInt(
			env.SUBMISSIONS_PER_ADDRESS_PER_MINUTE,
			3000,
			'SUBMISSIONS_PER_ADDRESS_PER_MINUTE'
		),
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
