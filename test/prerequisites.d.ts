// Types of test/prerequisites.js for the tests that import it.
export interface Prerequisite {
  readonly program: string;
  readonly debian: string;
  readonly why: string;
}
export declare const PREREQUISITES: readonly Prerequisite[];
export declare function missingPrerequisites(path?: string): Prerequisite[];
export declare function prerequisitesMessage(missing: readonly Prerequisite[]): string;
