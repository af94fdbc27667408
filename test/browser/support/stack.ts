import { beforeAll, inject } from "vitest";
// @ts-expect-error the dev stack is plain ESM without type declarations
import { installStore } from "../../../scripts/dev-stack.mjs";
import type { Servers } from "./global-stack";

export type Stack = {
  appUrl: string;
  sandboxUrl: string;
  storeHash: string;
  /** The sandbox's control-panel page framing the app, signed in as the store owner. */
  controlPanelUrl: string;
};

/**
 * This test file's store: a new sandbox store of `profile` (demo by default) with the app installed
 * through the OAuth flow, on the stack the browser project starts once (support/global-stack.ts).
 * Stores never share records, users or sessions, so files stay independent of each other.
 */
export function useStack(options: { profile?: string } = {}): () => Stack {
  let stack: Stack | undefined;

  beforeAll(async () => {
    const { appUrl, sandboxUrl }: Servers = inject("browserStack");
    const storeHash = (await installStore(sandboxUrl, { profile: options.profile })) as string;
    stack = { appUrl, sandboxUrl, storeHash, controlPanelUrl: `${sandboxUrl}/manage/app?store=${storeHash}` };
  });

  return () => {
    if (!stack) throw new Error("useStack(): the store was not installed");
    return stack;
  };
}
