/**
 * What happens around install and uninstall beyond the auth tables. The backup engine registers its
 * work here (webhooks, the first backup); kept apart so the auth flow does not depend on job internals.
 */
type Hook = (env: Env, storeHash: string) => Promise<void>;

const installHooks: Hook[] = [];
const uninstallHooks: Hook[] = [];

export const registerInstallHook = (hook: Hook) => installHooks.push(hook);
export const registerUninstallHook = (hook: Hook) => uninstallHooks.push(hook);

async function runAll(hooks: Hook[], env: Env, storeHash: string) {
  for (const hook of hooks) {
    try {
      await hook(env, storeHash);
    } catch (err) {
      console.error(`lifecycle hook failed for store ${storeHash}`, err);
    }
  }
}

export const onStoreInstalled = (env: Env, storeHash: string) => runAll(installHooks, env, storeHash);
export const onStoreUninstalled = (env: Env, storeHash: string) => runAll(uninstallHooks, env, storeHash);
