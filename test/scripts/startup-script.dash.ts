// The runner start-up script under dash (a second POSIX shell; cases in
// startup-script-cases.ts), through shellcheck, and its props. busybox sh and PID 1:
// startup-script.busybox.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runnerStartupScript, RUNNER_DAEMON_PGREP_PATTERN } from '../../src/constructs/startup-script.js';
import { describeWithTools, fakeBin, run, testConcurrently } from '../shell-harness.js';
import { startupScriptCases } from './startup-script-cases.js';

startupScriptCases('dash', ['dash', '-c']);

describeWithTools(['shellcheck'], 'start-up script passes shellcheck (POSIX sh)', () => {
  for (const registration of ['token', 'offline'] as const) {
    testConcurrently(registration, async () => {
      const script = runnerStartupScript({ registration, configPath: '/config/config.yaml', stateFile: '/data/.runner', dockerUrl: 'http://127.0.0.1:2375' });
      const { dir } = fakeBin({});
      writeFileSync(join(dir, 's.sh'), script);
      const r = await run(['shellcheck', '-s', 'sh', join(dir, 's.sh')], { env: { PATH: '/usr/bin:/bin' } });
      expect(r.stdout).toBe('');
      expect(r.code).toBe(0);
    });
  }
});

describe('start-up script props', () => {
  test('a dockerUrl with shell characters is rejected (it is pasted into the script)', () => {
    expect(() => runnerStartupScript({ registration: 'token', configPath: '/c', stateFile: '/s', dockerUrl: 'http://x;rm -rf /' })).toThrow(
      /dockerUrl must be an http\(s\) URL/,
    );
  });

  test('the daemon pattern is anchored so a shell whose -c text names the daemon never matches it', () => {
    const re = new RegExp(RUNNER_DAEMON_PGREP_PATTERN);
    expect(re.test('forgejo-runner daemon --config /config/config.yaml')).toBe(true);
    expect(re.test('/bin/sh -c exec forgejo-runner daemon --config /config/config.yaml')).toBe(false);
  });
});
