import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Mounts a tmpfs of `size` (e.g. '8m') at `at`, so a test can fill a real filesystem to its last
 * byte. Mounting needs root (CAP_SYS_ADMIN), as `.ci/run` has: where it is missing the test fails
 * and says so, rather than skipping and leaving the disk-full paths unproved.
 */
export function mountSmallDisk(at: string, size: string): void {
	try {
		execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at], { stdio: 'pipe' });
	} catch (error) {
		const why = (error as { stderr?: Buffer }).stderr?.toString().trim() || String(error);
		throw new Error(
			`The disk-full tests mount a ${size} tmpfs and need root (CAP_SYS_ADMIN), as .ci/run has: ${why}`
		);
	}
}

export function unmountSmallDisk(at: string): void {
	execFileSync('umount', [at]);
}

/**
 * Fills the filesystem holding `file` until a write fails with ENOSPC, in big chunks and then in
 * pages, and returns `file`. Written until refused rather than sized from `df` first: a browser
 * or a database writing meanwhile would make a file of the measured size itself fail with ENOSPC.
 */
export function fillSmallDisk(file: string, limitBytes = 1 << 30): string {
	const fd = openSync(file, 'w');
	try {
		let written = 0;
		for (const size of [1 << 16, 4096]) {
			const chunk = Buffer.alloc(size, 1);
			try {
				while (written < limitBytes) written += writeSync(fd, chunk);
				throw new Error(`The small disk never filled up (${written} bytes written)`);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
			}
		}
	} finally {
		closeSync(fd);
	}
	return file;
}
