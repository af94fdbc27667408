import { readFileSync } from "node:fs";
import { strFromU8, unzipSync } from "fflate";
import type { FrameLocator } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./support/browser";
import { ensureFirstBackup } from "./support/first-backup";
import { openBackupVault } from "./support/open-vault";
import { useStack } from "./support/stack";

const stack = useStack();
const browser = useBrowser();

type Theme = { uuid: string; name: string; is_private: boolean; variations: { name: string }[] };
type Configuration = { theme_uuid: string; settings: Record<string, unknown> };

/** The store's themes and their configurations as BigCommerce holds them (the sandbox's export). */
async function storeThemes(): Promise<{ themes: Theme[]; configurations: Configuration[] }> {
  const res = await fetch(`${stack().sandboxUrl}/__sandbox/stores/${stack().storeHash}/export`);
  const all = (await res.json()) as { themes: Theme[]; theme_configurations: Configuration[] };
  return { themes: all.themes, configurations: all.theme_configurations };
}

async function openTheme(app: FrameLocator, name: string) {
  await app.getByRole("link", { name: "Themes", exact: true }).click();
  await app.getByRole("heading", { level: 2, name: "Themes" }).waitFor();
  await app.getByRole("table").getByRole("link", { name, exact: true }).click();
  await app.getByRole("heading", { level: 2, name }).waitFor();
  // The team-assisted note (themes are restored with the team's help) carries the downloads.
  await app.getByRole("button", { name: "Download JSON" }).waitFor();
}

describe("Backup Vault > a theme's page: Download theme files", () => {
  it("gives a custom theme's files as the ZIP the backup kept, and offers none for a marketplace theme", async () => {
    const { page } = browser();
    const { themes, configurations } = await storeThemes();
    const custom = themes.find((t) => t.is_private) as Theme;
    const marketplace = themes.find((t) => !t.is_private) as Theme;
    expect(custom && marketplace).toBeTruthy();
    await fetch(`${stack().sandboxUrl}/__sandbox/stores/${stack().storeHash}/quota`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ quota: "unlimited" }),
    });
    let app = await openBackupVault(page, stack().controlPanelUrl);
    await ensureFirstBackup(page, app, stack().appUrl);

    app = await openBackupVault(page, stack().controlPanelUrl);
    await openTheme(app, custom.name);
    const link = app.getByRole("link", { name: "Download theme files" });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^Cornerstone .*\.zip$/);
    const path = await download.path();
    const files = unzipSync(new Uint8Array(readFileSync(path)));
    // A Stencil theme: its config, schema, templates and styles, as BigCommerce's download gave them.
    expect(Object.keys(files).sort()).toEqual(
      ["assets/scss/theme.scss", "config.json", "schema.json", "templates/pages/home.html"].sort(),
    );
    const config = JSON.parse(strFromU8(files["config.json"])) as {
      name: string;
      settings: Record<string, unknown>;
      variations: { name: string }[];
    };
    expect(config.name).toBe(custom.name);
    expect(config.settings).toEqual(configurations.find((c) => c.theme_uuid === custom.uuid)?.settings);
    expect(config.variations.map((v) => v.name)).toEqual(custom.variations.map((v) => v.name));
    expect(strFromU8(files["templates/pages/home.html"])).toContain('{{#partial "page"}}');
    await browser().screenshot("vault-theme-files");

    // A marketplace theme is installed again from the marketplace: its page has no files to download.
    app = await openBackupVault(page, stack().controlPanelUrl);
    await openTheme(app, marketplace.name);
    expect(await app.getByRole("link", { name: "Download theme files" }).count()).toBe(0);
  });
});
