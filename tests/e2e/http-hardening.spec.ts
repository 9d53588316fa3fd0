import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { test, expect } from './support/fixtures';
import {
	runStartExpectingFailure,
	startServer,
	type RunningServer
} from '../../scripts/server-process.mjs';

// Server-level: the production server process, spoken to over raw sockets where the point is
// what the server reads (a body it must refuse without reading, a chunked body it must stop
// reading), and through Playwright's request client otherwise.

interface RawAnswer {
	status: number;
	headers: string;
	body: string;
}

/**
 * Sends the head of a request and then `send(write)` chunks, without ever finishing the body,
 * and resolves with the answer the server gives meanwhile. The server answering at all proves
 * it did not wait for the rest of the body.
 */
function rawRequest(
	base: string,
	head: string,
	send: (write: (chunk: string | Buffer) => boolean) => void = () => undefined
): Promise<RawAnswer> {
	const url = new URL(base);
	return new Promise((resolve, reject) => {
		const socket = connect(Number(url.port), url.hostname);
		let data = '';
		const timer = setTimeout(() => {
			socket.destroy();
			reject(new Error(`no answer; got so far: ${data}`));
		}, 15_000);
		socket.on('error', (error) => {
			clearTimeout(timer);
			if (data) finish();
			else reject(error);
		});
		const finish = () => {
			clearTimeout(timer);
			const [headers = '', body = ''] = data.split('\r\n\r\n');
			resolve({ status: Number(headers.split(' ')[1]), headers: headers.toLowerCase(), body });
			socket.destroy();
		};
		socket.on('data', (chunk) => {
			data += chunk.toString();
			const [headers, body] = data.split('\r\n\r\n');
			const length = /content-length: (\d+)/i.exec(headers ?? '')?.[1];
			if (body !== undefined && length !== undefined && Buffer.byteLength(body) >= Number(length))
				finish();
		});
		socket.on('end', finish);
		socket.on('connect', () => {
			socket.write(head.replace(/\n/g, '\r\n') + '\r\n');
			send((chunk) => socket.write(chunk));
		});
	});
}

function jsonHead(base: string, path: string, extra: string): string {
	const url = new URL(base);
	return [
		`POST ${path} HTTP/1.1`,
		`Host: ${url.host}`,
		`Origin: ${url.origin}`,
		'Content-Type: application/json',
		extra,
		''
	].join('\n');
}

/** A port nobody listens on now, for a server whose ORIGIN must be known before it starts. */
function freePort(): Promise<number> {
	return new Promise((resolve) => {
		const probe = createServer().listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => resolve(port));
		});
	});
}

/** Opens an admin session through the printed one-time setup link; returns its cookie header. */
async function adminCookie(
	server: RunningServer,
	origin = server.url
): Promise<{ cookie: string; setCookie: string }> {
	const token = server.setupLink!.split('/setup/')[1]!;
	const answer = await fetch(`${server.url}/api/setup`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Origin: origin },
		body: JSON.stringify({ token })
	});
	expect(answer.status).toBe(200);
	const setCookie = answer.headers.get('set-cookie')!;
	return { cookie: setCookie.split(';')[0]!, setCookie };
}

