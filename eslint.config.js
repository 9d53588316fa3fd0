import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';
import { layerRules } from './eslint.layers.js';

export default ts.config(
	{
		ignores: [
			'build/',
			'.svelte-kit/',
			'src/lib/paraglide/',
			'node_modules/',
			'data/',
			'test-results/',
			'playwright-report/',
			'static/generated/'
		]
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } }
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
		languageOptions: {
			parserOptions: {
				projectService: true,
				extraFileExtensions: ['.svelte'],
				parser: ts.parser,
				svelteConfig
			}
		}
	},
	{
		rules: {
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
			],
			// SvelteKit's resolve() is not needed for plain internal links in this app.
			'svelte/no-navigation-without-resolve': 'off'
		}
	},
	{
		// Playwright fixtures take an empty destructuring pattern by design.
		files: ['tests/e2e/**/*.ts'],
		rules: { 'no-empty-pattern': 'off' }
	},
	{
		// Pages and components stay small enough to read in one sitting: past this, extract a
		// component or a rune class (docs/architecture.md).
		files: ['src/routes/**/*.svelte', 'src/lib/components/**/*.svelte'],
		rules: { 'max-lines': ['error', { max: 300 }] }
	},
	{
		// Server modules hold one operation or one concern each; past 400 lines one has become two.
		// schema.ts is exempt: it is the database's one type map, a table per interface.
		files: ['src/lib/server/**/*.ts'],
		ignores: ['**/*.test.ts', 'src/lib/server/db/schema.ts'],
		rules: { 'max-lines': ['error', { max: 400 }] }
	},
	...layerRules
);
