// The one set of security headers every answer carries. Two servers send answers: SvelteKit's
// hook (hooks.server.ts) for API answers and dynamic pages, and the static file server in front
// of it (scripts/start.mjs) for files, among them the prerendered `/` shell that the service
// worker answers every navigation with. Both read this file, so the shell cannot drift from the
// pages it stands in for.

/**
 * Content-Security-Policy directives (SvelteKit `kit.csp`, svelte.config.js). Strict: hashes for
 * the shell's inline script, no 'unsafe-eval' anywhere (pdf.js runs with isEvalSupported:
 * false). Inline style attributes are allowed because Svelte's shell markup uses them.
 * @type {NonNullable<NonNullable<import('@sveltejs/kit').KitConfig['csp']>['directives']>}
 */
export const CSP_DIRECTIVES = {
	'default-src': ['self'],
	'script-src': ['self', 'wasm-unsafe-eval'],
	'style-src': ['self', 'unsafe-inline'],
	'img-src': ['self', 'data:', 'blob:'],
	'font-src': ['self', 'data:'],
	'connect-src': ['self'],
	'worker-src': ['self', 'blob:'],
	'manifest-src': ['self'],
	'object-src': ['none'],
	'base-uri': ['self'],
	'form-action': ['self'],
	'frame-ancestors': ['none']
};

/** Headers besides the CSP, on every answer. */
export const SECURITY_HEADERS = {
	'X-Content-Type-Options': 'nosniff',
	// Setup links carry a secret in the path: never leak it to another site via Referer.
	'Referrer-Policy': 'no-referrer',
	'Permissions-Policy': 'camera=(self), geolocation=(), microphone=()'
};

const KEYWORDS = new Set(['self', 'none', 'unsafe-inline', 'unsafe-eval', 'wasm-unsafe-eval']);

/**
 * The CSP header for a prerendered page from the policy SvelteKit wrote into its `<meta>` (which
 * holds the hashes of its inline script). A `<meta>` policy cannot carry frame-ancestors, so it
 * is added here from the directives above; without it the shell could be framed (clickjacking).
 * @param {string} html the prerendered page
 * @returns {string | null} null when the page has no CSP meta (then it must not be served)
 */
export function prerenderedCsp(html) {
	const meta = /<meta http-equiv="content-security-policy" content="([^"]*)"/i.exec(html);
	if (!meta?.[1]) return null;
	const frame = (CSP_DIRECTIVES['frame-ancestors'] ?? [])
		.map((/** @type {string} */ source) => (KEYWORDS.has(source) ? `'${source}'` : source))
		.join(' ');
	return `${meta[1].replace(/;\s*$/, '')}; frame-ancestors ${frame}`;
}
