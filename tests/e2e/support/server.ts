import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningServer {
	url: string;
	dataDir: string;
	/** The one-time admin link printed at start, when one was printed. */
	setupLink: string | null;
	output: () => string;
	stop: () => Promise<void>;
}

/**
 * Starts the real production server (`npm start`'s script) on a free port with its own
 * temporary DATA_DIR, and resolves once it prints that it is ready. Every test run, and every
 * test that needs a pristine database, gets its own instance.
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
	const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'sealpass-e2e-'));
	const child = spawn(process.execPath, ['scripts/start.mjs'], {
		cwd: process.cwd(),
		env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ORIGIN: '', DATA_DIR: dataDir, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	const url = await new Promise<string>((resolve, reject) => {
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			const ready = /ready at (http:\/\/\S+)/.exec(output);
			if (ready) resolve(ready[1]!);
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.once('exit', (code) =>
			reject(new Error(`server exited with ${code} before it was ready:\n${output}`))
		);
	});
	const setupLink = /setup link \(works once\): (\S+)/.exec(output)?.[1] ?? null;
	return {
		url,
		dataDir,
		setupLink,
		output: () => output,
		stop: () =>
			stopChild(child, () => env.DATA_DIR || rmSync(dataDir, { recursive: true, force: true }))
	};
}

function stopChild(child: ChildProcess, cleanup: () => unknown): Promise<void> {
	return new Promise((resolve) => {
		if (child.exitCode !== null) {
			cleanup();
			return resolve();
		}
		child.once('exit', () => {
			cleanup();
			resolve();
		});
		child.kill('SIGTERM');
	});
}

/** Runs the start script expecting it to fail; resolves with its exit code and output. */
export function runStartExpectingFailure(
	env: Record<string, string>
): Promise<{ code: number | null; output: string }> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['scripts/start.mjs'], {
			cwd: process.cwd(),
			env: { ...process.env, HOST: '127.0.0.1', ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let output = '';
		child.stdout!.on('data', (c) => (output += c));
		child.stderr!.on('data', (c) => (output += c));
		const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
		child.once('exit', (code) => {
			clearTimeout(timer);
			resolve({ code, output });
		});
	});
}
