import newman from 'newman';

/** What a newman run of a collection gave. */
export interface NewmanResult {
  /** Assertion and request failures (empty when every request succeeded). */
  failures: string[];
  /** Each request's response status, in run order (undefined when it got none). */
  codes: Array<number | undefined>;
}

/** Runs a collection with newman (no reporters), `insecure` for self-signed test origins. */
export function runNewman(collection: unknown, options: { insecure?: boolean } = {}): Promise<NewmanResult> {
  return new Promise((resolve, reject) => {
    newman.run(
      { collection: collection as newman.NewmanRunOptions['collection'], reporters: [], insecure: options.insecure ?? false, timeoutRequest: 10_000 },
      (error, summary) => {
        if (error) return reject(error);
        resolve({
          failures: summary.run.failures.map((failure) => `${failure.source?.name ?? '?'}: ${failure.error.message}`),
          codes: summary.run.executions.map((execution) => execution.response?.code),
        });
      },
    );
  });
}
