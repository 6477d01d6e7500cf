// test/skip-reporter.js: after jest's summary, every skipped test is counted by the reason its
// title (or a describe's) states, without --verbose; a skip with no reason fails the run.
import SkipReporter from '../skip-reporter.js';

const FILE = '/project/test/x.test.ts';
const result = (...tests: [status: string, describe: string, title: string][]) => ({
  testFilePath: FILE,
  testResults: tests.map(([status, describe, title]) => ({ status, ancestorTitles: [describe], title })),
});

/** What the reporter prints at the end of the run, and the error it hands jest. */
function report(reporter: SkipReporter): { printed: string; error: Error | undefined } {
  let printed = '';
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => ((printed += chunk), true)) as typeof write;
  try {
    reporter.onRunComplete();
  } finally {
    process.stderr.write = write;
  }
  return { printed, error: reporter.getLastError() };
}

describe('skipped tests are counted by reason at the end of the run', () => {
  test('each reason with its count, from a describe title or the test title; passed tests are not counted', () => {
    const reporter = new SkipReporter({ rootDir: '/project' });
    reporter.onTestResult(undefined, result(
      ['passed', 'values', 'runs'],
      ['pending', 'parity with production (skipped: ../shared absent)', 'a'],
      ['pending', 'parity with production (skipped: ../shared absent)', 'b'],
      ['pending', 'start-up script as PID 1', 'exits on SIGTERM (skipped: unshare --pid needs root)'],
    ));
    const { printed, error } = report(reporter);
    expect(printed).toBe('Skipped: 3 tests\n  2 because ../shared absent\n  1 because unshare --pid needs root\n');
    expect(error).toBeUndefined();
  });

  test('a skip that states no reason is listed by name and fails the run', () => {
    const reporter = new SkipReporter({ rootDir: '/project' });
    reporter.onTestResult(undefined, result(['pending', 'kustomize', 'renders'], ['pending', 'lint (skipped: yamllint not on PATH)', 'lints']));
    const { printed, error } = report(reporter);
    expect(printed).toContain('Skipped: 2 tests\n  1 because yamllint not on PATH\n  1 with no reason');
    expect(printed).toContain('    test/x.test.ts: kustomize › renders\n');
    expect(error?.message).toMatch(/1 skipped test\(s\) say no reason/);
  });

  test('tests left out by -t are counted as such, and fail nothing', () => {
    const reporter = new SkipReporter({ rootDir: '/project', testNamePattern: 'lint' });
    reporter.onTestResult(undefined, result(['skipped', 'kustomize', 'renders']));
    const { printed, error } = report(reporter);
    expect(printed).toBe('Skipped: 1 test\n  1 because not selected by --testNamePattern\n');
    expect(error).toBeUndefined();
  });

  test('nothing skipped: nothing printed', () => {
    const reporter = new SkipReporter({ rootDir: '/project' });
    reporter.onTestResult(undefined, result(['passed', 'values', 'runs']));
    expect(report(reporter)).toEqual({ printed: '', error: undefined });
  });
});
