// The synth pipeline in this process (values validation, the constructs built from props and from
// values, the synthesized objects, schemas, wiring, parity with production, the example), and the
// generated shell scripts RUN under real shells (test/scripts/).
//
// One jest test file on purpose: jest evaluates every module afresh for each test file (ESM under
// --experimental-vm-modules), and loading the pipeline (cdk8s, zod, yaml, the kubernetes-models
// validators) costs ~0.7 s each time; a file less is also a jest worker less on a 2-core machine.
// The script cases come first: the first of them starts them all at once (testConcurrently in
// shell-harness.ts) and they finish in ~1.5 s of mostly waiting, before the CPU-bound pipeline
// tests run, so no timing assertion of a script shares the event loop with a synth. The parts
// keep their describe blocks and test names; run one with e.g. `npm test -- pipeline -t 'ephemeral'`.
import { removeTempDirs } from './temp-dir.js';
import './scripts/runner-probes.js';
import './scripts/startup-script.busybox.js';
import './scripts/startup-script.dash.js';
import './scripts/ephemeral-script.js';
import './pipeline/values.js';
import './pipeline/rules.js';
import './pipeline/label-url.js';
import './pipeline/public-api.js';
import './pipeline/dind-args.js';
import './pipeline/synthesis.js';
import './pipeline/forgejo-runner.js';
import './pipeline/runner-pool.js';
import './pipeline/runner-deployment.js';
import './pipeline/lifecycle.js';
import './pipeline/hardening.js';
import './pipeline/zot-wiring.js';
import './pipeline/schemas.js';
import './pipeline/parity.js';
import './pipeline/dotenv.js';
import './pipeline/keda.js';
import './pipeline/ephemeral-pool.js';
import './pipeline/scaler-path.js';
import './pipeline/forgejo-actions-secret.js';

afterAll(removeTempDirs);
