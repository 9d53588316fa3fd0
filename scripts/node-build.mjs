// Keeps build/node — the Node bundles of vite.node.config.ts: the PDF inspection worker and the
// CLI — at least as new as their sources. Used by bin/sealpass.mjs before it starts the CLI and
// by the vitest global setup before the tests start worker threads (src/lib/server/pdf/pdf-inspect.ts
// explains why these bundles exist at all).
//
// Several processes may do this at once (parallel CLI runs, a test run next to a CLI run), and a
// running process may be loading the bundle while another rebuilds it. So each build goes to its
// own temporary directory and is moved into place file by file with rename(2), which is atomic:
// chunks first, then the worker, then the CLI entry, so no reader ever sees a half-written file
// or an entry whose chunk is not there yet. `npm run build:node` is the plain, non-atomic build.
import { spawn } from 'node:child_process';
import {
	existsSync,
	mkdirSync,
	readdirSync,
	renameSync,
	rmSync,
	statSync,
	utimesSync
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const NODE_BUILD_DIR = join(root, 'build', 'node');
export const CLI_BUNDLE = join(NODE_BUILD_DIR, 'cli.mjs');

/** Entry files in the order they are installed; the same names as in vite.node.config.ts. */
const ENTRIES = ['pdf-worker.mjs', 'cli.mjs'];
/** What the bundles are built from (tests excluded: editing one must not force a rebuild). */
const SOURCES = [
	'src/lib/server',
	'src/lib/pdf',
	'src/lib/domain',
	// The benchmark bundle: its entry and the fixtures it imports.
	'bench/render-bench.ts',
	'bench/review-bench.ts',
	'bench/libpdf-bench.ts',
	'bench/finalise-bench.ts',
	'bench/blobs-bench.ts',
	'tests/support',
	'vite.node.config.ts',
	'scripts/node-build.mjs',
	'package.json'
];

/** @param {string} path @returns {number} */
function newestMtime(path) {
	if (!existsSync(path)) return 0;
	const info = statSync(path);
	if (!info.isDirectory()) return path.endsWith('.test.ts') ? 0 : info.mtimeMs;
	let newest = 0;
	for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
	return newest;
}

/**
 * Whether every entry bundle exists and is newer than every source.
 * @returns {boolean}
 */
export function nodeBuildIsFresh() {
	const built = ENTRIES.map((name) => join(NODE_BUILD_DIR, name));
	if (!built.every((file) => existsSync(file))) return false;
	const bundleTime = Math.min(...built.map((file) => statSync(file).mtimeMs));
	return Math.max(...SOURCES.map((source) => newestMtime(join(root, source)))) <= bundleTime;
}

/**
 * Builds build/node when it is missing or stale; resolves to whether it built. Vite is imported
 * only then, so a fresh bundle starts the CLI without loading the bundler.
 * @param {{ log?: (message: string) => void }} [options]
 * @returns {Promise<boolean>}
 */
export async function ensureNodeBuild({ log = (message) => console.error(message) } = {}) {
	if (nodeBuildIsFresh()) return false;
	log('SealPass: building the Node bundles (build/node)…');
	// Sources edited while the build runs must leave the result stale: stamp it with this time.
	const started = new Date();
	const temp = join(NODE_BUILD_DIR, `.tmp-${process.pid}-${Date.now()}`);
	try {
		const { build } = await import('vite');
		await build({
			root,
			configFile: join(root, 'vite.node.config.ts'),
			// Warnings and errors only, on stderr: the CLI's stdout is JSON.
			logLevel: 'warn',
			build: { outDir: temp, emptyOutDir: true }
		});
		install(temp, started);
	} finally {
		rmSync(temp, { recursive: true, force: true });
	}
	return true;
}

/**
 * The same, with Vite running in a child process: for the vitest global setup and test files,
 * so the bundler's threads and file handles never live in a test process and cannot keep it
 * from exiting. Resolves to whether it built.
 * @returns {Promise<boolean>}
 */
export async function ensureNodeBuildInChild() {
	if (nodeBuildIsFresh()) return false;
	const status = await new Promise((resolve, reject) => {
		spawn(process.execPath, [fileURLToPath(import.meta.url)], { stdio: 'inherit' })
			.once('error', reject)
			.once('exit', (code) => resolve(code));
	});
	if (status !== 0) throw new Error(`building build/node failed (exit status ${status})`);
	return true;
}

/**
 * Moves a finished build from `temp` into build/node: everything but the entries first.
 * @param {string} temp
 * @param {Date} started
 */
function install(temp, started) {
	/** @type {string[]} */
	const files = [];
	/** @param {string} dir */
	const walk = (dir) => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const path = join(dir, entry.name);
			if (entry.isDirectory()) walk(path);
			else files.push(relative(temp, path));
		}
	};
	walk(temp);
	const rank = (/** @type {string} */ file) => ENTRIES.indexOf(file);
	files.sort((a, b) => rank(a) - rank(b));
	for (const file of files) {
		const target = join(NODE_BUILD_DIR, file);
		mkdirSync(dirname(target), { recursive: true });
		if (ENTRIES.includes(file)) utimesSync(join(temp, file), started, started);
		renameSync(join(temp, file), target);
	}
}

// `node scripts/node-build.mjs`: what ensureNodeBuildInChild runs.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	await ensureNodeBuild();
}
