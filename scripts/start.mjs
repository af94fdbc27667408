// `npm start`: the app with a demo sandbox store on localhost. Ctrl-C stops everything.
import { startStack } from "./dev-stack.mjs";

const stack = await startStack();
console.log(`
  Strongbox is running.

  Open the sandbox store's control panel (Strongbox is installed and embedded there):
    ${stack.controlPanelUrl}

  App (worker):        ${stack.appUrl}
  Sandbox store API:   ${stack.sandboxUrl}  (store hash ${stack.storeHash})
  Email outbox:        ${stack.appUrl}/__dev/outbox
`);
const shutdown = async () => {
  await stack.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
