import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { importCycles, runtimeImportGraph } from './import-cycles.mjs';

describe('import cycles', () => {
	it('finds a cycle, however long, and nothing in a graph without one', () => {
		const chain = new Map([
			['a.ts', ['b.ts']],
			['b.ts', ['c.ts', 'd.ts']],
			['c.ts', ['a.ts']],
			['d.ts', []]
		]);
		expect(importCycles(chain)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
		chain.set('c.ts', []);
		expect(importCycles(chain)).toEqual([]);
	});

	it('src/ has none among the imports that run (type-only and dynamic imports aside)', () => {
		const graph = runtimeImportGraph(resolve('src'));
		// The scan reads the tree: the view's page imports its page drawing, a store its schema.
		expect(graph.get('routes/inbox/[id]/+page.svelte')).toContain(
			'lib/client/device/page-drawing.svelte.ts'
		);
		expect(graph.get('lib/client/device/downloads.ts')).toContain('lib/client/device/db.ts');
		expect([...graph.values()].flat().length).toBeGreaterThan(1000);
		expect(importCycles(graph)).toEqual([]);
	});
});
