import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';

const require = createRequire(import.meta.url);

/** The OFL Noto Sans SC font shipped by npm: present wherever `npm install` ran. */
export async function loadCjkFont(): Promise<Uint8Array> {
	const path =
		require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
	return new Uint8Array(await readFile(path));
}
