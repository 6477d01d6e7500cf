// Types of test/skip-reporter.js (the part its test uses).
export interface SkipReporterTestResult {
  readonly testFilePath: string;
  readonly testResults: readonly { readonly status: string; readonly ancestorTitles: readonly string[]; readonly title: string }[];
}
export default class SkipReporter {
  constructor(globalConfig: { readonly rootDir: string; readonly testNamePattern?: string });
  onTestResult(test: unknown, result: SkipReporterTestResult): void;
  onRunComplete(): void;
  getLastError(): Error | undefined;
}
