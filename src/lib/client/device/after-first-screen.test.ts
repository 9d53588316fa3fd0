import { describe, expect, it } from 'vitest';
import { AfterFirstScreen } from './after-first-screen.svelte';

// The loader's effects only call load(); these tests call it as they would, with an import that
// finishes or fails on demand.

function importer<T>() {
	const calls: { resolve: (value: T) => void; reject: (error: Error) => void }[] = [];
	const load = () => new Promise<T>((resolve, reject) => calls.push({ resolve, reject }));
	return { load, calls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve));

describe('AfterFirstScreen', () => {
	it('imports the module once, however often it is asked, and holds it once there', async () => {
		const fake = importer<{ tools: string }>();
		const later = new AfterFirstScreen(fake.load, () => false);
		expect(later.state).toBe('waiting');
		later.load();
		later.need();
		expect(fake.calls).toHaveLength(1);
		expect(later.state).toBe('loading');
		// Reached for before it was there: the page says it is on its way.
		expect(later.wanted).toBe(true);
		fake.calls[0]!.resolve({ tools: 'kit' });
		await settle();
		expect(later.state).toBe('ready');
		expect(later.module).toEqual({ tools: 'kit' });
		later.need();
		expect(fake.calls).toHaveLength(1);
	});

	it('says when the import failed, and tries again when asked', async () => {
		const fake = importer<string>();
		const later = new AfterFirstScreen(fake.load, () => false);
		later.load();
		fake.calls[0]!.reject(new Error('offline'));
		await settle();
		expect(later.state).toBe('failed');
		expect(later.module).toBeNull();
		later.load();
		expect(fake.calls).toHaveLength(2);
		fake.calls[1]!.resolve('kit');
		await settle();
		expect(later.state).toBe('ready');
	});
});
