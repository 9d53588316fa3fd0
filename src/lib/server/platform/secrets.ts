import type { Kysely } from 'kysely';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
	chmodSync,
	closeSync,
	fsyncSync,
	mkdirSync,
	openSync,
	readFileSync,
	linkSync,
	renameSync,
	unlinkSync,
	statSync,
	writeSync
} from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from '../db/schema';
import type { Clock } from './clock';

/*
 * The server's HMAC keys (SPEC SEC1–SEC4). They key the hashes of short values (6-digit invite
 * codes, ID numbers) and sign the head of the audit chain, so they must not sit in the database
 * they protect: a stolen or edited database file alone then neither brute-forces a code nor
 * re-signs a shortened audit log. They come from environment variables or from the secrets file
 * (SECRETS_FILE, 0600, created at first start outside DATA_DIR).
 */

/** Each key with the environment variable that may supply it (base64, at least 32 bytes). */
export const SERVER_KEYS = {
	invite_code_key: 'SEALPASS_INVITE_KEY',
	id_number_key: 'SEALPASS_ID_KEY',
	audit_anchor_key: 'SEALPASS_AUDIT_KEY'
} as const;
export type ServerKeyName = keyof typeof SERVER_KEYS;
const KEY_NAMES = Object.keys(SERVER_KEYS) as ServerKeyName[];

/** Shorter keys are refused: 256 bits is what a random key from this server has. */
const MIN_KEY_BYTES = 32;
const FILE_VERSION = 1;
/** The text whose HMAC identifies a key in the database without revealing it (SEC3). */
const CHECK_TEXT = 'sealpass key check v1';

export interface ServerKeys {
	current: Record<ServerKeyName, Buffer>;
	/** Keys retired by a rotation that still verify (never sign or hash anew). */
	previous: Record<ServerKeyName, Buffer[]>;
}

/** Start-up cannot use the keys; the message names the file or variable and what to do. */
export class SecretsError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SecretsError';
	}
}

let loaded: ServerKeys | null = null;

/** Makes keys the process's keys (start-up, the CLI, tests). */
export function useServerKeys(keys: ServerKeys): void {
	loaded = keys;
}

/** The key to hash or sign with now. */
export function serverKey(name: ServerKeyName): Buffer {
	if (!loaded) throw new Error('SealPass server keys used before they were loaded');
	return loaded.current[name];
}

/** The current key, then the previous ones: what a stored value may have been made with. */
export function verificationKeys(name: ServerKeyName): Buffer[] {
	return [serverKey(name), ...loaded!.previous[name]];
}

/** Fresh random keys with no previous ones: a first start, or a test. */
export function randomServerKeys(): ServerKeys {
	const current = Object.fromEntries(KEY_NAMES.map((n) => [n, randomBytes(32)]));
	const previous = Object.fromEntries(KEY_NAMES.map((n) => [n, [] as Buffer[]]));
	return { current, previous } as ServerKeys;
}

/** HMAC-SHA-256 hex; the one keyed hash every user of these keys computes. */
export function hmacHex(key: Buffer, text: string): string {
	return createHmac('sha256', key).update(text).digest('hex');
}

/** Equal hex MACs, compared in constant time. */
export function sameMac(a: string, b: string): boolean {
	const x = Buffer.from(a, 'hex');
	const y = Buffer.from(b, 'hex');
	return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

function decodeKey(value: unknown, where: string): Buffer {
	if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
		throw new SecretsError(`${where} must be a base64 key`);
	}
	const key = Buffer.from(value, 'base64');
	if (key.length < MIN_KEY_BYTES) {
		throw new SecretsError(`${where} must decode to at least ${MIN_KEY_BYTES} bytes`);
	}
	return key;
}

interface SecretsFile {
	version: number;
	keys: Partial<Record<ServerKeyName, string>>;
	previous?: Partial<Record<ServerKeyName, string[]>>;
}

