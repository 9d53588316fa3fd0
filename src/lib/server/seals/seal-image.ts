import { createRequire } from 'node:module';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sealSvg, type SealSpec } from '$lib/domain/seal-svg';

const require = createRequire(import.meta.url);

/** Print resolution of seal images: a 42 mm seal becomes 496 × 496 pixels. */
export const SEAL_DPI = 300;

/**
 * The folders of the OFL Noto Sans SC TTFs shipped by npm (regular and bold: sealSvg asks for
 * bold). They are the only fonts the seal rasteriser may use.
 */
export function sealFontDirs(): string[] {
	return ['400Regular/NotoSansSC_400Regular.ttf', '700Bold/NotoSansSC_700Bold.ttf'].map((file) =>
		dirname(require.resolve(`@expo-google-fonts/noto-sans-sc/${file}`))
	);
}

/**
 * A fontconfig configuration that lists only our npm fonts and no system folder. librsvg (inside
 * sharp) finds fonts only through fontconfig; with the system's configuration a machine without
 * CJK fonts draws every character as an empty box, and one with other CJK fonts draws a seal
 * that differs from every other machine's. Pure, so a test can check what it lists.
 */
export function fontconfigXml(fontDirs: readonly string[], cacheDir: string): string {
	const escape = (path: string) =>
		path.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
	return [
		'<?xml version="1.0"?>',
		'<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
		'<fontconfig>',
		...fontDirs.map((dir) => `\t<dir>${escape(dir)}</dir>`),
		`\t<cachedir>${escape(cacheDir)}</cachedir>`,
		'</fontconfig>',
		''
	].join('\n');
}

type Sharp = typeof import('sharp').default;
let loading: Promise<Sharp> | null = null;

/**
 * Loads sharp with FONTCONFIG_FILE pointing at our own configuration. fontconfig reads the
 * variable once, when libvips first lays out text, so it is set before sharp is ever imported;
 * the server imports sharp nowhere else. The file lives in a folder named after the font folders
 * and is replaced atomically, so servers starting side by side (the tests start many) share one
 * font cache and never read a half-written file.
 */
async function loadSharp(): Promise<Sharp> {
	const dirs = sealFontDirs();
	const key = createHash('sha256').update(dirs.join('\n')).digest('hex').slice(0, 16);
	const folder = join(tmpdir(), `sealpass-fontconfig-${key}`);
	await mkdir(folder, { recursive: true });
	const file = join(folder, 'fonts.conf');
	const temp = join(folder, `.fonts.conf-${randomBytes(6).toString('hex')}`);
	await writeFile(temp, fontconfigXml(dirs, join(folder, 'cache')));
	await rename(temp, file);
	process.env.FONTCONFIG_FILE = file;
	return (await import('sharp')).default;
}

/**
 * Rasterises a seal spec to a transparent PNG at SEAL_DPI for its real size, with the shipped CJK
 * font. Why: render() stamps images, not SVG, and the server makes the seal images every device
 * downloads, so every seal looks the same wherever it was made. Throws what sealSvg throws for an
 * invalid spec.
 */
export async function rasteriseSeal(spec: SealSpec): Promise<Uint8Array<ArrayBuffer>> {
	loading ??= loadSharp();
	const sharp = await loading;
	const width = Math.round((spec.widthMm / 25.4) * SEAL_DPI);
	const height = Math.round((spec.heightMm / 25.4) * SEAL_DPI);
	// Pixel sizes instead of mm: librsvg applies sharp's `density` twice to physical units
	// (size and scale), so the exact pixel count is stated and drawn at 72 dpi (1 px per unit).
	const svg = sealSvg(spec).replace(
		/^<svg([^>]*?) width="[^"]*" height="[^"]*"/,
		`<svg$1 width="${width}" height="${height}"`
	);
	const png = await sharp(Buffer.from(svg), { density: 72 })
		.withMetadata({ density: SEAL_DPI })
		.png({ compressionLevel: 9 })
		.toBuffer();
	const bytes = new Uint8Array(png.byteLength);
	bytes.set(png);
	return bytes;
}
