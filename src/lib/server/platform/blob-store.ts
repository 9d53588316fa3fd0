import { createHash } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { BlobTable, Database } from '../db/schema';

/** A blob's name: the lowercase hex SHA-256 of its bytes. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

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
 * Raised when bytes do not hash to the name they are stored or claimed under: a caller's wrong
 * claim on the way in, or a stored object changed behind the store's back on the way out. A
 * contract is sealed over exact bytes, so altered bytes are refused rather than served.
 */
export class BlobIntegrityError extends Error {
	constructor(
		readonly sha256: string,
		readonly actual: string
	) {
		super(`Blob ${sha256} does not match its name: its bytes hash to ${actual}`);
		this.name = 'BlobIntegrityError';
	}
}

/** A blob opened for streaming; `size` is known up front for Content-Length. */
export interface OpenBlob {
	size: number;
	stream: ReadableStream<Uint8Array>;
}

/**
 * Content-addressed storage: a blob's name is the SHA-256 of its bytes, so the same bytes are
 * stored once and a name can never point at changed content. Every implementation checks that
 * hash itself on the way in and on the way out, whatever the backend reports (an S3 ETag is not
 * a content hash for multipart uploads). An absent blob is `null` (false for `has`), the same
 * from every store, because callers report it as damage or "not found" in their own terms;
 * anything else that goes wrong throws.
 */
export interface BlobStore {
	/** Which backend this is; the health report names it. */
	readonly kind: 'folder' | 's3';
	/** Where the blobs live, for logs and start-up errors; never carries a credential. */
	readonly description: string;
	/** Largest single blob accepted, in bytes. */
	readonly maxBytes: number;
	/**
	 * Stores bytes and returns their SHA-256. `expected`, when given, is the caller's claim of
	 * that hash; a mismatch throws BlobIntegrityError and writes nothing. Storing bytes already
	 * present writes nothing either, so concurrent puts of the same bytes are harmless.
	 */
	put(bytes: Uint8Array, expected?: string): Promise<string>;
	/** Reads a whole blob, or null when it is absent. */
	get(sha256: string): Promise<Uint8Array<ArrayBuffer> | null>;
	/**
	 * Opens a blob for streaming, or null when it is absent. The stream errors with a
	 * BlobIntegrityError at its end when the bytes do not match the name, so a reader never
	 * finishes a transfer of altered bytes.
	 */
	open(sha256: string): Promise<OpenBlob | null>;
	has(sha256: string): Promise<boolean>;
	/** Proves the store is usable (start-up and the health check); the error names no secret. */
	check(): Promise<{ ok: boolean; error?: string }>;
	/** Removes leftovers of writers killed mid-write; returns how many. */
	sweepTemporary(): Promise<number>;
}

/** Throws for a name that is not a SHA-256 digest: names become paths and object keys. */
export function assertSha256(sha256: string): void {
	if (!SHA256_HEX.test(sha256)) throw new Error(`Not a SHA-256 hex digest: ${sha256}`);
}

export function sha256Of(bytes: Uint8Array): string {
	return createHash('sha256').update(bytes).digest('hex');
}

/** The checks before any write: size limit, then the caller's claimed hash. Returns the hash. */
export function admit(bytes: Uint8Array, maxBytes: number, expected?: string): string {
	if (bytes.byteLength > maxBytes) throw new BlobTooLargeError(bytes.byteLength, maxBytes);
	const sha256 = sha256Of(bytes);
	if (expected !== undefined && expected !== sha256) throw new BlobIntegrityError(expected, sha256);
	return sha256;
}

/**
 * Returns the bytes read under `sha256` after checking they hash to it, copied out of the
 * backend's buffer (Node's pooled Buffer, the SDK's array) so callers get a plain, exclusively
 * owned array.
 */
export function verified(sha256: string, read: Uint8Array): Uint8Array<ArrayBuffer> {
	const bytes = new Uint8Array(read);
	const actual = sha256Of(bytes);
	if (actual !== sha256) throw new BlobIntegrityError(sha256, actual);
	return bytes;
}

/**
 * Passes a blob's stream through unchanged while hashing it, and errors the stream at its end
 * when the bytes do not match the name: the reader sees a broken transfer instead of a
 * complete, altered file.
 */
export function verifiedStream(
	sha256: string,
	source: ReadableStream<Uint8Array>
): ReadableStream<Uint8Array> {
	const hash = createHash('sha256');
	return source.pipeThrough(
		new TransformStream<Uint8Array, Uint8Array>({
			transform(chunk, controller) {
				hash.update(chunk);
				controller.enqueue(chunk);
			},
			flush(controller) {
				const actual = hash.digest('hex');
				if (actual !== sha256) controller.error(new BlobIntegrityError(sha256, actual));
			}
		})
	);
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
	const [sha256] = await storeBlobs(trx, blobs, [{ bytes, mediaType }], now);
	return sha256!;
}

/**
 * storeBlob for several at once: every file, then their rows in one insert (one round trip to
 * PostgreSQL however many images an upload carries). Returns the SHA-256s in the given order.
 */
export async function storeBlobs(
	trx: Kysely<Database>,
	blobs: BlobStore,
	items: readonly { bytes: Uint8Array; mediaType: string }[],
	now: string
): Promise<string[]> {
	const rows = await putBlobFiles(blobs, items, now);
	if (rows.length > 0) await insertBlobRows(trx, rows).execute();
	return rows.map((r) => r.sha256);
}

/** storeBlobs' first half: the files, written before any row names them; returns the rows. */
export async function putBlobFiles(
	blobs: BlobStore,
	items: readonly { bytes: Uint8Array; mediaType: string }[],
	now: string
): Promise<Insertable<BlobTable>[]> {
	const rows = [];
	for (const { bytes, mediaType } of items) {
		const sha256 = await blobs.put(bytes);
		rows.push({ sha256, size: bytes.byteLength, media_type: mediaType, created_at: now });
	}
	return rows;
}

/** storeBlobs' second half, unexecuted so it can go with other writes: the rows, each once. */
export function insertBlobRows(trx: Kysely<Database>, rows: Insertable<BlobTable>[]) {
	return trx
		.insertInto('blobs')
		.values(rows)
		.onConflict((oc) => oc.column('sha256').doNothing());
}
