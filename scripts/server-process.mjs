// Starts the production server (`npm start`'s script) as a child process on a free port with
// its own temporary DATA_DIR. Shared by the end-to-end tests and the benchmarks, so both
// measure exactly what a user runs.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @typedef {object} RunningServer
 * @property {string} url the public origin (ORIGIN) the server printed
 * @property {string} localUrl where this process itself listens (differs from url when ORIGIN names a balancer)
 * @property {number} pid the server's process id (its memory figures are in /proc/<pid>/status)
 * @property {string} dataDir
 * @property {string | null} setupLink the one-time admin link printed at start, if any
 * @property {() => string} output everything the server printed so far
 * @property {() => Promise<void>} stop SIGTERM, then remove the data folder unless it was given
 * @property {() => Promise<void>} kill SIGKILL, as a crash or power loss would; keeps the data folder
 */

/**
 * Resolves once the server prints that it is ready; rejects with its output if it exits first.
 * @param {Record<string, string>} [env]
 * @returns {Promise<RunningServer>}
 */
export async function startServer(env = {}) {
	const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'sealpass-run-'));
	const child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], {
		cwd: root,
		env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ORIGIN: '', DATA_DIR: dataDir, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	/** @type {string} */
	const url = await new Promise((resolve, reject) => {
		/** @param {Buffer} chunk */
		const onData = (chunk) => {
			output += chunk.toString();
			// The printed address is ORIGIN's, which a test may set to an https origin a proxy would
			// serve; such a test speaks plain http to PORT itself.
			const ready = /ready at (https?:\/\/\S+)/.exec(output);
			if (ready?.[1]) resolve(ready[1]);
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.once('exit', (code) =>
			reject(new Error(`server exited with ${code} before it was ready:\n${output}`))
		);
	});
	const ownsDataDir = env.DATA_DIR === undefined;
	const port = /ready at \S+ \(port (\d+)\)/.exec(output)?.[1];
	return {
		url,
		localUrl: port ? `http://127.0.0.1:${port}` : url,
		pid: /** @type {number} */ (child.pid),
		dataDir,
		setupLink: /setup link \(works once\): (\S+)/.exec(output)?.[1] ?? null,
		output: () => output,
		kill: () =>
			new Promise((resolve) => {
				if (child.exitCode !== null || child.signalCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGKILL');
			}),
		stop: () =>
			new Promise((resolve) => {
				const done = () => {
					if (ownsDataDir) {
						rmSync(dataDir, { recursive: true, force: true });
						// The server keys' default file sits beside the data folder (SECRETS_FILE).
						if (!env.SECRETS_FILE) rmSync(`${dataDir}.secrets.json`, { force: true });
					}
					resolve();
				};
				if (child.exitCode !== null || child.signalCode !== null) return done();
				child.once('exit', done);
				child.kill('SIGTERM');
			})
	};
}

/**
 * Runs the start script expecting it to fail; resolves with its exit code and output.
 * @param {Record<string, string>} env
 * @returns {Promise<{ code: number | null; output: string }>}
 */
export function runStartExpectingFailure(env) {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], {
			cwd: root,
			env: { ...process.env, HOST: '127.0.0.1', ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let output = '';
		child.stdout.on('data', (c) => (output += c));
		child.stderr.on('data', (c) => (output += c));
		const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
		child.once('exit', (code) => {
			clearTimeout(timer);
			resolve({ code, output });
		});
	});
}
