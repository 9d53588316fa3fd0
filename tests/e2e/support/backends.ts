import { randomBytes } from 'node:crypto';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../../../src/lib/server/db/schema';
import { startS3Server, type TestS3Server } from '../../../src/lib/server/platform/test-s3';
import { testPostgresUrl } from '../../support/test-db';

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
	const base = new URL(testPostgresUrl()!);
	const name = `${base.pathname.slice(1) || 'sealpass'}_servers_${randomBytes(4).toString('hex')}`;
	const admin = async (statement: string) => {
		const client = new pg.Client({ connectionString: base.toString() });
		await client.connect();
		try {
			await client.query(statement);
		} finally {
			await client.end();
		}
	};
	// C collation, as the tests' own databases: text sorts by code point, as on SQLite.
	await admin(
		`create database ${name} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`
	);
	const url = new URL(base);
	url.pathname = `/${name}`;
	const s3 = await startS3Server();
	const { bucket, endpoint, region, credentials } = s3.source;
	return {
		kind,
		databaseUrl: url.toString(),
		s3,
		env: {
			DATABASE_URL: url.toString(),
			BLOB_STORE: `s3://${bucket}?endpoint=${encodeURIComponent(endpoint)}&region=${region}`,
			AWS_ACCESS_KEY_ID: credentials!.accessKeyId,
			AWS_SECRET_ACCESS_KEY: credentials!.secretAccessKey
		},
		async close() {
			await s3.close();
			await admin(`drop database if exists ${name} with (force)`);
		}
	};
}

/**
 * The ticket bookkeeping checks of tests/support/consistency.ts, for a PostgreSQL database
 * (that file reads a SQLite data folder the way an operator would after a crash): every
 * submission spent its own ticket, every spent ticket has its submission, no ticket twice.
 */
export async function postgresInconsistencies(db: Kysely<Database>): Promise<string[]> {
	const problems: string[] = [];
	const count = async (query: ReturnType<typeof sql<{ n: string }>>) =>
		Number((await query.execute(db)).rows[0]?.n ?? 0);
	const unspent = await count(sql<{ n: string }>`
		select count(*) as n from submissions s left join tickets t on t.id = s.ticket_id
		where t.used_by_submission is distinct from s.id`);
	if (unspent) problems.push(`${unspent} submissions without their spent ticket`);
	const orphans = await count(sql<{ n: string }>`
		select count(*) as n from tickets t left join submissions s on s.id = t.used_by_submission
		where t.used_at is not null and s.id is null`);
	if (orphans) problems.push(`${orphans} spent tickets without submission`);
	const dupes = await count(sql<{ n: string }>`
		select count(*) as n from (select ticket_id from submissions group by ticket_id
		having count(*) > 1) d`);
	if (dupes) problems.push(`${dupes} tickets used by several submissions`);
	return problems;
}
