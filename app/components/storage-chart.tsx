import { createMemo, For, Show } from "solid-js";
import type { VaultHistoryPoint } from "../api";
import { formatBytes, formatDate, formatDateTime, formatNumber } from "../format";

const width = 640;
const height = 160;
const pad = { top: 12, right: 56, bottom: 24, left: 48 };

/**
 * Storage (line, right axis) and changed records (bars, left axis) per backup. Small and dependency-free;
 * the figures are also in a visually hidden table for screen readers.
 */
export function StorageChart(props: { points: VaultHistoryPoint[] }) {
  const model = createMemo(() => {
    const points = props.points;
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const maxChanges = Math.max(1, ...points.map((p) => p.changes));
    const maxBytes = Math.max(1, ...points.map((p) => p.storageBytes));
    const step = plotW / Math.max(1, points.length);
    const barW = Math.max(2, Math.min(24, step * 0.6));
    const x = (i: number) => pad.left + step * i + step / 2;
    const bars = points.map((p, i) => {
      const h = (p.changes / maxChanges) * plotH;
      return { x: x(i) - barW / 2, y: pad.top + plotH - h, w: barW, h, point: p };
    });
    const line = points
      .map((p, i) => `${x(i)},${pad.top + plotH - (p.storageBytes / maxBytes) * plotH}`)
      .join(" ");
    return { bars, line, maxChanges, maxBytes, plotH };
  });

  return (
    <figure class="chart" style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Storage and changes per backup">
        <line
          x1={pad.left}
          x2={width - pad.right}
          y1={pad.top + model().plotH}
          y2={pad.top + model().plotH}
          stroke="var(--color-border)"
        />
        <text
          x={pad.left - 8}
          y={pad.top + 8}
          text-anchor="end"
          font-size="11"
          fill="var(--color-text-secondary)"
        >
          {formatNumber(model().maxChanges)}
        </text>
        <text
          x={pad.left - 8}
          y={pad.top + model().plotH}
          text-anchor="end"
          font-size="11"
          fill="var(--color-text-secondary)"
        >
          0
        </text>
        <text x={width - pad.right + 8} y={pad.top + 8} font-size="11" fill="var(--color-text-secondary)">
          {formatBytes(model().maxBytes)}
        </text>
        <For each={model().bars}>
          {(bar) => (
            <rect
              x={bar.x}
              y={bar.y}
              width={bar.w}
              height={Math.max(bar.h, 1)}
              rx="2"
              fill="var(--color-primary-20)"
            >
              <title>
                {formatDateTime(bar.point.finishedAt ?? bar.point.startedAt)}:{" "}
                {formatNumber(bar.point.changes)} changes, {formatBytes(bar.point.storageBytes)}
              </title>
            </rect>
          )}
        </For>
        <Show when={props.points.length > 1}>
          <polyline points={model().line} fill="none" stroke="var(--color-primary)" stroke-width="2" />
        </Show>
        <Show when={props.points.length > 0}>
          <text x={pad.left} y={height - 6} font-size="11" fill="var(--color-text-secondary)">
            {formatDate(props.points[0].startedAt)}
          </text>
          <text
            x={width - pad.right}
            y={height - 6}
            text-anchor="end"
            font-size="11"
            fill="var(--color-text-secondary)"
          >
            {formatDate(props.points[props.points.length - 1].startedAt)}
          </text>
        </Show>
      </svg>
      <figcaption class="chart__legend">
        <span>
          <span class="chart__swatch" style={{ background: "var(--color-primary-20)" }} />
          Changed records
        </span>
        <span>
          <span class="chart__swatch" style={{ background: "var(--color-primary)" }} />
          Storage
        </span>
      </figcaption>
      <table class="visually-hidden">
        <caption>Storage and changes per backup</caption>
        <thead>
          <tr>
            <th scope="col">Backup</th>
            <th scope="col">Changed records</th>
            <th scope="col">Storage</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.points}>
            {(p) => (
              <tr>
                <td>{formatDateTime(p.finishedAt ?? p.startedAt)}</td>
                <td>{formatNumber(p.changes)}</td>
                <td>{formatBytes(p.storageBytes)}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </figure>
  );
}
