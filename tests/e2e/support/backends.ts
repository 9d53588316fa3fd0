import { startS3Server, type TestS3Server } from '../../../src/lib/server/platform/test-s3';
import { createScratchDatabase, testPostgresUrl } from '../../support/test-db';

/*
 * Where the server processes of a multi-server test keep their data. The embedded default is
 * the data folder (one SQLite file, a blob folder); the scaled one is a new PostgreSQL database
 * beside TEST_DATABASE_URL's plus an S3 bucket served by s3rver in this process, both dropped
 * afterwards. Shared by the multi-server spec and the servers load/bench.
 */

export type BackendKind = 'sqlite' | 'postgres';

export interface Backend {
	kind: BackendKind;
	/** What every server process gets on top of its DATA_DIR. */
	env: Record<string, string>;
	/** The PostgreSQL database the servers share; undefined on SQLite. */
	databaseUrl?: string;
	s3?: TestS3Server;
	close(): Promise<void>;
}

/** Whether this run can use `kind`: PostgreSQL needs TEST_DATABASE_URL (CI sets it). */
export const backendAvailable = (kind: BackendKind) => kind === 'sqlite' || !!testPostgresUrl();

export async function startBackend(kind: BackendKind): Promise<Backend> {
	if (kind === 'sqlite') return { kind, env: {}, close: async () => {} };
	const database = await createScratchDatabase('sealpass_servers');
	const s3 = await startS3Server();
	const { bucket, endpoint, region, credentials } = s3.source;
	return {
		kind,
		databaseUrl: database.url,
		s3,
		env: {
			DATABASE_URL: database.url,
			BLOB_STORE: `s3://${bucket}?endpoint=${encodeURIComponent(endpoint!)}&region=${region}`,
			AWS_ACCESS_KEY_ID: credentials!.accessKeyId,
			AWS_SECRET_ACCESS_KEY: credentials!.secretAccessKey
		},
		async close() {
			await s3.close();
			await database.drop();
		}
	};
}
