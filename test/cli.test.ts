// The CLI and the output stage as the operator meets them: bad input and hostile output paths,
// the real binary, the writer, the lock, and the rendered files checked by their consumers (git,
// yamllint, kubectl kustomize).
//
// One jest test file for the whole area on purpose: jest evaluates every module afresh for each
// test file, and loading the pipeline costs ~0.7 s each time. The cases that wait on a child
// process or a timer (testConcurrently, shell-harness.ts) start with the file (beforeAll below)
// and wait while the in-process tests run; their tests report them. The parts keep their own
// describe blocks and test names; run one with e.g. `npm test -- cli -t 'hostile'`.
import { startQueued } from './shell-harness.js';
import { removeTempDirs } from './temp-dir.js';
import './cli/prerequisites.js';
import './cli/skip-reporter.js';
import './cli/cli.js';
import './cli/perimeter.js';
import './cli/lock.js';
import './cli/writer.js';
import './cli/output.js';
import './cli/yaml-strings.js';
import './cli/agreement.js';
import './cli/two-installations.js';
import './cli/go-yaml.js';
import './cli/io-errors.js';
import './cli/footguns.js';
import './cli/go-url.js';

beforeAll(startQueued);
afterAll(removeTempDirs);
