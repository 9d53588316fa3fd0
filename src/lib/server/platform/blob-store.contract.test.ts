import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobIntegrityError, BlobTooLargeError, sha256Of, type BlobStore } from './blob-store';
import { FolderBlobStore } from './blob-folder';
import { S3BlobStore } from './blob-s3';
import { startS3Server, type TestS3Server } from './test-s3';

// One contract for every blob store: what the app relies on must hold for the local folder and
// for a real S3 API server alike (s3rver in this process, a fresh bucket per run).

const LIMIT = 64 * 1024 * 1024;

/** A store under test plus the backdoors a test needs: altering a stored blob, seeing writes. */
interface Backend {
	store: BlobStore;
	/** Replaces the stored bytes under `sha256` behind the store's back. */
	tamper(sha256: string, bytes: Uint8Array): Promise<void>;
	/** Marks the stored blob; `rewritten` then says whether it was written again since. */
	mark(sha256: string): Promise<void>;
	rewritten(sha256: string): Promise<boolean>;
	close(): Promise<void>;
}

async function folderBackend(): Promise<Backend> {
	const dir = await mkdtemp(join(tmpdir(), 'sealpass-blobs-'));
	const store = new FolderBlobStore(dir, LIMIT);
	const path = (sha256: string) => join(dir, sha256.slice(0, 2), sha256);
	const epoch = new Date(0);
	return {
		store,
		tamper: (sha256, bytes) => writeFile(path(sha256), bytes),
		// A rewrite renames a new file into place, which carries the current time.
		mark: (sha256) => utimes(path(sha256), epoch, epoch),
		rewritten: async (sha256) => (await stat(path(sha256))).mtimeMs !== 0,
		close: () => rm(dir, { recursive: true, force: true })
	};
}

async function s3Backend(): Promise<Backend> {
	const server: TestS3Server = await startS3Server();
	const store = new S3BlobStore(server.source, LIMIT);
	const raw = new S3Client({
		region: server.source.region,
		endpoint: server.source.endpoint!,
		forcePathStyle: true,
		credentials: server.source.credentials!
	});
	const marks = new Map<string, number>();
	const writes = (key: string) => server.created.filter((k) => k === key).length;
	return {
		store,
		tamper: async (sha256, bytes) => {
			await raw.send(
				new PutObjectCommand({ Bucket: server.source.bucket, Key: sha256, Body: bytes })
			);
		},
		mark: async (sha256) => void marks.set(sha256, writes(sha256)),
		rewritten: async (sha256) => writes(sha256) !== marks.get(sha256),
		close: async () => {
			raw.destroy();
			await server.close();
		}
	};
}

/** Reads a stream to its end: the bytes' hash, their count, and how many chunks carried them. */
async function drain(stream: ReadableStream<Uint8Array>) {
	const { createHash } = await import('node:crypto');
	const hash = createHash('sha256');
	let size = 0;
	let chunks = 0;
	for await (const chunk of stream) {
		hash.update(chunk);
		size += chunk.byteLength;
		chunks++;
	}
	return { sha256: hash.digest('hex'), size, chunks };
}

describe.each([
	['local folder', folderBackend],
	['S3 (s3rver)', s3Backend]
])('blob store contract: %s', (_name, start) => {
	let backend: Backend;
	let store: BlobStore;
	beforeAll(async () => {
		backend = await start();
		store = backend.store;
	});
	afterAll(() => backend?.close());

	it('names a blob by the SHA-256 of its bytes and gives the same bytes back, whole or streamed', async () => {
		const bytes = new TextEncoder().encode(`合同 contract ${randomBytes(8).toString('hex')}`);
		const name = await store.put(bytes);
		expect(name).toBe(sha256Of(bytes));
		expect(await store.has(name)).toBe(true);
		expect(await store.get(name)).toEqual(bytes);
		const opened = (await store.open(name))!;
		expect(opened.size).toBe(bytes.byteLength);
		expect(await drain(opened.stream)).toMatchObject({ sha256: name, size: bytes.byteLength });
	});

	it('does not rewrite a blob that is already stored', async () => {
		const bytes = randomBytes(4096);
		const name = await store.put(bytes);
		await backend.mark(name);
		expect(await store.put(bytes)).toBe(name);
		expect(await backend.rewritten(name)).toBe(false);
		expect(await store.get(name)).toEqual(new Uint8Array(bytes));
	});

	it('refuses bytes that do not match the hash claimed for them, and writes nothing', async () => {
		const bytes = randomBytes(1024);
		const claim = sha256Of(randomBytes(16));
		await expect(store.put(bytes, claim)).rejects.toBeInstanceOf(BlobIntegrityError);
		expect(await store.has(sha256Of(bytes))).toBe(false);
		expect(await store.has(claim)).toBe(false);
		expect(await store.put(bytes, sha256Of(bytes))).toBe(sha256Of(bytes));
	});

	it('refuses to serve stored bytes altered behind its back, whole or streamed', async () => {
		const bytes = randomBytes(2048);
		const name = await store.put(bytes);
		const altered = Uint8Array.from(bytes);
		altered[100]! ^= 0xff;
		await backend.tamper(name, altered);
		await expect(store.get(name)).rejects.toBeInstanceOf(BlobIntegrityError);
		const opened = (await store.open(name))!;
		await expect(drain(opened.stream)).rejects.toBeInstanceOf(BlobIntegrityError);
	});

	it('answers null (false for has) for a missing blob, and rejects names that are not digests', async () => {
		const absent = sha256Of(randomBytes(32));
		expect(await store.get(absent)).toBeNull();
		expect(await store.open(absent)).toBeNull();
		expect(await store.has(absent)).toBe(false);
		await expect(store.get('../../etc/passwd')).rejects.toThrow(/Not a SHA-256/);
		await expect(store.has('A'.repeat(64))).rejects.toThrow(/Not a SHA-256/);
	});

	it('refuses a blob over the size limit', async () => {
		const bytes = new Uint8Array(LIMIT + 1);
		await expect(store.put(bytes)).rejects.toBeInstanceOf(BlobTooLargeError);
		expect(await store.has(sha256Of(bytes))).toBe(false);
	});

	it('stores a 50 MB PDF and streams it back in pieces', { timeout: 120_000 }, async () => {
		const bytes = randomBytes(50 * 1024 * 1024);
		const name = await store.put(bytes);
		const opened = (await store.open(name))!;
		expect(opened.size).toBe(bytes.byteLength);
		const read = await drain(opened.stream);
		expect(read).toMatchObject({ sha256: name, size: bytes.byteLength });
		// Streamed, not handed over as one buffer: the reader gets it chunk by chunk.
		expect(read.chunks).toBeGreaterThan(10);
	});

	it('takes concurrent puts of the same bytes and keeps one intact blob', async () => {
		const bytes = randomBytes(3 * 1024 * 1024);
		const names = await Promise.all(Array.from({ length: 6 }, () => store.put(bytes)));
		expect(new Set(names)).toEqual(new Set([sha256Of(bytes)]));
		// Compared by hash: a deep equality of megabytes takes vitest longer than the test itself.
		expect(sha256Of((await store.get(names[0]!))!)).toBe(names[0]);
		expect(await store.check()).toEqual({ ok: true });
	});
});
