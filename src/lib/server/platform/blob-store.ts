import { createHash, randomBytes } from 'node:crypto';
import {
	mkdir,
	readFile,
	readdir,
	rename,
	stat,
	unlink,
	writeFile,
	access
} from 'node:fs/promises';
import { constants, createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Age after which a temporary file cannot belong to a write still in progress. */
const TEMP_MAX_AGE_MS = 60 * 60_000;

/** Raised for a blob over the store's size limit; nothing is written. */
export class BlobTooLargeError extends Error {
	constructor(
		readonly size: number,
		readonly limit: number
	) {
		super(`Blob of ${size} bytes exceeds the limit of ${limit} bytes`);
		this.name = 'BlobTooLargeError';
	}
}

/**
 * Content-addressed file store: a blob's name is its SHA-256, so the same bytes are stored once
 * and a name can never point at changed content. Files are fanned out by the first two hex
 * digits to keep directories small.
 */
export class BlobStore {
	constructor(
		readonly dir: string,
		readonly maxBytes: number
	) {}

	private pathOf(sha256: string): string {
		if (!SHA256_HEX.test(sha256)) throw new Error(`Not a SHA-256 hex digest: ${sha256}`);
		return join(this.dir, sha256.slice(0, 2), sha256);
	}

	/**
	 * Stores bytes and returns their SHA-256. Writes a temporary file and renames it into place,
	 * so a crash mid-write never leaves a truncated file under a valid name.
	 */
	async put(bytes: Uint8Array): Promise<string> {
		if (bytes.byteLength > this.maxBytes)
			throw new BlobTooLargeError(bytes.byteLength, this.maxBytes);
		const sha256 = createHash('sha256').update(bytes).digest('hex');
		const target = this.pathOf(sha256);
		if (await this.has(sha256)) return sha256;
		await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true });
		const temp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
		try {
			await writeFile(temp, bytes, { flag: 'wx' });
			await rename(temp, target);
		} catch (error) {
			await unlink(temp).catch(() => {});
			throw error;
		}
		return sha256;
	}

	/** Reads a blob, or null when it is absent. */
	async get(sha256: string): Promise<Uint8Array<ArrayBuffer> | null> {
		try {
			const buffer = await readFile(this.pathOf(sha256));
			// Copy out of Node's pooled Buffer so callers get a plain, exclusively owned array.
			const bytes = new Uint8Array(buffer.byteLength);
			bytes.set(buffer);
			return bytes;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
			throw error;
		}
	}

	/**
	 * Opens a blob for streaming, or null when it is absent. Large PDFs go to the client without
	 * being held in memory whole, and the size is known up front for Content-Length (the
	 * browser's download progress bar depends on it).
	 */
	async open(sha256: string): Promise<{ size: number; stream: ReadableStream<Uint8Array> } | null> {
		const path = this.pathOf(sha256);
		try {
			const { size } = await stat(path);
			const stream = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
			return { size, stream };
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
			throw error;
		}
	}

	async has(sha256: string): Promise<boolean> {
		try {
			await stat(this.pathOf(sha256));
			return true;
		} catch {
			return false;
		}
	}

	/**
	 * Removes temporary files left by a writer that was killed between write and rename (a
	 * crash, SIGKILL, power loss). They are never read, but would pile up. Only files an hour
	 * old go: the CLI may share this folder and be writing one right now. Returns how many.
	 */
	async sweepTemporary(): Promise<number> {
		const cutoff = Date.now() - TEMP_MAX_AGE_MS;
		let removed = 0;
		for (const name of await readdir(this.dir).catch(() => [] as string[])) {
			if (!name.startsWith('.tmp-')) continue;
			const path = join(this.dir, name);
			const info = await stat(path).catch(() => null);
			if (
				info &&
				info.mtimeMs < cutoff &&
				(await unlink(path).then(
					() => true,
					() => false
				))
			)
				removed++;
		}
		return removed;
	}

	/** Creates the folder and proves it is writable; used at start-up and by the health check. */
	async check(): Promise<{ ok: boolean; error?: string }> {
		try {
			await mkdir(this.dir, { recursive: true });
			await access(this.dir, constants.W_OK | constants.R_OK);
			return { ok: true };
		} catch (error) {
			return { ok: false, error: error instanceof Error ? error.message : String(error) };
		}
	}
}

/**
 * Stores bytes as a blob: the file first, then its row in the caller's transaction, so a crash in
 * between leaves at worst an unreferenced file, never a row naming a missing one. Call it before
 * the transaction's other writes: SQLite takes the write lock at the first write, so the file is
 * written before the lock is held. Returns the SHA-256.
 */
export async function storeBlob(
	trx: Kysely<Database>,
	blobs: BlobStore,
	bytes: Uint8Array,
	mediaType: string,
	now: string
): Promise<string> {
	const sha256 = await blobs.put(bytes);
	await trx
		.insertInto('blobs')
		.values({ sha256, size: bytes.byteLength, media_type: mediaType, created_at: now })
		.onConflict((oc) => oc.column('sha256').doNothing())
		.execute();
	return sha256;
}