/** Reads and checks the file; null when it does not exist. */
function readSecretsFile(path: string): SecretsFile | null {
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw new SecretsError(`Cannot read the secrets file ${path}: ${(error as Error).message}`);
	}
	const corrupt = (why: string) =>
		new SecretsError(
			`The secrets file ${path} is corrupt (${why}). Restore it from a backup; deleting it ` +
				'would make outstanding invite codes, stored ID hashes and the audit anchor unverifiable.'
		);
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw corrupt('not JSON');
	}
	if (!parsed || typeof parsed !== 'object') throw corrupt('not an object');
	const file = parsed as SecretsFile;
	if (file.version !== FILE_VERSION) throw corrupt(`version is not ${FILE_VERSION}`);
	if (!file.keys || typeof file.keys !== 'object') throw corrupt('no "keys"');
	for (const name of KEY_NAMES) {
		try {
			if (file.keys[name] !== undefined) decodeKey(file.keys[name], name);
			for (const old of file.previous?.[name] ?? []) decodeKey(old, `previous ${name}`);
		} catch (error) {
			throw corrupt((error as Error).message);
		}
	}
	if ((statSync(path).mode & 0o077) !== 0) {
		console.warn(`SealPass: the secrets file ${path} is readable by others; chmod 600 it.`);
	}
	return file;
}

/**
 * Writes the file whole or not at all, readable by the server's user alone. A new file is
 * linked into place, which fails when another process made it first (two servers starting on a
 * fresh install): that one's keys win and are read back, instead of one server overwriting the
 * keys the other has already started with.
 */
