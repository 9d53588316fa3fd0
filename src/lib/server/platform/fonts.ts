import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';

const require = createRequire(import.meta.url);

let loaded: Promise<Uint8Array> | null = null;

/**
 * The OFL Noto Sans SC font shipped by npm: present wherever `npm install` ran. Read once per
 * process: it is a few MB and never changes while the server runs. A failed read is not kept,
 * so the next caller tries again.
 */
export function loadCjkFont(): Promise<Uint8Array> {
	loaded ??= readFile(
		require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf')
	).then(
		(bytes) => new Uint8Array(bytes),
		(error: unknown) => {
			loaded = null;
			throw error;
		}
	);
	return loaded;
}
