import { execFileSync } from 'node:child_process';

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
