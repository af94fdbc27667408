import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

export default defineConfig({
  root: "app",
  plugins: [solid()],
  build: { outDir: "../dist/app", emptyOutDir: true, target: "es2022" },
  server: {
    port: 5173,
    proxy: { "/api": "http://localhost:8787", "/auth": "http://localhost:8787" },
  },
});
