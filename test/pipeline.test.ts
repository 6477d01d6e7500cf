// The synth pipeline in this process: values validation, the constructs built from props and
// from values, the synthesized objects, schemas, wiring, parity with production, the example.
//
// One jest test file for the whole area on purpose: jest evaluates every module afresh for each
// test file (ESM under --experimental-vm-modules), and loading the pipeline (cdk8s, zod, yaml,
// the kubernetes-models validators) costs ~0.7 s each time. The parts keep their own describe
// blocks and test names; run one with e.g. `npm test -- pipeline -t 'ephemeral'`.
import './pipeline/values.js';
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
