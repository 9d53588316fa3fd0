import { join } from 'node:path';
import { connect } from 'node:net';
import Sqlite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../../src/lib/server/db/schema';
import { createSession } from '../../../src/lib/server/auth/sessions';
import {
	createSignerWorld,
	WORLD_ORG,
	type SignerWorld,
	type WorldSigner
} from '../../support/signer-world';

/*
 * Signers (and an admin) written straight into a running server's database, with a session
 * each, so Node can drive the real HTTP API as many devices at once: the fault tests and the
 * load test. Requests carry the session cookie and the Origin header as a browser's would.
 */

export interface Answer {
	status: number;
	body: Record<string, unknown>;
}

export interface ServerWorld extends SignerWorld {
	open: { db: Kysely<Database> };
	dbPath: string;
	blobDir: string;
	cookieOf: Map<WorldSigner, string>;
	adminCookie: string;
	/** A JSON request to the server (whichever process serves `url` now). */
	call: (
		url: string,
		method: string,
		path: string,
		cookie: string,
		body?: unknown
	) => Promise<Answer>;
	/** The signer's ticket pool from POST /api/tickets. */
	tickets: (url: string, signer: WorldSigner) => Promise<{ id: string; nonce: string }[]>;
	count: (table: 'submissions' | 'envelopes' | 'submission_events' | 'blobs') => Promise<number>;
	close: () => Promise<void>;
}

export async function attachWorld(
	/** `databaseUrl`: the servers' PostgreSQL database; without it, the data folder's SQLite file. */
	server: { url: string; dataDir: string; databaseUrl?: string },
	options: {
		count: number;
		contracts: number;
		/** The public origin when it is not the called server's own (several behind a balancer). */
		origin?: string;
	}
): Promise<ServerWorld> {
	const dbPath = join(server.dataDir, 'sealpass.db');
	// A connection of its own, as the CLI would open (the app's opener bundles its migrations
	// with Vite, which Playwright cannot load); the server has already migrated the database.
	const open = { db: new Kysely<Database>({ dialect: worldDialect(dbPath, server.databaseUrl) }) };
	const at = new Date().toISOString();
	const origin = options.origin ?? server.url;
	const world = await createSignerWorld(open.db, { ...options, origin, at });
	const clock = () => new Date();
	const cookieOf = new Map<WorldSigner, string>();
	for (const signer of world.signers) {
		const session = await createSession(open.db, signer.user.id, clock, signer.key.credentialId);
		cookieOf.set(signer, `sp_session=${session.token}`);
	}
	await open.db
		.insertInto('users')
		.values({
			id: 'world-admin',
			org_id: WORLD_ORG,
			display_name: 'Admin',
			role: 'admin',
			created_at: at
		})
		.execute();
	const adminCookie = `sp_session=${(await createSession(open.db, 'world-admin', clock)).token}`;

	const call: ServerWorld['call'] = async (url, method, path, cookie, body) => {
		const response = await fetch(url + path, {
			method,
			headers: {
				cookie,
				origin: options.origin ?? url,
				...(body === undefined ? {} : { 'content-type': 'application/json' })
			},
			body: body === undefined ? undefined : JSON.stringify(body)
		});
		const text = await response.text();
		let parsed: Record<string, unknown>;
		try {
			parsed = JSON.parse(text) as Record<string, unknown>;
		} catch {
			parsed = { text };
		}
		return { status: response.status, body: parsed };
	};

	return {
		...world,
		open,
		dbPath,
		blobDir: join(server.dataDir, 'blobs'),
		cookieOf,
		adminCookie,
		call,
		tickets: async (url, signer) => {
			const answer = await call(url, 'POST', '/api/tickets', cookieOf.get(signer)!, {
				credentialId: signer.key.credentialId
			});
			if (answer.status !== 200) throw new Error(`tickets: ${JSON.stringify(answer.body)}`);
			return answer.body.tickets as { id: string; nonce: string }[];
		},
		count: async (table) =>
			Number(
				(
					await open.db
						.selectFrom(table)
						.select((eb) => eb.fn.countAll().as('n'))
						.executeTakeFirstOrThrow()
				).n
			),
		close: async () => {
			await open.db.destroy();
		}
	};
}

function worldDialect(dbPath: string, databaseUrl: string | undefined) {
	if (databaseUrl)
		return new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 4 }) });
	const sqlite = new Sqlite(dbPath);
	sqlite.pragma('busy_timeout = 5000');
	return new SqliteDialect({ database: sqlite });
}

/**
 * Sends a request whose body is cut in transit: the headers promise `declaredLength` bytes, only
 * `sent` go out, then the client half-closes its side (as a dropped uplink looks to the server)
 * or, with `halfClose` false, waits as a stalled uplink would.
 * A raw socket, because an HTTP client refuses to send less than its own Content-Length.
 * Resolves with the server's answer, or with status 0 when it closed without one.
 */
export function sendTruncated(
	url: string,
	path: string,
	headers: Record<string, string>,
	sent: Uint8Array,
	declaredLength: number,
	/** false: keep the connection open, as a slow uplink still sending would. */
	halfClose = true
): Promise<Answer> {
	const { hostname, port } = new URL(url);
	return new Promise((resolve, reject) => {
		const socket = connect(Number(port), hostname);
		const chunks: Buffer[] = [];
		const timer = setTimeout(() => {
			socket.destroy();
			reject(new Error('no answer within 20 s to a truncated body'));
		}, 20_000);
		socket.on('data', (chunk: Buffer) => chunks.push(chunk));
		socket.on('error', () => {});
		socket.on('close', () => {
			clearTimeout(timer);
			resolve(parseResponse(Buffer.concat(chunks)));
		});
		const head = [
			`POST ${path} HTTP/1.1`,
			`host: ${new URL(url).host}`,
			'connection: close',
			`content-length: ${declaredLength}`,
			...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
			'',
			''
		].join('\r\n');
		socket.write(head);
		if (halfClose) socket.end(sent);
		else socket.write(sent);
	});
}

function parseResponse(raw: Buffer): Answer {
	const split = raw.indexOf('\r\n\r\n');
	if (split < 0) return { status: 0, body: { text: raw.toString() } };
	const head = raw.subarray(0, split).toString();
	let rest = raw.subarray(split + 4);
	const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0);
	if (/transfer-encoding: chunked/i.test(head)) {
		const parts: Buffer[] = [];
		for (;;) {
			const line = rest.indexOf('\r\n');
			const size = parseInt(rest.subarray(0, line).toString(), 16);
			if (!size) break;
			parts.push(rest.subarray(line + 2, line + 2 + size));
			rest = rest.subarray(line + 2 + size + 2);
		}
		rest = Buffer.concat(parts);
	}
	const text = rest.toString();
	try {
		return { status, body: JSON.parse(text) as Record<string, unknown> };
	} catch {
		return { status, body: { text } };
	}
}
