import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

/** Where `vite dev` forwards the worker's routes (the worker of `npm start`; change with APP_PORT). */
const worker = `http://localhost:${process.env.APP_PORT ?? 8787}`;

export default defineConfig({
  root: "app",
  plugins: [solid()],
  build: { outDir: "../dist/app", emptyOutDir: true, target: "es2022" },
  server: {
    port: 5173,
    proxy: Object.fromEntries(
      ["/api", "/auth", "/signin", "/downloads", "/__dev"].map((path) => [path, worker]),
    ),
  },
});
