import type { RouteSectionProps } from "@solidjs/router";
import { PageFrame } from "../components/app-shell";
import { PageHeader } from "../components/page-header";
import { Tabs } from "../components/tabs";

export const exportTabs = [
  { href: "/export", label: "Quick Export" },
  { href: "/export/schedule", label: "Schedule Export" },
  { href: "/export/history", label: "History" },
];

/** Export: its heading and the Quick Export / Schedule Export / History tabs. */
export default function ExportLayout(props: RouteSectionProps) {
  return (
    <>
      <PageHeader title="Export" />
      <Tabs label="Export" tabs={exportTabs}>
        <PageFrame>{props.children}</PageFrame>
      </Tabs>
    </>
  );
}
