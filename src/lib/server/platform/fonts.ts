import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { describeFont, type EvidenceFont } from '$lib/evidence/font';

const require = createRequire(import.meta.url);

const CJK_PACKAGE = '@expo-google-fonts/noto-sans-sc';
const CJK_FILE = '400Regular/NotoSansSC_400Regular.ttf';

/** Where the font file of this installation is (the npm package's copy). */
export function cjkFontPath(): string {
	return require.resolve(`${CJK_PACKAGE}/${CJK_FILE}`);
}

let loaded: Promise<Uint8Array> | null = null;

/**
 * The OFL Noto Sans SC font shipped by npm: present wherever `npm install` ran. Read once per
 * process: it is a few MB and never changes while the server runs. A failed read is not kept,
 * so the next caller tries again.
 */
export function loadCjkFont(): Promise<Uint8Array> {
	loaded ??= readFile(cjkFontPath()).then(
		(bytes) => new Uint8Array(bytes),
		(error: unknown) => {
			loaded = null;
			throw error;
		}
	);
	return loaded;
}

let described: Promise<EvidenceFont> | null = null;

/**
 * How an evidence archive names this font instead of carrying its 10 MB: SHA-256, size, file
 * name, and where a verifier gets the very same file (the npm package at this version, and the
 * platform's own font endpoint). Hashed once per process.
 */
export function cjkFontReference(origin: string): Promise<EvidenceFont> {
	described ??= loadCjkFont().then((bytes) => {
		const { version } = require(`${CJK_PACKAGE}/package.json`) as { version: string };
		return describeFont(bytes, basename(CJK_FILE), [`npm:${CJK_PACKAGE}@${version}/${CJK_FILE}`]);
	});
	described.catch(() => (described = null));
	return described.then((font) => ({
		...font,
		sources: [...font.sources, new URL('/api/fonts/cjk', origin).href]
	}));
}
