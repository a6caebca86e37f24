import type { ProxyHooks } from '@capture/core';

/**
 * What core hands this plugin once an upgrade got its 101: one definition, in `@capture/core`,
 * re-exported here so this package's API stays as it was.
 */
export type { UpgradedConnection } from '@capture/core';

/** The core hook this plugin taps: the first tap that returns `true` owns the connection. */
export type OnUpgradedHook = ProxyHooks['onUpgraded'];

