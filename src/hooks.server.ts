import type { Handle, RequestEvent, ServerInit } from '@sveltejs/kit';
import { building } from '$app/environment';
import { env } from '$env/dynamic/private';
import { startApp, getApp } from '$lib/server/platform/app';
import { sessionFor, sessionCookieName } from '$lib/server/auth/sessions';
import { apiError, sameOrigin } from '$lib/server/platform/http';
import { bodyLimit, capBody, type BodyCap } from '$lib/server/platform/body-limits';
import { version } from '../package.json';
import { SECURITY_HEADERS } from '../scripts/security-headers.mjs';
import { contractBootUrl } from 'virtual:sealpass/contract-boot-url';
import { holdScriptPreloads } from '$lib/client/device/shell-preloads';

export const init: ServerInit = async () => {
	if (building) return;
	await startApp(env, version);
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Where app.html names the contract boot script: this build's own, content-named file. */
const CONTRACT_BOOT_SLOT = '%sealpass.contractBoot%';

/**
 * Every page names its own build's boot script, so a page and the pdf.js files its boot script
 * opens always come from the same release (also in the prerendered shell the service worker
 * answers offline with).
 */
const resolveOptions = {
	transformPageChunk: ({ html }: { html: string }) => {
		const page = html.replaceAll(CONTRACT_BOOT_SLOT, contractBootUrl);
		// A prerendered page is the shell the service worker answers every navigation with, a
		// contract's page included: its module preloads wait for the boot script's word.
		return building ? holdScriptPreloads(page) : page;
	}
};

/**
 * A contract's page preloads no JavaScript of the app: its boot script draws page 1 while the
 * app's start waits (hooks.client.ts), and modules preloaded meanwhile would be read and compiled
 * beside pdf.js's worker on the device's second core, which held page 1 back by about a third
 * (docs/perf.md). The app's modules are read once page 1 is on screen. (The prerendered shell
 * holds its preloads for the boot script to release instead: shell-preloads.ts.)
 */
const contractResolveOptions = {
	...resolveOptions,
	preload: ({ type }: { type: 'font' | 'css' | 'js' | 'asset' }) => type !== 'js'
};

function resolveOptionsFor(event: RequestEvent) {
	return event.route.id === '/inbox/[id]' ? contractResolveOptions : resolveOptions;
}

/**
 * 413 for a body over its route's cap. The connection is closed with the answer: the rest of
 * the body is never read, and a kept-alive connection would have to read it to find the next
 * request.
 */
function bodyTooLarge(cap: BodyCap): Response {
	return apiError(cap.code, `This request may carry at most ${cap.bytes} bytes`, {
		Connection: 'close'
	});
}

async function answer(
	event: RequestEvent,
	resolve: Parameters<Handle>[0]['resolve']
): Promise<Response> {
	const { url, request } = event;
	const isApi = url.pathname.startsWith('/api/');
	event.locals.user = null;
	event.locals.credentialId = null;
	event.locals.session = null;
	if (building) return resolve(event, resolveOptionsFor(event));

	// Before anything reads the body, and before the session lookup: an oversized body from a
	// visitor who is not signed in costs the server nothing but this check.
	// Also without a Content-Type, whose body SvelteKit ignores but Node would still read.
	const cap = bodyLimit(event.route.id);
	const capped = capBody(request, cap.bytes);
	if (capped.verdict === 'too-large') return bodyTooLarge(cap);
	event.request = capped.request;

	if (isApi) {
		if (!SAFE_METHODS.has(request.method) && !sameOrigin(request, url.origin)) {
			return apiError('ORIGIN_MISMATCH', 'Cross-origin request refused');
		}
		const app = getApp();
		const session = await sessionFor(
			app.database.db,
			event.cookies.get(sessionCookieName(url)),
			app.clock,
			app.config.sessionIdleMs
		);
		event.locals.user = session?.user ?? null;
		event.locals.credentialId = session?.credentialId ?? null;
		event.locals.session = session;
	}

	const response = await resolve(event, resolveOptionsFor(event));
	// The route read past the cap and answered whatever it makes of a cut body: say what happened.
	return capped.exceeded() ? bodyTooLarge(cap) : response;
}

export const handle: Handle = async ({ event, resolve }) => {
	const response = await answer(event, resolve);
	const isApi = event.url.pathname.startsWith('/api/');
	for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
	// app.html's boot script first (vite.config.ts): behind the other preloads it, and a
	// contract's pdf.js worker with it, started later.
	if (response.headers.get('Content-Type')?.startsWith('text/html')) {
		const link = response.headers.get('Link');
		const boot = `<${contractBootUrl}>; rel="preload"; as="script"; fetchpriority="high"; nopush`;
		response.headers.set('Link', link ? `${boot}, ${link}` : boot);
	}
	// API answers are per-user and current; only content-addressed public files (the CJK font)
	// declare themselves immutable, and keep that so devices fetch them once.
	if (isApi && !response.headers.get('Cache-Control')?.includes('immutable')) {
		response.headers.set('Cache-Control', 'no-store');
	}
	return response;
};
