import type { Linter } from 'eslint';
export const layerRules: Linter.Config[];
