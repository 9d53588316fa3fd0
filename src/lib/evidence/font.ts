import { sha256Hex } from '$lib/domain/canonical';

/*
 * The font date text was drawn with, as an evidence archive names it. The re-render (EV14) is
 * byte for byte, so it runs only with the very font render() used: the archive names that font
 * by SHA-256 and size and says where to get it (format 2), or carries it (format 1). A verifier
 * brings its own copy and this module decides whether it is that font.
 */

/** The font an archive names; `bytes` only when the archive carries the font (format 1). */
export interface EvidenceFont {
	/** SHA-256 hex of the TrueType file render() embedded glyphs from. */
	sha256: string;
	size: number;
	/** The file's name where it is published, e.g. NotoSansSC_400Regular.ttf. */
	name: string;
	/** Where to get the file, e.g. an npm package path and the platform's URL. */
	sources: string[];
	bytes: Uint8Array | null;
}

/** The font EV14 renders with, or why there is none: no font given, or another font. */
export type FontResolution =
	| { ok: true; font: Uint8Array | null }
	| {
			ok: false;
			reason: 'missing' | 'mismatch';
			expected: Omit<EvidenceFont, 'bytes'>;
			/** The font the verifier has, when it has one. */
			actual: { sha256: string; size: number } | null;
			message: string;
	  };

/** Describes a font file by its bytes, for the packer and for format-1 archives. */
export async function describeFont(
	bytes: Uint8Array,
	name: string,
	sources: string[]
): Promise<EvidenceFont> {
	return { sha256: await sha256Hex(bytes), size: bytes.byteLength, name, sources, bytes: null };
}

/**
 * Picks the font for the re-render: the archive's own copy, else `candidate` (the verifier's
 * installed font or one its user gave) only when it has the named SHA-256. Another font would
 * render other bytes and turn a valid contract into RENDER_MISMATCH, or worse pass with a font
 * the signers' documents never used; so a wrong or missing font is refused, naming the hash.
 */
export async function resolveFont(
	named: EvidenceFont | null,
	candidate: Uint8Array | null
): Promise<FontResolution> {
	if (!named) return { ok: true, font: null };
	if (named.bytes) return { ok: true, font: named.bytes };
	const expected = {
		sha256: named.sha256,
		size: named.size,
		name: named.name,
		sources: named.sources
	};
	const actual = candidate
		? { sha256: await sha256Hex(candidate), size: candidate.byteLength }
		: null;
	if (actual && actual.sha256 === expected.sha256) return { ok: true, font: candidate };
	const wanted = `the font ${expected.name} (SHA-256 ${expected.sha256}, ${expected.size} bytes)`;
	const where = expected.sources.length ? `; it is at ${expected.sources.join(' and ')}` : '';
	return {
		ok: false,
		reason: actual ? 'mismatch' : 'missing',
		expected,
		actual,
		message: actual
			? `The archive's dates were drawn with ${wanted}, but the font given has SHA-256 ${actual.sha256} (${actual.size} bytes)${where}`
			: `The archive's dates were drawn with ${wanted}, and no font was given${where}`
	};
}
