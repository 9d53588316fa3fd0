import { describe, expect, it } from 'vitest';
import { navLinksFor, session } from './session.svelte';

const links = [
	{ href: '/inbox', label: 'Inbox', icon: '✍' },
	{ href: '/admin', label: 'Admin', icon: '⚙', admin: true },
	{ href: '/admin/seals', label: 'Seal admin', icon: '⚙', sealKeeper: true },
	{ href: '/verify', label: 'Verify', icon: '✓' }
];
const hrefs = (role: 'admin' | 'signer' | null, sealKeeper = false) =>
	navLinksFor(role, links, sealKeeper).map((l) => l.href);

describe('navLinksFor', () => {
	it('offers a signer no admin area, an admin and a visitor not yet known everything', () => {
		expect(hrefs('signer')).toEqual(['/inbox', '/verify']);
		expect(hrefs('admin')).toEqual(['/inbox', '/admin', '/verify']);
		expect(hrefs(null)).toEqual(['/inbox', '/admin', '/verify']);
	});

	it('MB1: offers a seal keeper the seal pages, and nothing else of the admin area', () => {
		expect(hrefs('signer', true)).toEqual(['/inbox', '/admin/seals', '/verify']);
	});
});

describe('session.refresh', () => {
	it('learns who is signed in, and keeps it when the server cannot be reached', async () => {
		const user = { id: 'u1', name: '李四', role: 'signer' as const, sealKeeper: false };
		await session.refresh((async () => Response.json({ user })) as unknown as typeof fetch);
		expect(session.user).toEqual(user);
		await session.refresh((async () => {
			throw new TypeError('Failed to fetch');
		}) as unknown as typeof fetch);
		expect(session.user).toEqual(user);
		await session.refresh((async () => Response.json({ user: null })) as unknown as typeof fetch);
		expect(session.user).toBeNull();
	});
});
