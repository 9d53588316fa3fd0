import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
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