test.describe('body size per route', () => {
	test('a Content-Length over the route cap is refused with 413 BODY_TOO_LARGE before a byte of the body is sent', async ({
		baseURL
	}) => {
		for (const path of ['/api/auth/login/verify', '/api/setup', '/api/invites/redeem']) {
			// 50 MB announced, nothing sent: an answer proves the server did not wait to read it.
			const answer = await rawRequest(
				baseURL!,
				jsonHead(baseURL!, path, `Content-Length: ${50 * 1024 * 1024}`)
			);
			expect(answer.status, path).toBe(413);
			expect(JSON.parse(answer.body).error.code).toBe('BODY_TOO_LARGE');
			expect(answer.headers).toContain('connection: close');
		}
		// Without a Content-Type SvelteKit would not read the body, but Node would drain it.
		const untyped = await rawRequest(
			baseURL!,
			jsonHead(baseURL!, '/api/setup', `Content-Length: ${50 * 1024 * 1024}`).replace(
				'Content-Type: application/json\n',
				''
			)
		);
		expect(untyped.status).toBe(413);
	});

	test('a chunked body is read no further than the cap: 413 BODY_TOO_LARGE while the client is still sending', async ({
		baseURL
	}) => {
		const answer = await rawRequest(
			baseURL!,
			jsonHead(baseURL!, '/api/auth/login/verify', 'Transfer-Encoding: chunked'),
			(write) => {
				// 96 KB of a JSON string in 8 KB chunks, over the 64 KB cap; the body never ends.
				const piece = Buffer.alloc(8 * 1024, 'a');
				write(`1\r\n{\r\n`);
				for (let i = 0; i < 12; i++) write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
			}
		);
		expect(answer.status).toBe(413);
		expect(JSON.parse(answer.body).error.code).toBe('BODY_TOO_LARGE');
	});

	test('legitimate bodies still pass: small forms chunked or not, and a submission of a few MB', async ({
		request,
		baseURL
	}) => {
		// A small chunked body reaches the route, which answers about its content.
		const chunked = await rawRequest(
			baseURL!,
			jsonHead(baseURL!, '/api/setup', 'Transfer-Encoding: chunked'),
			(write) => {
				const body = JSON.stringify({ token: 'x'.repeat(43) });
				write(`${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`);
			}
		);
		expect(chunked.status).toBe(404);
		expect(JSON.parse(chunked.body).error.code).toBe('SETUP_LINK_INVALID');

		// 2 MB: too large for a sign-in, within a submission's cap (then refused for the session).
		const twoMb = { images: { x: 'a'.repeat(2 * 1024 * 1024) } };
		const headers = { Origin: new URL(baseURL!).origin };
		// The sign-in route refuses on the announced length and closes the connection: sending the
		// body as well would race that close (EPIPE on the client), so only the head goes.
		const length = `Content-Length: ${Buffer.byteLength(JSON.stringify(twoMb))}`;
		const toLogin = await rawRequest(
			baseURL!,
			jsonHead(baseURL!, '/api/auth/login/verify', length)
		);
		expect(toLogin.status).toBe(413);
		expect(JSON.parse(toLogin.body).error.code).toBe('BODY_TOO_LARGE');
		const toIngest = await request.post('/api/submissions', { data: twoMb, headers });
		expect(toIngest.status()).toBe(401);
		expect((await toIngest.json()).error.code).toBe('UNAUTHENTICATED');
	});
});

test('the prerendered / shell carries the same security headers as a dynamic page', async ({
	request
}) => {
	const shell = await request.get('/');
	const page = await request.get('/admin');
	expect(shell.status()).toBe(200);
	expect(page.status()).toBe(200);
	// The shell is the static file (its Content-Length and ETag come from the file server).
	expect(shell.headers()['etag']).toBeTruthy();
	for (const name of ['x-content-type-options', 'referrer-policy', 'permissions-policy']) {
		expect(shell.headers()[name], name).toBeTruthy();
		expect(shell.headers()[name], name).toBe(page.headers()[name]);
	}
	expect(shell.headers()['x-content-type-options']).toBe('nosniff');
	// Same policy, directive by directive; only the hashes of each page's inline script differ.
	const directives = (csp: string | undefined) =>
		(csp ?? '')
			.split(';')
			.map((d) => d.trim().replace(/ 'sha256-[^']+'/g, ''))
			.filter(Boolean)
			.sort();
	const shellCsp = directives(shell.headers()['content-security-policy']);
	expect(shellCsp).toContain("frame-ancestors 'none'");
	expect(shellCsp).toEqual(directives(page.headers()['content-security-policy']));
});

test.describe('floods', () => {
	test('submissions are rate-limited per address: 429 RATE_LIMITED, even before sign-in', async () => {
		// A limit lowered by its setting: each attempt is a counted database write, and a loaded
		// machine cannot make the default 3000 of them inside one minute's window.
		const server = await startServer({ SUBMISSIONS_PER_ADDRESS_PER_MINUTE: '200' });
		try {
			let answer: Response | null = null;
			let sent = 0;
			// Until the server says "not now"; bounded so a missing limit fails instead of looping.
			while (sent < 1000) {
				sent += 1;
				answer = await fetch(`${server.url}/api/submissions`, {
					method: 'POST',
					headers: { 'Content-Type': 'application/json', Origin: server.url },
					body: '{}'
				});
				if (answer.status === 429) break;
				expect(answer.status).toBe(401);
			}
			expect(answer!.status).toBe(429);
			expect(answer!.headers.get('retry-after')).toBe('60');
			expect((await answer!.json()).error.code).toBe('RATE_LIMITED');
			expect(sent).toBe(201);
		} finally {
			await server.stop();
		}
	});

	test('submissions are rate-limited per user', async ({ freshServer }) => {
		const { cookie } = await adminCookie(freshServer);
		const statuses: number[] = [];
		while (statuses.length < 1000) {
			const answer = await fetch(`${freshServer.url}/api/submissions`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Origin: freshServer.url, Cookie: cookie },
				body: '{}'
			});
			statuses.push(answer.status);
			if (answer.status === 429) {
				expect((await answer.json()).error.code).toBe('RATE_LIMITED');
				break;
			}
		}
		expect(statuses.at(-1)).toBe(429);
		// Refused for their shape until then (nothing to do with the limit)...
		expect(new Set(statuses.slice(0, -1))).toEqual(new Set([400]));
		// ...and well before the per-address limit a whole office shares.
		expect(statuses.length).toBeLessThan(500);
	});

	test('refused submissions before the passkey check write one counter row, shown on the review page', async ({
		freshServer,
		page
	}) => {
		const { cookie } = await adminCookie(freshServer);
		// Well-formed, signed by nobody: refused before any passkey is checked (MANIFEST_INVALID).
		const forged = {
			manifest: { not: 'a manifest' },
			assertion: {
				id: 'AAAA',
				rawId: 'AAAA',
				type: 'public-key',
				clientExtensionResults: {},
				response: { clientDataJSON: 'AAAA', authenticatorData: 'AAAA', signature: 'AAAA' }
			}
		};
		for (let i = 0; i < 10; i++) {
			const answer = await fetch(`${freshServer.url}/api/submissions`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Origin: freshServer.url, Cookie: cookie },
				body: JSON.stringify({ ...forged, idempotencyKey: `flood-${i}-abcdefgh` })
			});
			expect(answer.status).toBe(422);
			expect((await answer.json()).error.code).toBe('MANIFEST_INVALID');
		}
		const db = new SQLite(join(freshServer.dataDir, 'sealpass.db'), { readonly: true });
		const rows = (table: string) =>
			(db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
		expect(rows('submission_events')).toBe(0);
		expect(rows('review_items')).toBe(0);
		expect(rows("audit_log WHERE kind = 'submission.refused'")).toBe(0);
		expect(db.prepare('SELECT code, count FROM refusal_counts').all()).toEqual([
			{ code: 'MANIFEST_INVALID', count: 10 }
		]);
		db.close();

		// The admin sees the count beside the review list.
		const [name, value] = cookie.split('=') as [string, string];
		await page.context().addCookies([{ name, value, url: freshServer.url }]);
		await page.goto(`${freshServer.url}/admin/submissions`);
		const counted = page.getByTestId('review-preauth');
		await expect(counted).toBeVisible();
		await expect(counted.getByRole('listitem')).toHaveCount(1);
		await expect(counted.getByRole('listitem')).toContainText('MANIFEST_INVALID');
		await expect(counted.getByRole('listitem')).toContainText(/10/);
	});

	test('viewing an envelope again in the same session records one view', async ({
		freshServer
	}) => {
		const { cookie } = await adminCookie(freshServer);
		const get = (path: string) =>
			fetch(`${freshServer.url}${path}`, { headers: { Cookie: cookie } }).then(async (r) => {
				expect(r.status, path).toBe(200);
				return r.json();
			});
		const { items } = await get('/api/inbox');
		const id = items[0].id as string;
		for (let i = 0; i < 5; i++) await get(`/api/envelopes/${id}`);
		const { entries } = await get(`/api/admin/audit?subject=${id}`);
		const views = entries.filter((e: { kind: string }) => e.kind === 'envelope.viewed');
		expect(views).toHaveLength(1);
	});
});

