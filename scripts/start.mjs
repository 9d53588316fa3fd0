#!/usr/bin/env node
// `npm start`: build when the sources are newer than the build, then serve. Owns the port
// itself so "port in use" and "database cannot be opened" end start-up with a plain message
// instead of a stack trace, and so PORT=0 (tests) picks a free port and prints it.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SECURITY_HEADERS, prerenderedCsp } from './security-headers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// SEALPASS_BUILD_DIR serves another copy of the build (tests deploy "a new version" into one).
const buildDir = process.env.SEALPASS_BUILD_DIR || join(root, 'build');
const buildStamp = join(buildDir, 'handler.js');
const SOURCES = [
	'src',
	'static',
	'messages',
	'project.inlang',
	'package.json',
	'svelte.config.js',
	'vite.config.ts'
];
const IGNORED = new Set(['node_modules', 'paraglide', 'generated', '.svelte-kit']);

function newestMtime(path) {
	if (!existsSync(path)) return 0;
	const info = statSync(path);
	if (!info.isDirectory()) return info.mtimeMs;
	let newest = 0;
	for (const entry of readdirSync(path)) {
		if (IGNORED.has(entry)) continue;
		newest = Math.max(newest, newestMtime(join(path, entry)));
	}
	return newest;
}

function fail(message) {
	console.error(`SealPass: ${message}`);
	process.exit(1);
}

const needsBuild =
	!existsSync(buildStamp) ||
	Math.max(...SOURCES.map((s) => newestMtime(join(root, s)))) > statSync(buildStamp).mtimeMs;
if (needsBuild && process.env.SEALPASS_SKIP_BUILD !== '1' && !process.env.SEALPASS_BUILD_DIR) {
	console.log('SealPass: building the app (first start or sources changed)…');
	const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) fail('the build failed; see the output above.');
}

const host = process.env.HOST || '0.0.0.0';
const server = createServer((_req, res) => {
	res.statusCode = 503;
	res.setHeader('Retry-After', '1');
	res.end('SealPass is starting');
});

/*
 * How long an idle kept-alive connection stays open, in seconds (adapter-node's own variable,
 * which its server would read; this process makes the server). Node's 5 s is shorter than a load
 * balancer's or proxy's idle timeout (60 s for nginx and AWS's ALB): the proxy then reuses a
 * connection this server is closing at that moment, and the request fails with a 502 (a test
 * client met the same as ECONNRESET). Longer than theirs, the proxy always closes first.
 */
const keepAliveSeconds = Number(process.env.KEEP_ALIVE_TIMEOUT || 65);
if (!Number.isFinite(keepAliveSeconds) || keepAliveSeconds < 0) {
	fail(`KEEP_ALIVE_TIMEOUT must be a number of seconds, not ${process.env.KEEP_ALIVE_TIMEOUT}`);
}
server.keepAliveTimeout = keepAliveSeconds * 1000;

const port = await new Promise((resolve) => {
	server.once('error', (error) => {
		if (error.code === 'EADDRINUSE') {
			fail(
				`port ${process.env.PORT || 3000} is already in use — is SealPass already running? ` +
					'Stop the other process or start with another port, e.g. PORT=3001 npm start.'
			);
		}
		fail(`cannot listen on ${host}:${process.env.PORT || 3000}: ${error.message}`);
	});
	server.listen(Number(process.env.PORT ?? 3000), host, () => resolve(server.address().port));
});

// adapter-node reads these when the handler is imported; the app prints links with ORIGIN.
process.env.PORT = String(port);
process.env.ORIGIN ||= `http://localhost:${port}`;
// Body sizes are capped per route by the app (src/lib/server/platform/body-limits.ts): small for sign-in
// and forms, large only for uploads. adapter-node's one limit for every route (512 KB by
// default) would be a second, conflicting owner of those numbers, so it is off unless set.
process.env.BODY_SIZE_LIMIT ||= 'Infinity';

let handler;
try {
	({ handler } = await import(pathToFileURL(buildStamp).href));
} catch (error) {
	server.close();
	fail(error instanceof Error ? error.message : String(error));
}

/**
 * The CSP of each prerendered page by its URL path. adapter-node serves these files before
 * SvelteKit's hook runs, so the hook's headers never reach them; the `/` shell is what the
 * service worker shows for every navigation, so it needs the same protection as the pages.
 */
function prerenderedPolicies(dir, prefix = '') {
	/** @type {Map<string, string>} */
	const policies = new Map();
	if (!existsSync(dir)) return policies;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const file = join(dir, entry.name);
		if (entry.isDirectory()) {
			for (const [path, csp] of prerenderedPolicies(file, `${prefix}/${entry.name}`)) {
				policies.set(path, csp);
			}
		} else if (entry.name.endsWith('.html')) {
			const csp = prerenderedCsp(readFileSync(file, 'utf8'));
			if (!csp) fail(`the prerendered page ${file} has no Content-Security-Policy`);
			const page = entry.name === 'index.html' ? prefix : `${prefix}/${entry.name.slice(0, -5)}`;
			policies.set(page || '/', csp);
		}
	}
	return policies;
}
const shellPolicies = prerenderedPolicies(join(buildDir, 'prerendered'));

// A request Node's parser cannot finish (a body cut short of its Content-Length when the
// connection drops, a malformed head) otherwise gets a bare 400 with no body: answer with the
// API's error shape so a client or proxy log shows a stable code. Nothing reached the app.
server.on('clientError', (error, socket) => {
	if (error.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
	const [status, code] =
		error.code === 'HPE_HEADER_OVERFLOW'
			? ['431 Request Header Fields Too Large', 'PAYLOAD_TOO_LARGE']
			: error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
				? ['408 Request Timeout', 'BAD_REQUEST']
				: ['400 Bad Request', 'BAD_REQUEST'];
	const body = JSON.stringify({ error: { code, message: 'The request was cut off or malformed' } });
	socket.end(
		`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\n` +
			`Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
	);
});
server.removeAllListeners('request');
server.on('request', (req, res) => {
	// Set before the handler: static files keep them, SvelteKit's answers set their own values.
	for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
	const csp = shellPolicies.get((req.url ?? '/').split('?')[0] ?? '/');
	if (csp) res.setHeader('Content-Security-Policy', csp);
	handler(req, res, () => {
		res.statusCode = 404;
		res.end('Not found');
	});
});
// The port too: behind a load balancer ORIGIN names the balancer, not this process, and a test
// starting several servers with PORT=0 learns each one's port here.
console.log(`SealPass: ready at ${process.env.ORIGIN} (port ${port})`);

for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => {
		server.close(() => process.exit(0));
		server.closeAllConnections();
	});
}
