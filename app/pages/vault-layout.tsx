import type { RouteSectionProps } from "@solidjs/router";
import { PageFrame } from "../components/app-shell";
import { PageHeader } from "../components/page-header";
import { Tabs } from "../components/tabs";

export const vaultTabs = [
  { href: "/vault", label: "Backup vault" },
  { href: "/vault/recovery", label: "Bulk Recovery" },
];

/** Backup Vault: its heading and the Backup vault / Bulk Recovery tabs around the selected tab's page. */
export default function VaultLayout(props: RouteSectionProps) {
  return (
    <>
      <PageHeader title="Backup Vault" />
      <Tabs label="Backup Vault" tabs={vaultTabs}>
        <PageFrame>{props.children}</PageFrame>
      </Tabs>
    </>
  );
}
