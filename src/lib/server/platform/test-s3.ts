import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3Source } from './config';

// Test and benchmark support only: a real S3 API server (s3rver, in this process) on a random
// port of 127.0.0.1 with a fresh bucket, so the S3 blob store is exercised against the protocol
// rather than a mocked client.

export interface TestS3Server {
	/** What BLOB_STORE would describe: bucket, endpoint, region and s3rver's fixed key pair. */
	source: S3Source;
	/** The key of every object written (PUT, completed multipart upload), in order. */
	created: string[];
	close(): Promise<void>;
}

export async function startS3Server(): Promise<TestS3Server> {
	const directory = await mkdtemp(join(tmpdir(), 'sealpass-s3rver-'));
	const bucket = `sealpass-test-${randomBytes(4).toString('hex')}`;
	const server = new S3rver({
		address: '127.0.0.1',
		port: 0,
		silent: true,
		directory,
		vhostBuckets: false,
		configureBuckets: [{ name: bucket }]
	});
	const created: string[] = [];
	server.on(
		'event',
		(event: { Records: { eventName: string; s3: { object: { key: string } } }[] }) => {
			for (const record of event.Records)
				if (record.eventName.startsWith('ObjectCreated')) created.push(record.s3.object.key);
		}
	);
	const { port } = await server.run();
	return {
		source: {
			bucket,
			endpoint: `http://127.0.0.1:${port}`,
			region: 'us-east-1',
			// s3rver accepts only this key pair, and checks request signatures made with it.
			credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
		},
		created,
		async close() {
			await server.close();
			await rm(directory, { recursive: true, force: true });
		}
	};
}
