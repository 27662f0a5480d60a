/** The scripts a record can be written in (CONTRACT.md `script`, sources file `output.script`). */
export const SCRIPTS = ['hans', 'hant', 'tw', 'hk'] as const;
export type Script = (typeof SCRIPTS)[number];
