import type { Writable } from 'node:stream';
import { caCertificate } from './ca.js';
import { createExec } from './exec.js';
import type { Plan } from './plan.js';
import { runPlan } from './runner.js';
import { nssInstallSteps } from './targets/nss-db.js';

/** How {@link OsCertsApi.runPlan} runs a plan. */
export interface RunPlanIo {
  /** Print the commands instead of running them. */
  readonly dryRun?: boolean;
  /** Where the commands of a dry run and the results go. */
  readonly stdout: Writable;
  /** Where progress and failures go. */
  readonly stderr: Writable;
}

/**
 * What os-certs offers other code (`capture browser`'s Firefox profile), as
 * `proxy.plugin('os-certs')?.api` or `context.plugin('os-certs')?.api`: the same plans and
 * runner as `capture ca install --target firefox`, for a store it did not find but is given.
 */
export interface OsCertsApi {
  /**
   * The plan that creates an NSS database (cert9.db) in `folder`, a fresh browser profile, and
   * trusts the CA there for TLS servers (`C,,`). It touches that folder only.
   */
  profileTrustPlan(folder: string, ca: { readonly certPath: string; readonly certPem: string }): Plan;
  /** Runs a plan as `capture ca install` does (each step printed, undone on failure), or prints it with `dryRun`. */
  runPlan(plan: Plan, io: RunPlanIo): Promise<void>;
}

/** The API the plugin publishes. */
export function osCertsApi(platform: NodeJS.Platform = process.platform): OsCertsApi {
  return {
    profileTrustPlan(folder, ca) {
      const env = { ca: caCertificate(ca.certPath, ca.certPem), platform, family: undefined };
      return {
        target: 'profile',
        summary: `trust ${env.ca.commonName} in the profile ${folder}`,
        needsRoot: false,
        steps: nssInstallSteps(env, { location: folder, exists: false, entries: [], files: [] }, true),
        notes: [],
      };
    },
    runPlan: (plan, io) => runPlan(plan, { dryRun: io.dryRun ?? false, elevated: false, exec: createExec(), stdout: io.stdout, stderr: io.stderr }),
  };
}
