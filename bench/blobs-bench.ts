// The S3 blob store against the local folder (`npm run bench -- blobs`): put + get of a 1 MB and
// a 50 MB blob on each, medians of alternating runs in one process, reported as S3 over folder.
// The S3 side is s3rver (a real S3 API server on loopback) in a child process of its own, as an
// S3 server is another process in production; its time in the child is part of the S3 figure.
// Beside it, the same put + get as bare SDK calls (one PutObject, one GetObject, no checks) to
// the same server: the share of the S3 figure that is our store (hashes, the existence check)
// rather than the server.
import { spawn } from 'node:child_process';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FolderBlobStore } from '$lib/server/platform/blob-folder';
import { S3BlobStore } from '$lib/server/platform/blob-s3';
import type { BlobStore } from '$lib/server/platform/blob-store';
import type { S3Source } from '$lib/server/platform/config';
import { startS3Server } from '$lib/server/platform/test-s3';

export const BLOBS_GOAL = 2;
const MB = 1024 * 1024;
const SIZES = [
	{ name: '1mb', bytes: 1 * MB, runs: 15 },
	{ name: '50mb', bytes: 50 * MB, runs: 5 }
];

const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** One put of bytes the store has never seen (a repeat would be skipped) and one whole get. */
async function putGet(store: BlobStore, bytes: Uint8Array): Promise<number> {
	const t0 = performance.now();
	const name = await store.put(bytes);
	const back = await store.get(name);
	const ms = performance.now() - t0;
	if (back?.byteLength !== bytes.byteLength) throw new Error(`Blob ${name} did not come back`);
	return ms;
}

/** The floor any S3 store stands on: one PutObject and one GetObject, nothing checked. */
async function bareSdkPutGet(client: S3Client, bucket: string, bytes: Uint8Array): Promise<number> {
	const t0 = performance.now();
	const Key = randomUUID();
	await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: bytes }));
	const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
	const back = await answer.Body!.transformToByteArray();
	const ms = performance.now() - t0;
	if (back.byteLength !== bytes.byteLength) throw new Error(`Object ${Key} did not come back`);
	return ms;
}

/** s3rver in a child process running this bundle's `s3rver` mode; resolves with its location. */
async function childS3Server(): Promise<{ source: S3Source; stop: () => void }> {
	const entry = new URL(import.meta.url).href;
	const child = spawn(
		process.execPath,
		['--input-type=module', '-e', `(await import(${JSON.stringify(entry)})).main(['s3rver'])`],
		{ stdio: ['pipe', 'pipe', 'inherit'] }
	);
	const line = await new Promise<string>((resolve, reject) => {
		createInterface({ input: child.stdout! }).once('line', resolve);
		child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
	});
	// Closing its stdin stops the child (see `main`), also if this process dies first.
	return { source: JSON.parse(line) as S3Source, stop: () => child.stdin!.end() };
}

async function measure(): Promise<Record<string, unknown>[]> {
	const dir = await mkdtemp(join(tmpdir(), 'sealpass-bench-blobs-'));
	const server = await childS3Server();
	try {
		const folder = new FolderBlobStore(join(dir, 'blobs'), 64 * MB);
		const s3 = new S3BlobStore(server.source, 64 * MB);
		// Configured as the store's client is, so only what the store adds differs.
		const bare = new S3Client({
			region: server.source.region,
			endpoint: server.source.endpoint!,
			forcePathStyle: true,
			credentials: server.source.credentials!,
			requestChecksumCalculation: 'WHEN_REQUIRED',
			responseChecksumValidation: 'WHEN_REQUIRED'
		});
		const bareRun = (bytes: Uint8Array) => bareSdkPutGet(bare, server.source.bucket, bytes);
		const results = [];
		for (const size of SIZES) {
			// Warm-up: connections, JIT, the first files and folders.
			await putGet(folder, randomBytes(size.bytes));
			await putGet(s3, randomBytes(size.bytes));
			await bareRun(randomBytes(size.bytes));
			const folderMs: number[] = [];
			const s3Ms: number[] = [];
			const bareMs: number[] = [];
			// Alternating, so a change in the shared machine's load falls on both sides alike.
			for (let i = 0; i < size.runs; i++) {
				folderMs.push(await putGet(folder, randomBytes(size.bytes)));
				s3Ms.push(await putGet(s3, randomBytes(size.bytes)));
				bareMs.push(await bareRun(randomBytes(size.bytes)));
			}
			const ratio = median(s3Ms) / median(folderMs);
			results.push({
				figure: `blobs_put_get_${size.name}_s3_over_folder`,
				bytes: size.bytes,
				runs: size.runs,
				folder_ms: +median(folderMs).toFixed(1),
				s3_ms: +median(s3Ms).toFixed(1),
				ratio_to_folder: +ratio.toFixed(3),
				bare_sdk_ms: +median(bareMs).toFixed(1),
				bare_sdk_over_folder: +(median(bareMs) / median(folderMs)).toFixed(3),
				s3_store_over_bare_sdk: +(median(s3Ms) / median(bareMs)).toFixed(3),
				goal: BLOBS_GOAL,
				pass: ratio <= BLOBS_GOAL
			});
		}
		bare.destroy();
		return results;
	} finally {
		server.stop();
		await rm(dir, { recursive: true, force: true });
	}
}

/**
 * Child-process entry. No argument: the figures, one JSON line each. `s3rver`: start the server,
 * print its location as one JSON line, and stop when stdin closes.
 */
export async function main(argv: string[]): Promise<void> {
	if (argv[0] === 's3rver') {
		const server = await startS3Server();
		console.log(JSON.stringify(server.source));
		process.stdin.resume();
		process.stdin.once('end', () => void server.close().then(() => process.exit(0)));
		return;
	}
	for (const figure of await measure()) console.log(JSON.stringify(figure));
}