function writeSecretsFile(path: string, file: SecretsFile, create: boolean): boolean {
	mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
	const temp = `${path}.${process.pid}.tmp`;
	const fd = openSync(temp, 'wx', 0o600);
	try {
		writeSync(fd, `${JSON.stringify(file, null, '\t')}\n`);
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
	// The umask may have narrowed the mode, never widened it; chmod makes it exactly 0600.
	chmodSync(temp, 0o600);
	if (!create) {
		renameSync(temp, path);
		return true;
	}
	try {
		linkSync(temp, path);
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw error;
	} finally {
		unlinkSync(temp);
	}
}

/** The check value stored for a key: its HMAC over a fixed text (SEC3). */
export function keyCheck(key: Buffer): string {
	return hmacHex(key, CHECK_TEXT);
}

/**
 * Loads the keys at start-up (SEC1–SEC4) and makes them the process's keys:
 * 1. a key given by its environment variable wins over the file;
 * 2. the rest come from SECRETS_FILE; a missing file is created (0600) with the keys an older
 *    version kept in the database (so outstanding invite codes and stored ID hashes still
 *    match), or random ones, and those database rows are then deleted;
 * 3. each key must match the check value this database recorded for it, or one of the
 *    previous keys listed with it (a rotation, after which the check is moved to the new key):
 *    a lost or swapped file stops start-up instead of silently re-keying.
 */
export async function loadServerKeys(
	db: Kysely<Database>,
	options: { file: string; env: Record<string, string | undefined>; clock: Clock }
): Promise<ServerKeys> {
	const { file: path, env, clock } = options;
	const fromEnv: Partial<Record<ServerKeyName, Buffer>> = {};
	for (const name of KEY_NAMES) {
		const value = env[SERVER_KEYS[name]];
		if (value) fromEnv[name] = decodeKey(value, SERVER_KEYS[name]);
	}
	const legacy = new Map(
		(await db.selectFrom('server_secrets').select(['name', 'value']).execute()).map((r) => [
			r.name,
			r.value
		])
	);
	const checks = new Map(
		(await db.selectFrom('secret_checks').select(['name', 'check_value']).execute()).map((r) => [
			r.name,
			r.check_value
		])
	);

	let file = KEY_NAMES.every((n) => fromEnv[n]) ? null : readSecretsFile(path);
	const needsFile = KEY_NAMES.some((n) => !fromEnv[n]);
	if (needsFile && (!file || KEY_NAMES.some((n) => !fromEnv[n] && !file!.keys[n]))) {
		// A key this database already relied on cannot be made up anew: that is the lost file.
		const lost = KEY_NAMES.filter((n) => !fromEnv[n] && !file?.keys[n] && checks.has(n));
		if (lost.length > 0) {
			throw new SecretsError(
				`The secrets file ${path} ${file ? `has no ${lost.join(', ')}` : 'is missing'}, but this ` +
					'database was keyed with it. Restore the file (or set SECRETS_FILE to where it is, or ' +
					`the ${lost.map((n) => SERVER_KEYS[n]).join(', ')} variables).`
			);
		}
		const keys = { ...file?.keys };
		for (const name of KEY_NAMES) {
			keys[name] ??= legacy.get(name) ?? randomBytes(32).toString('base64');
		}
		const made = { version: FILE_VERSION, keys, previous: file?.previous ?? {} };
		if (writeSecretsFile(path, made, file === null)) {
			file = made;
			console.log(`SealPass: server keys written to ${path} (keep it with your backups)`);
		} else {
			file = readSecretsFile(path);
			if (!file) throw new SecretsError(`The secrets file ${path} vanished while it was made`);
		}
	}

	const keys: ServerKeys = randomServerKeys();
	for (const name of KEY_NAMES) {
		keys.current[name] = fromEnv[name] ?? decodeKey(file!.keys[name], `${path}: ${name}`);
		const olderFromEnv = env[`${SERVER_KEYS[name]}_PREVIOUS`];
		keys.previous[name] = [
			...(olderFromEnv
				? olderFromEnv.split(',').map((v) => decodeKey(v.trim(), `${SERVER_KEYS[name]}_PREVIOUS`))
				: []),
			...(file?.previous?.[name] ?? []).map((v) => decodeKey(v, `${path}: previous ${name}`))
		];
	}

	const now = clock().toISOString();
	for (const name of KEY_NAMES) {
		const current = keys.current[name];
		const old = legacy.get(name);
		const oldKey = old === undefined ? null : Buffer.from(old, 'base64');
		if (oldKey && !oldKey.equals(current) && !keys.previous[name].some((k) => k.equals(oldKey))) {
			throw new SecretsError(
				`The database still holds a different ${name} than ${fromEnv[name] ? SERVER_KEYS[name] : path}. ` +
					'Start once without the variable (so the database key moves to the secrets file), or ' +
					'list the database key as a previous key.'
			);
		}
		let stored = checks.get(name);
		if (stored === undefined) {
			// Another server starting beside this one may record its check first; then it is
			// judged like any stored check, so two servers never run with different keys.
			await db
				.insertInto('secret_checks')
				.values({ name, check_value: keyCheck(current), created_at: now })
				.onConflict((oc) => oc.column('name').doNothing())
				.execute();
			stored = (
				await db
					.selectFrom('secret_checks')
					.select('check_value')
					.where('name', '=', name)
					.executeTakeFirstOrThrow()
			).check_value;
		}
		if (!sameMac(stored, keyCheck(current))) {
			if (!keys.previous[name].some((k) => sameMac(stored, keyCheck(k)))) {
				throw new SecretsError(
					`${name} from ${fromEnv[name] ? SERVER_KEYS[name] : path} is not the key this database ` +
						'was keyed with. Restore the right secrets file, or after a rotation list the old key ' +
						'as a previous key.'
				);
			}
			// A rotation: from now on the new key is the one this database expects.
			await db
				.updateTable('secret_checks')
				.set({ check_value: keyCheck(current), created_at: now })
				.where('name', '=', name)
				.execute();
		}
	}
	// The keys now live outside the database: its copies go (SEC2).
	if (legacy.size > 0) {
		await db.deleteFrom('server_secrets').where('name', 'in', KEY_NAMES).execute();
	}
	useServerKeys(keys);
	return keys;
}
