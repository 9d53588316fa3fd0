import { randomBytes } from 'node:crypto';
import {
	mkdir,
	readFile,
	readdir,
	rename,
	stat,
	unlink,
	writeFile,
	access
} from 'node:fs/promises';
import { constants, createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import {
	admit,
	assertSha256,
	verified,
	verifiedStream,
	type BlobStore,
	type OpenBlob
} from './blob-store';

/** Age after which a temporary file cannot belong to a write still in progress. */
const TEMP_MAX_AGE_MS = 60 * 60_000;

/**
 * The embedded default: blobs as files in a local folder (`<DATA_DIR>/blobs`), fanned out by the
 * first two hex digits of the name to keep directories small.
 */
export class FolderBlobStore implements BlobStore {
	readonly kind = 'folder';

	constructor(
		readonly dir: string,
		readonly maxBytes: number
	) {}

	get description(): string {
		return `the folder ${this.dir}`;
	}

	private pathOf(sha256: string): string {
		assertSha256(sha256);
		return join(this.dir, sha256.slice(0, 2), sha256);
	}

	/**
	 * Stores bytes and returns their SHA-256. Writes a temporary file and renames it into place,
	 * so a crash mid-write never leaves a truncated file under a valid name.
	 */
	async put(bytes: Uint8Array, expected?: string): Promise<string> {
		const sha256 = admit(bytes, this.maxBytes, expected);
		const target = this.pathOf(sha256);
		if (await this.has(sha256)) return sha256;
		await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true });
		const temp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
		try {
			await writeFile(temp, bytes, { flag: 'wx' });
			await rename(temp, target);
		} catch (error) {
			await unlink(temp).catch(() => {});
			throw error;
		}
		return sha256;
	}

	async get(sha256: string): Promise<Uint8Array<ArrayBuffer> | null> {
		try {
			return verified(sha256, await readFile(this.pathOf(sha256)));
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
			throw error;
		}
	}

	/**
	 * Large PDFs go to the client without being held in memory whole, and the size is known up
	 * front for Content-Length (the browser's download progress bar depends on it).
	 */
	async open(sha256: string): Promise<OpenBlob | null> {
		const path = this.pathOf(sha256);
		try {
			const { size } = await stat(path);
			const stream = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
			return { size, stream: verifiedStream(sha256, stream) };
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
			throw error;
		}
	}

	async has(sha256: string): Promise<boolean> {
		const path = this.pathOf(sha256);
		try {
			await stat(path);
			return true;
		} catch {
			return false;
		}
	}

	/**
	 * Removes temporary files left by a writer that was killed between write and rename (a
	 * crash, SIGKILL, power loss). They are never read, but would pile up. Only files an hour
	 * old go: the CLI may share this folder and be writing one right now. Returns how many.
	 */
	async sweepTemporary(): Promise<number> {
		const cutoff = Date.now() - TEMP_MAX_AGE_MS;
		let removed = 0;
		for (const name of await readdir(this.dir).catch(() => [] as string[])) {
			if (!name.startsWith('.tmp-')) continue;
			const path = join(this.dir, name);
			const info = await stat(path).catch(() => null);
			if (
				info &&
				info.mtimeMs < cutoff &&
				(await unlink(path).then(
					() => true,
					() => false
				))
			)
				removed++;
		}
		return removed;
	}

	/** Creates the folder and proves it is writable; used at start-up and by the health check. */
	async check(): Promise<{ ok: boolean; error?: string }> {
		try {
			await mkdir(this.dir, { recursive: true });
			await access(this.dir, constants.W_OK | constants.R_OK);
			return { ok: true };
		} catch (error) {
			return { ok: false, error: error instanceof Error ? error.message : String(error) };
		}
	}
}
