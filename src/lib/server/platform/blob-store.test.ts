import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderBlobStore } from './blob-folder';
import { BlobTooLargeError } from './blob-store';

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sealpass-blobs-'));
});
afterEach(async () => {
	await rm(dir, { recursive: true, force: true });
});

describe('FolderBlobStore', () => {
	it('names a blob by the SHA-256 of its bytes and reads the same bytes back', async () => {
		const store = new FolderBlobStore(dir, 1024);
		const bytes = new TextEncoder().encode('合同 contract');
		const name = await store.put(bytes);
		expect(name).toBe(createHash('sha256').update(bytes).digest('hex'));
		expect(await store.get(name)).toEqual(bytes);
		expect(await store.has(name)).toBe(true);
	});

	it('stores identical content once and leaves no temporary files behind', async () => {
		const store = new FolderBlobStore(dir, 1024);
		const bytes = new Uint8Array([1, 2, 3]);
		const [a, b] = await Promise.all([store.put(bytes), store.put(bytes)]);
		expect(a).toBe(b);
		const top = await readdir(dir);
		expect(top.filter((f) => f.startsWith('.tmp-'))).toEqual([]);
		expect(await readdir(join(dir, a.slice(0, 2)))).toEqual([a]);
	});

	it('refuses a blob over the size limit and writes nothing', async () => {
		const store = new FolderBlobStore(dir, 4);
		await expect(store.put(new Uint8Array(5))).rejects.toBeInstanceOf(BlobTooLargeError);
		expect(await readdir(dir)).toEqual([]);
	});

	it('answers null for an absent blob and rejects names that are not digests', async () => {
		const store = new FolderBlobStore(dir, 4);
		expect(await store.get('0'.repeat(64))).toBeNull();
		await expect(store.get('../../etc/passwd')).rejects.toThrow(/Not a SHA-256/);
	});

	it('reports a folder it cannot write to', async () => {
		// A path below a regular file fails for every user, root included (root ignores mode bits).
		await writeFile(join(dir, 'file'), 'x');
		expect((await new FolderBlobStore(join(dir, 'file', 'blobs'), 4).check()).ok).toBe(false);
	});

	it('removes temporary files a killed writer left behind, once they are an hour old, and keeps a fresh one another process may still be writing', async () => {
		const store = new FolderBlobStore(dir, 1024);
		const name = await store.put(new Uint8Array([7]));
		await writeFile(join(dir, '.tmp-stale'), 'half a blob');
		await writeFile(join(dir, '.tmp-fresh'), 'being written');
		const hourAgo = new Date(Date.now() - 61 * 60_000);
		await utimes(join(dir, '.tmp-stale'), hourAgo, hourAgo);
		expect(await store.sweepTemporary()).toBe(1);
		expect((await readdir(dir)).sort()).toEqual(['.tmp-fresh', name.slice(0, 2)]);
		expect(await store.has(name)).toBe(true);
	});
});