test.describe('sessions and settings', () => {
	test('under an https ORIGIN the session cookie is __Host- prefixed, Secure and Path=/', async () => {
		// As behind a TLS-terminating proxy: ORIGIN is https, the server itself speaks http.
		const port = await freePort();
		const origin = 'https://sealpass.example';
		const server = await startServer({ ORIGIN: origin, PORT: String(port) });
		const direct = { ...server, url: `http://127.0.0.1:${port}` };
		try {
			const { cookie, setCookie } = await adminCookie(direct, origin);
			expect(cookie).toMatch(/^__Host-sp_session=/);
			expect(setCookie).toMatch(/; Secure/i);
			expect(setCookie).toMatch(/; Path=\//i);
			expect(setCookie).not.toMatch(/Domain=/i);
			const session = await fetch(`${direct.url}/api/session`, { headers: { Cookie: cookie } });
			expect((await session.json()).user?.role).toBe('admin');
			// The unprefixed name is not read under https: a planted plain cookie opens nothing.
			const planted = cookie.replace('__Host-sp_session', 'sp_session');
			const other = await fetch(`${direct.url}/api/session`, { headers: { Cookie: planted } });
			expect((await other.json()).user).toBeNull();
		} finally {
			await server.stop();
		}
	});

	test('smtp:// with a password to another host is refused at start with a clear message', async () => {
		const dataDir = mkdtempSync(join(tmpdir(), 'sealpass-smtp-'));
		const run = await runStartExpectingFailure({
			PORT: '0',
			DATA_DIR: dataDir,
			// The build under test is the one the other tests run; never rebuild here.
			SEALPASS_SKIP_BUILD: '1',
			SMTP_URL: 'smtp://mailer:secret@mail.example.com:587'
		});
		rmSync(dataDir, { recursive: true, force: true });
		expect(run.code).not.toBe(0);
		expect(run.output).toContain('SMTP_URL would send the mail password to mail.example.com');
		expect(run.output).not.toContain('secret');
	});
});
