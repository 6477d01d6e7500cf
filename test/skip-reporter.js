// A jest reporter: after the summary, every skipped test counted by its reason, without
// --verbose. A test says why it is skipped in its own or a describe's title, "(skipped: why)"
// (e.g. "(skipped: ../shared absent)"); a skip that says no reason fails the run, so no suite can
// go quiet unnoticed. Tests left out by --testNamePattern (-t) are counted as such.
import { relative } from 'node:path';

const REASON = /\((?:[^()]*\s)?skipped: ([^()]+)\)/;

export default class SkipReporter {
  #rootDir;
  #filtered;
  /** reason -> test names */
  #byReason = new Map();
  #unexplained = [];

  constructor(globalConfig) {
    this.#rootDir = globalConfig.rootDir;
    this.#filtered = Boolean(globalConfig.testNamePattern);
  }

  onTestResult(_test, result) {
    const file = relative(this.#rootDir, result.testFilePath);
    for (const t of result.testResults) {
      if (t.status !== 'pending' && t.status !== 'skipped' && t.status !== 'todo') continue;
      const titles = [...t.ancestorTitles, t.title];
      // The innermost title that states a reason.
      const reason = titles.map((title) => REASON.exec(title)?.[1]).filter(Boolean).at(-1)
        ?? (t.status === 'todo' ? 'todo' : this.#filtered ? 'not selected by --testNamePattern' : undefined);
      const name = `${file}: ${titles.join(' › ')}`;
      if (reason === undefined) this.#unexplained.push(name);
      else this.#byReason.set(reason, [...(this.#byReason.get(reason) ?? []), name]);
    }
  }

  onRunComplete() {
    const total = [...this.#byReason.values()].reduce((n, names) => n + names.length, 0) + this.#unexplained.length;
    if (total === 0) return;
    const lines = [`Skipped: ${total} test${total === 1 ? '' : 's'}`];
    for (const [reason, names] of [...this.#byReason].sort(([a], [b]) => (a < b ? -1 : 1))) {
      lines.push(`  ${names.length} because ${reason}`);
    }
    if (this.#unexplained.length > 0) {
      lines.push(`  ${this.#unexplained.length} with no reason (put "(skipped: why)" in the test's or its describe's title):`);
      for (const name of this.#unexplained) lines.push(`    ${name}`);
    }
    process.stderr.write(`${lines.join('\n')}\n`);
  }

  getLastError() {
    if (this.#unexplained.length > 0) return new Error(`${this.#unexplained.length} skipped test(s) say no reason (listed above)`);
    return undefined;
  }
}
