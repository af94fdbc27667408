import { describe, expect, it } from "vitest";
import { useBrowser } from "./support/browser";
import { useStack } from "./support/stack";

const stack = useStack();
const browser = useBrowser();

type OutboxEmail = { kind: string; to: string[]; text: string };

describe("signing in outside the control panel", () => {
  it("signs in from the emailed link and opens the Backup Vault without any iframe; the link works once", async () => {
    const { page } = browser();
    const { appUrl, sandboxUrl, storeHash } = stack();
    const users = (await (await fetch(`${sandboxUrl}/__sandbox/stores/${storeHash}/users`)).json()) as {
      id: number;
      email: string;
    }[];
    const owner = users.reduce((a, b) => (a.id <= b.id ? a : b));

    // The app's own address, no session: the sign-in page.
    await page.goto(`${appUrl}/`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.getByLabel("Email of a user of your store").fill(owner.email);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();

    const outbox = (await (await fetch(`${appUrl}/__dev/outbox.json`)).json()) as { emails: OutboxEmail[] };
    const mail = outbox.emails.find((e) => e.kind === "signin" && e.to.includes(owner.email));
    expect(mail, "the sign-in email is in the outbox").toBeTruthy();
    const link = /https?:\/\/\S+\/signin\/verify\?token=[\w-]+/.exec(mail!.text)![0];

    await page.goto(link);
    await page.getByRole("button", { name: "Continue to Strongbox" }).click();
    await page.getByRole("heading", { level: 1, name: "Discovery" }).waitFor();
    expect(page.frames()).toHaveLength(1);
    await page.getByText("Open outside BigCommerce").waitFor();

    await page
      .getByRole("navigation", { name: "Strongbox" })
      .getByRole("link", { name: "Backup Vault" })
      .click();
    await page.getByRole("heading", { level: 1, name: "Backup Vault" }).waitFor();

    // The sign-in shows in Settings, and the same link cannot be used again.
    await page.getByRole("navigation", { name: "Strongbox" }).getByRole("link", { name: "Settings" }).click();
    await page
      .getByRole("table", { name: "Sign-ins outside the control panel" })
      .getByText(owner.email)
      .waitFor();
    await page.goto(link);
    await page.getByRole("button", { name: "Continue to Strongbox" }).click();
    await page.getByRole("heading", { name: "Link expired" }).waitFor();
  });
});
