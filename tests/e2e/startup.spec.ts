import { get } from 'node:http';
import { writeFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './support/fixtures';
import { runStartExpectingFailure, startServer } from '../../scripts/server-process.mjs';

test('a database that cannot be opened stops start-up with a message naming its path', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-bad-'));
	try {
		const dbPath = join(dir, 'broken.db');
		writeFileSync(dbPath, 'not a database '.repeat(200));
		const { code, output } = await runStartExpectingFailure({
			PORT: '0',
			DATA_DIR: dir,
			DATABASE_URL: `sqlite:${dbPath}`
		});
		expect(code).toBe(1);
		expect(output).toContain(`Cannot open the database at ${dbPath}`);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('a second start on a port in use says so and exits', async ({ baseURL }) => {
	const port = new URL(baseURL!).port;
	const { code, output } = await runStartExpectingFailure({ PORT: port });
	expect(code).toBe(1);
	expect(output).toContain(`port ${port} is already in use`);
});

/** The Keep-Alive header the server answers a kept-alive request with (Node sets it). */
function keepAliveHeader(url: string): Promise<string | undefined> {
	return new Promise((resolve, reject) => {
		get(`${url}/api/health`, { headers: { Connection: 'keep-alive' } }, (response) => {
			response.resume();
			resolve(response.headers['keep-alive']?.toString());
		}).on('error', reject);
	});
}

test('an idle connection is kept open longer than a proxy keeps its own (65 s); KEEP_ALIVE_TIMEOUT sets it, a wrong value stops start-up', async ({
	baseURL
}) => {
	expect(await keepAliveHeader(baseURL!)).toBe('timeout=65');
	const wrong = await runStartExpectingFailure({ PORT: '0', KEEP_ALIVE_TIMEOUT: 'soon' });
	expect(wrong.code).toBe(1);
	expect(wrong.output).toContain('KEEP_ALIVE_TIMEOUT must be a number of seconds, not soon');
	const set = await startServer({ KEEP_ALIVE_TIMEOUT: '120' });
	try {
		expect(await keepAliveHeader(set.url)).toBe('timeout=120');
	} finally {
		await set.stop();
	}
});

test('a restart keeps the data and prints a new setup link while no admin has used one', async () => {
	const dataDir = mkdtempSync(join(tmpdir(), 'sealpass-restart-'));
	try {
		const first = await startServer({ DATA_DIR: dataDir });
		await first.stop();
		const second = await startServer({ DATA_DIR: dataDir });
		expect(second.output()).not.toContain('demo data seeded');
		expect(second.setupLink).not.toBeNull();
		expect(second.setupLink).not.toBe(first.setupLink);
		const health = await (await fetch(`${second.url}/api/health`)).json();
		expect(health.status).toBe('ok');
		await second.stop();
	} finally {
		rmSync(dataDir, { recursive: true, force: true });
	}
});

test('a corrupt or lost secrets file stops start-up with a message naming it; the keys file is 0600 beside the data', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-keys-'));
	const dataDir = join(dir, 'data');
	const secrets = join(dir, 'data.secrets.json');
	try {
		const server = await startServer({ DATA_DIR: dataDir });
		await server.stop();
		expect(statSync(secrets).mode & 0o777).toBe(0o600);
		const good = readFileSync(secrets, 'utf8');

		writeFileSync(secrets, good.slice(0, 30));
		const corrupt = await runStartExpectingFailure({ PORT: '0', DATA_DIR: dataDir });
		expect(corrupt.code).toBe(1);
		expect(corrupt.output).toContain(`The secrets file ${secrets} is corrupt (not JSON)`);

		rmSync(secrets);
		const lost = await runStartExpectingFailure({ PORT: '0', DATA_DIR: dataDir });
		expect(lost.code).toBe(1);
		expect(lost.output).toContain(
			`The secrets file ${secrets} is missing, but this database was keyed with it`
		);

		writeFileSync(secrets, good, { mode: 0o600 });
		const again = await startServer({ DATA_DIR: dataDir });
		await again.stop();
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('the first start makes the platform signing identity in the data folder (0600), a restart reuses it, half of it stops start-up', async () => {
	const dataDir = mkdtempSync(join(tmpdir(), 'sealpass-signing-'));
	const signing = join(dataDir, 'signing');
	try {
		const first = await startServer({ DATA_DIR: dataDir });
		await first.stop();
		expect(first.output()).toContain(`new signing identity (local CA) written to ${signing}`);
		expect(statSync(signing).mode & 0o777).toBe(0o700);
		expect(statSync(join(signing, 'key.pem')).mode & 0o777).toBe(0o600);
		const cert = readFileSync(join(signing, 'cert.pem'), 'utf8');

		const second = await startServer({ DATA_DIR: dataDir });
		await second.stop();
		expect(second.output()).not.toContain('new signing identity');
		expect(readFileSync(join(signing, 'cert.pem'), 'utf8')).toBe(cert);

		rmSync(join(signing, 'key.pem'));
		const half = await runStartExpectingFailure({ PORT: '0', DATA_DIR: dataDir });
		expect(half.code).toBe(1);
		expect(half.output).toContain(
			`The signing folder ${signing} has ca.pem, cert.pem but not key.pem`
		);
	} finally {
		rmSync(dataDir, { recursive: true, force: true });
	}
});
