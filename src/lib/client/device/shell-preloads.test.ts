import { describe, expect, it } from 'vitest';
import { holdScriptPreloads, releaseScriptPreloads } from './shell-preloads';

// The head of a prerendered shell as SvelteKit writes it (build/prerendered/index.html).
const SHELL = `<head>
		<script src="/_app/immutable/assets/contract-boot.BsOa-tKw.js"></script>
		<link href="/_app/immutable/entry/start.CFPSqsY9.js" rel="modulepreload">
		<link href="/_app/immutable/chunks/D7s-4W42.js" rel="modulepreload">
		<link href="/_app/immutable/assets/0.-dHzl8uS.css" rel="stylesheet">
		<link rel="manifest" href="/manifest.webmanifest" />
	</head>`;

describe('the shell’s module preloads', () => {
	it('are held in the prerendered shell, and nothing else is touched', () => {
		const held = holdScriptPreloads(SHELL);
		expect(held).not.toContain('rel="modulepreload"');
		expect(held.match(/data-held-modulepreload/g)).toHaveLength(2);
		expect(held).toContain(
			'<link href="/_app/immutable/entry/start.CFPSqsY9.js" data-held-modulepreload>'
		);
		expect(held).toContain('<link href="/_app/immutable/assets/0.-dHzl8uS.css" rel="stylesheet">');
		expect(held).toContain('<link rel="manifest" href="/manifest.webmanifest" />');
		expect(holdScriptPreloads(held)).toBe(held);
	});

	it('are released once the parser has read them, or at once after it', () => {
		const links = [0, 1].map(() => {
			const attributes = new Set(['data-held-modulepreload']);
			return { rel: '', attributes, removeAttribute: (name: string) => attributes.delete(name) };
		});
		let ready: (() => void) | null = null;
		const loading = {
			readyState: 'loading',
			querySelectorAll: () => links,
			addEventListener: (_type: string, listener: () => void) => (ready = listener)
		} as unknown as Document;
		releaseScriptPreloads(loading);
		expect(links.map((l) => l.rel)).toEqual(['', '']);
		ready!();
		expect(links.map((l) => l.rel)).toEqual(['modulepreload', 'modulepreload']);
		expect(links.every((l) => l.attributes.size === 0)).toBe(true);

		const late = { rel: '', removeAttribute: () => true };
		releaseScriptPreloads({
			readyState: 'interactive',
			querySelectorAll: () => [late]
		} as unknown as Document);
		expect(late.rel).toBe('modulepreload');
	});
});
