/** A package as installed: where, which version, its licence and its runtime dependencies. */
export interface InstalledPackage {
  dir: string;
  name: string;
  version: string;
  license: string;
  dependencies: string[];
}

/** A package's folder, name, version and licence as `fromDir` (a package folder) resolves it. */
export function bundledPackage(name: string, fromDir: string): InstalledPackage;

/** What to write a licence file for. */
export interface ThirdPartyLicensesOptions {
  /** The bundling package's folder (its dist/ receives the file). */
  packageDir: string;
  /** Its name, as the file says it. */
  packageName: string;
  /** The packages its build bundles. */
  bundled: readonly string[];
  /** Packages left out of the bundle (optional peers): not walked. */
  external?: readonly string[];
}

/** Writes `packageDir`/dist/THIRD-PARTY-LICENSES.md; throws when a bundled package ships no licence file. */
export function writeThirdPartyLicenses(options: ThirdPartyLicensesOptions): void;
