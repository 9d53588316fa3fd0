import * as v from 'valibot';
import type { Manifest } from './manifest';

const id = v.pipe(v.string(), v.minLength(1), v.maxLength(200));
const sha256Hex = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));
const finite = v.pipe(v.number(), v.finite());
const page = v.pipe(v.number(), v.integer(), v.minValue(1));
// Seals and signatures between 5 mm and 100 mm: smaller is illegible, larger is not a seal (R17).
const mm = v.pipe(v.number(), v.finite(), v.minValue(5), v.maxValue(100));
const sizeMm = v.strictObject({ width: mm, height: mm });

const rect = v.strictObject({
	x: finite,
	y: finite,
	width: v.pipe(v.number(), v.finite(), v.minValue(1)),
	height: v.pipe(v.number(), v.finite(), v.minValue(1))
});
const place = { fieldId: id, page, rect };

const fill = v.variant('kind', [
	v.strictObject({ ...place, kind: v.literal('signature'), image: sha256Hex }),
	v.strictObject({ ...place, kind: v.literal('seal'), sealId: id, image: sha256Hex, sizeMm }),
	v.strictObject({
		...place,
		kind: v.literal('date'),
		text: v.pipe(v.string(), v.minLength(1), v.maxLength(40))
	})
]);

const manifestSchema = v.strictObject({
	v: v.literal(1),
	envelopeId: id,
	docHash: sha256Hex,
	revision: v.pipe(v.number(), v.integer(), v.minValue(1)),
	signerId: id,
	credentialId: id,
	ticket: v.strictObject({ id, nonce: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{16,200}$/)) }),
	deviceTime: v.pipe(v.string(), v.isoTimestamp()),
	decision: v.variant('kind', [
		v.strictObject({ kind: v.literal('signed') }),
		v.strictObject({ kind: v.literal('rejected'), reason: v.string() })
	]),
	fills: v.pipe(v.array(fill), v.maxLength(500)),
	seals: v.pipe(
		v.array(
			v.strictObject({
				sealId: id,
				image: sha256Hex,
				page,
				centre: v.strictObject({ x: finite, y: finite }),
				sizeMm
			})
		),
		v.maxLength(100)
	),
	ridingSeams: v.pipe(
		v.array(
			v.strictObject({
				sealId: id,
				image: sha256Hex,
				pages: v.union([
					v.literal('all'),
					v.pipe(v.array(page), v.minLength(2), v.maxLength(5000))
				]),
				edge: v.picklist(['left', 'right']),
				position: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
				sizeMm,
				fieldId: v.optional(id)
			})
		),
		v.maxLength(10)
	)
});

export type ManifestParse =
	{ ok: true; manifest: Manifest } | { ok: false; code: 'MANIFEST_INVALID'; issues: string[] };

/**
 * Checks that untrusted JSON has exactly the manifest's shape (M1). Unknown keys are refused,
 * not dropped: a key the server ignored would still be inside the hash the passkey signed.
 */
export function parseManifest(input: unknown): ManifestParse {
	const result = v.safeParse(manifestSchema, input);
	if (result.success) return { ok: true, manifest: result.output as Manifest };
	return {
		ok: false,
		code: 'MANIFEST_INVALID',
		issues: result.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`)
	};
}
