import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, manifestChallenge, manifestHash, sha256Hex, toHex } from './canonical';
import { sampleManifest } from './fixtures';

/** Rebuilds an object with its keys in another order, recursively. */
function shuffleKeys(value: unknown, seed: number): unknown {
	if (Array.isArray(value)) return value.map((v, i) => shuffleKeys(v, seed + i));
	if (value && typeof value === 'object') {
		const entries = Object.entries(value);
		const rotated = entries.map((_, i) => entries[(i + seed) % entries.length]!);
		if (seed % 2) rotated.reverse();
		return Object.fromEntries(rotated.map(([k, v]) => [k, shuffleKeys(v, seed + 1)]));
	}
	return value;
}

const jsonValue = fc.jsonValue({ maxDepth: 4 }).filter((v) => v !== null && typeof v === 'object');

describe('canonical manifest hash', () => {
	it('M2: is RFC 8785: sorted keys, no whitespace, ES number form, Unicode kept', () => {
		expect(canonicalJson({ b: 1, a: [true, null, 1e21, 0.1], é: '签' })).toBe(
			'{"a":[true,null,1e+21,0.1],"b":1,"é":"签"}'
		);
	});

	it('M2: SHA-256 hex is lower-case and matches a known vector', async () => {
		expect(await sha256Hex('abc')).toBe(
			'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
		);
	});

	it('M4: key order and whitespace never change the hash (property)', async () => {
		await fc.assert(
			fc.asyncProperty(jsonValue, fc.nat(50), async (value, seed) => {
				const respelled = JSON.parse(JSON.stringify(shuffleKeys(value, seed), null, seed % 4));
				expect(canonicalJson(respelled)).toBe(canonicalJson(value));
				expect(await sha256Hex(canonicalJson(respelled))).toBe(
					await sha256Hex(canonicalJson(value))
				);
			}),
			{ numRuns: 200 }
		);
	});

	it('M4: changing any single value of a manifest changes its hash (property)', async () => {
		const base = sampleManifest();
		const baseHash = await manifestHash(base);
		const paths: (string | number)[][] = [];
		const collect = (v: unknown, path: (string | number)[]) => {
			if (v && typeof v === 'object') {
				for (const [k, child] of Object.entries(v))
					collect(child, [...path, Array.isArray(v) ? Number(k) : k]);
			} else paths.push(path);
		};
		collect(base, []);
		expect(paths.length).toBeGreaterThan(20);
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(...paths),
				fc.string({ minLength: 1, maxLength: 8 }),
				async (path, noise) => {
					const copy = structuredClone(base) as unknown as Record<string | number, unknown>;
					let node = copy;
					for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
					const last = path.at(-1)!;
					const old = node[last];
					node[last] =
						typeof old === 'number'
							? old + 1
							: typeof old === 'boolean'
								? !old
								: `${String(old)}${noise}`;
					expect(await manifestHash(copy as never)).not.toBe(baseHash);
				}
			),
			{ numRuns: 200 }
		);
	});

	it('M3: the WebAuthn challenge is the raw 32-byte hash of the canonical manifest', async () => {
		const manifest = sampleManifest();
		const challenge = await manifestChallenge(manifest);
		expect(challenge.byteLength).toBe(32);
		expect(toHex(challenge)).toBe(await manifestHash(manifest));
	});
});
