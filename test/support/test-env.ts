/**
 * Configuration the workerd tests run with. The sandbox store answers at SANDBOX_URL through
 * miniflare's outboundService, so the worker reaches it only by BC_API_URL / BC_LOGIN_URL,
 * exactly as it would reach BigCommerce.
 */
export const SANDBOX_URL = "http://sandbox.test";
export const APP_URL = "http://app.test";

export const testBindings = {
  BC_CLIENT_ID: "strongbox-test-client",
  BC_CLIENT_SECRET: "strongbox-test-secret",
  BC_API_URL: SANDBOX_URL,
  BC_LOGIN_URL: SANDBOX_URL,
  APP_URL,
  FRAME_ANCESTORS: SANDBOX_URL,
  // base64("test-key-0123456789abcdef-012345") : 32 bytes
  TOKEN_ENCRYPTION_KEY: `k1:${Buffer.from("test-key-0123456789abcdef-012345").toString("base64")}`,
  LINK_SIGNING_SECRET: "test-link-signing-secret",
  RESEND_API_KEY: "",
  DEV_PAGES: "1",
  // The first wait after a failed call (500 ms in production), doubling per attempt, and twice that
  // before a failed step is retried: the fault tests meet hundreds of failures, the same ones faster.
  RETRY_BASE_MS: "10",
};
