import type { Handle, ServerInit } from '@sveltejs/kit';
import { building } from '$app/environment';
import { env } from '$env/dynamic/private';
import { startApp, getApp } from '$lib/server/app';
import { sessionFor, SESSION_COOKIE } from '$lib/server/sessions';
import { apiError, sameOrigin } from '$lib/server/http';
import { version } from '../package.json';

export const init: ServerInit = async () => {
	if (building) return;
	await startApp(env, version);
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const handle: Handle = async ({ event, resolve }) => {
	const { url, request } = event;
	const isApi = url.pathname.startsWith('/api/');
	event.locals.user = null;
	event.locals.credentialId = null;

	if (isApi && !building) {
		if (!SAFE_METHODS.has(request.method) && !sameOrigin(request, url.origin)) {
			return apiError('ORIGIN_MISMATCH', 'Cross-origin request refused');
		}
		const app = getApp();
		const session = await sessionFor(app.database.db, event.cookies.get(SESSION_COOKIE), app.clock);
		event.locals.user = session?.user ?? null;
		event.locals.credentialId = session?.credentialId ?? null;
	}

	const response = await resolve(event);
	response.headers.set('X-Content-Type-Options', 'nosniff');
	// Setup links carry a secret in the path: never leak it to another site via Referer.
	response.headers.set('Referrer-Policy', 'no-referrer');
	response.headers.set('Permissions-Policy', 'camera=(self), geolocation=(), microphone=()');
	// app.html's /contract-boot.js first (vite.config.ts): behind the other preloads it, and a
	// contract's pdf.js worker with it, started later.
	const link = response.headers.get('Link');
	if (link && response.headers.get('Content-Type')?.startsWith('text/html')) {
		response.headers.set(
			'Link',
			`</contract-boot.js>; rel="preload"; as="script"; fetchpriority="high"; nopush, ${link}`
		);
	}
	// API answers are per-user and current; only content-addressed public files (the CJK font)
	// declare themselves immutable, and keep that so devices fetch them once.
	if (isApi && !response.headers.get('Cache-Control')?.includes('immutable')) {
		response.headers.set('Cache-Control', 'no-store');
	}
	return response;
};
