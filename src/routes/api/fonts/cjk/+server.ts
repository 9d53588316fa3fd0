import { createHash } from 'node:crypto';
import { loadCjkFont } from '$lib/server/platform/fonts';

/** Loaded and hashed once per process: the font is 10 MB and never changes while running. */
let cached: Promise<{ bytes: Uint8Array; sha256: string }> | null = null;

/**
 * The very font the server renders date text with, for the device's preview: render() is only
 * byte-identical in browser and server when both embed the same font bytes. Public (an OFL
 * font, nothing of the user's) and immutable; X-Content-SHA256 lets the device check it.
 */
export async function GET() {
	cached ??= loadCjkFont().then((bytes) => ({
		bytes,
		sha256: createHash('sha256').update(bytes).digest('hex')
	}));
	const { bytes, sha256 } = await cached;
	return new Response(bytes as Uint8Array<ArrayBuffer>, {
		headers: {
			'Content-Type': 'font/ttf',
			'Content-Length': String(bytes.byteLength),
			'Cache-Control': 'public, max-age=31536000, immutable',
			ETag: `"${sha256}"`,
			'X-Content-SHA256': sha256
		}
	});
}
