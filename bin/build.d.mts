// Types of bin/build.mjs for the tests that import it.
export declare const bundle: string;
/** sha256 of the build inputs' content under `base` (default: this project). */
export declare function inputHash(base?: string): string;
export declare function ensureBuilt(options?: { force?: boolean }): Promise<{ ok: boolean; rebuilt: boolean; typeChecked: Promise<boolean> }>;
/** String formats the bundle leaves out because no bundled schema validator names them. */
export declare const DROPPED_FORMATS: readonly string[];
/** The names an esbuild output imports from each vendored package (`'*'`: a namespace import). */
export declare function importedNames(code: string, specifiers: readonly string[]): Record<string, readonly string[] | '*'>;
