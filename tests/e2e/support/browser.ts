import { existsSync } from 'node:fs';
import type { LaunchOptions } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../../scripts/chromium-flags.mjs';

/**
 * Debian's Chromium by default (Playwright cannot download its own browser here); set
 * CHROMIUM_PATH to use another, or leave it unset on a machine without /usr/bin/chromium to
 * fall back to Playwright's own build.
 */
export function chromiumLaunchOptions(): LaunchOptions {
	const executablePath =
		process.env.CHROMIUM_PATH ||
		(existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
	return {
		executablePath,
		args: CHROMIUM_ARGS
	};
}
