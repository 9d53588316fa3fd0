/**
 * Where to go after signing in, from the `next` query parameter a link carried (a message's
 * contract link opened while signed out). Only a path on this site: anything that could leave it
 * ("//host", "https://…", "/\\host") is ignored, so a crafted link cannot send a fresh session
 * elsewhere.
 */
export function returnPath(next: string | null): string | null {
	if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return null;
	try {
		const url = new URL(next, 'https://sealpass.invalid');
		return url.origin === 'https://sealpass.invalid' ? url.pathname + url.search + url.hash : null;
	} catch {
		return null;
	}
}
