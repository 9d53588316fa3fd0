/**
 * The modulepreload links of the prerendered shell (`/`, which the service worker answers every
 * navigation with, a contract's page included). They are written into the shell held (inert),
 * and the contract boot script releases them at once unless it is drawing a contract's page 1
 * before the app (contract-boot.ts): then the app's modules are read only once that page is on
 * screen, not compiled beside pdf.js's worker. The server's own pages do the same through the
 * route's preload option (hooks.server.ts). A shell whose links are never released still works:
 * the app's imports load the same modules, one level at a time.
 */

/** What a held link carries instead of rel="modulepreload". */
const HELD = 'data-held-modulepreload';

/** The shell's HTML with its JS modulepreload links held (run on prerendered pages). */
export function holdScriptPreloads(html: string): string {
	return html.replace(/(<link\b[^>]*?)\brel="modulepreload"/g, `$1${HELD}`);
}

/**
 * Makes the held links modulepreloads again, once the parser has read them all (they follow the
 * boot script in the shell's head).
 */
export function releaseScriptPreloads(doc: Document): void {
	const release = () => {
		for (const link of doc.querySelectorAll<HTMLLinkElement>(`link[${HELD}]`)) {
			link.removeAttribute(HELD);
			link.rel = 'modulepreload';
		}
	};
	if (doc.readyState === 'loading')
		doc.addEventListener('DOMContentLoaded', release, { once: true });
	else release();
}
