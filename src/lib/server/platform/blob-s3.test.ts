import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { S3BlobStore } from './blob-s3';
import { checkHealth } from './health';
import { startS3Server, type TestS3Server } from './test-s3';

const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';

describe('BLOB_STORE', () => {
	it('keeps the data folder as the default store', () => {
		const config = loadConfig({ DATA_DIR: '/srv/sealpass' });
		expect(config.blobStore).toEqual({ kind: 'folder', dir: '/srv/sealpass/blobs' });
	});

	it('reads s3://bucket?endpoint=…&region=… with the AWS variables for the key pair', () => {
		const config = loadConfig({
			BLOB_STORE: 's3://contracts?endpoint=https://minio.internal:9000&region=eu-west-1',
			AWS_ACCESS_KEY_ID: 'sealpass-app',
			AWS_SECRET_ACCESS_KEY: SECRET
		});
		expect(config.blobStore).toEqual({
			kind: 's3',
			bucket: 'contracts',
			endpoint: 'https://minio.internal:9000',
			region: 'eu-west-1',
			credentials: { accessKeyId: 'sealpass-app', secretAccessKey: SECRET }
		});
		// The URL's own key pair wins over the environment's; no pair leaves it to the SDK's chain.
		const fromUrl = loadConfig({
			BLOB_STORE: `s3://contracts?accessKeyId=k&secretAccessKey=${SECRET}`,
			AWS_ACCESS_KEY_ID: 'other',
			AWS_SECRET_ACCESS_KEY: 'other'
		}).blobStore;
		expect(fromUrl).toMatchObject({ credentials: { accessKeyId: 'k', secretAccessKey: SECRET } });
		expect(loadConfig({ BLOB_STORE: 's3://contracts' }).blobStore).toMatchObject({
			endpoint: null,
			credentials: null
		});
	});

	it('refuses unknown schemes and parameters by name, never echoing the secret', () => {
		expect(() => loadConfig({ BLOB_STORE: 'gs://contracts' })).toThrow(/"gs"/);
		for (const value of [
			`s3://contracts?secretKey=${SECRET}`,
			`s3://contracts?accessKeyId=k&secretAccessKey=${SECRET}&endpoint=ftp://x`,
			`s3://k:${SECRET}@contracts`,
			`s3://contracts/sub?secretAccessKey=${SECRET}`,
			`s3://contracts?secretAccessKey=${SECRET}`
		]) {
			const load = () => loadConfig({ BLOB_STORE: value });
			expect(load).toThrow(/BLOB_STORE/);
			expect(load).not.toThrow(new RegExp(SECRET));
		}
		expect(() => loadConfig({ BLOB_STORE: `s3://contracts?secretKey=${SECRET}` })).toThrow(
			/unknown parameter "secretKey"/
		);
	});
});

describe('S3 blob store health', () => {
	let server: TestS3Server;
	beforeAll(async () => {
		server = await startS3Server();
	});
	afterAll(() => server?.close());

	const database = {
		db: { getExecutor: () => ({}) },
		dialect: 'sqlite'
	} as never;

	it('says the S3 store is in use; a failing check names the bucket without the secret in the report or the log', async () => {
		const good = new S3BlobStore(server.source, 1 << 20);
		expect(await good.check()).toEqual({ ok: true });
		// A bucket that is not there (s3rver does not check HeadBucket's signature, so a wrong key
		// would pass), with a secret in hand that must stay out of every answer.
		const bad = new S3BlobStore(
			{
				...server.source,
				bucket: 'not-created',
				credentials: { accessKeyId: 'S3RVER', secretAccessKey: SECRET }
			},
			1 << 20
		);
		const checked = await bad.check();
		expect(checked.ok).toBe(false);
		expect(checked.error).toContain('not-created');
		expect(checked.error).not.toContain(SECRET);
		const logged: unknown[] = [];
		const original = console.error;
		console.error = (...args: unknown[]) => void logged.push(...args);
		try {
			const report = await checkHealth({ database, blobs: bad, version: '1', migration: null });
			expect(report.blobs).toEqual({
				ok: false,
				store: 's3',
				error: 'The blob store cannot be used'
			});
			expect(JSON.stringify(report)).not.toContain(SECRET);
		} finally {
			console.error = original;
		}
		expect(logged.join(' ')).not.toContain(SECRET);
		expect(logged.join(' ')).toMatch(/not-created.*HTTP 404/);
	});
});
