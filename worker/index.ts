import { app } from "./app";

export { StoreJobs } from "./jobs/store-jobs";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
