import type { LaunchOptions } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from '../../../scripts/chromium-flags.mjs';

/** The browser and flags of every e2e test (scripts/chromium-flags.mjs). */
export function chromiumLaunchOptions(): LaunchOptions {
	return { executablePath: chromiumExecutable(), args: CHROMIUM_ARGS };
}
