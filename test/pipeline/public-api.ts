// The library's public surface: the package root and 'forgejo-runner-cdk8s/parts' reach only
// cdk8s and constructs (plus the dual-format yaml package and Node built-ins) at run time and in
// their types, so a stock cdk8s app can load them; no zod, no kubernetes-models (ESM-only or
// leaking their types). The values-file layer (zod) and the schema checks stay with the CLI.
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { PROJECT } from '../helpers.js';
import * as root from '../../src/index.js';
import * as parts from '../../src/parts.js';

/** Every module specifier the file and its relative imports name (value and type imports alike). */
function reachable(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, ''); // not the usage examples in comments
    for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(normalize(join(dirname(file), spec.replace(/\.js$/, '.ts'))));
      else if (!packages.has(spec)) packages.set(spec, file.slice(PROJECT.length + 1));
    }
  };
  visit(join(PROJECT, entry));
  return { files, packages };
}

describe('the public API', () => {
  test.each(['src/index.ts', 'src/parts.ts'])('%s reaches only cdk8s, constructs, yaml and Node built-ins', (entry) => {
    const { files, packages } = reachable(entry);
    const allowed = (p: string) => ['cdk8s', 'constructs', 'yaml'].includes(p) || p.startsWith('node:');
    expect([...packages].filter(([p]) => !allowed(p))).toEqual([]);
    expect([...files].filter((f) => /\/util\/zod\.ts$|\/values\/|\/validate\/|\/cli\.ts$/.test(f))).toEqual([]);
  });

  test('the root exports constructs, props types and handles; building blocks are under parts only', () => {
    expect(Object.keys(root).sort()).toEqual(
      [
        'ArgoApplication',
        'ArgoCdSyncWaves',
        'EphemeralRunnerPool',
        'ForgejoActionsSecret',
        'ForgejoRunner',
        'ForgejoRunnerScaledJob',
        'ForgejoScalerAuthentication',
        'ForgejoTokenAuthentication',
        'JobCredential',
        'OnePasswordSecret',
        'PropsError',
        'RunnerNetworkPolicy',
        'RunnerPool',
        'RunnerRegistrationSecret',
        'SecretEnvSource',
        'SecretKeyHandle',
        'formatPropPath',
      ].sort(),
    );
    for (const name of ['runnerPod', 'runnerStartupScript', 'signalPreamble', 'RUNNER_DAEMON_PGREP_PATTERN', 'FILE_STEM', 'rules']) {
      expect(name in root).toBe(false);
      expect(name in parts).toBe(true);
    }
  });

  test('package.json exports the root and ./parts from the built library', () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8'));
    // Both module systems: ES modules for `import`, CommonJS for `require()` (stock cdk8s apps).
    for (const [entry, file] of [['.', 'index'], ['./parts', 'parts']] as const) {
      expect(pkg.exports[entry]).toEqual({
        import: { types: `./lib/esm/src/${file}.d.ts`, default: `./lib/esm/src/${file}.js` },
        require: { types: `./lib/cjs/src/${file}.d.ts`, default: `./lib/cjs/src/${file}.js` },
      });
    }
    expect(JSON.parse(readFileSync(join(PROJECT, 'tsconfig.build.json'), 'utf8')).include).toEqual(['src/index.ts', 'src/parts.ts']);
  });
});
