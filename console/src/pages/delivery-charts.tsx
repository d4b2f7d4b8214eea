// A subscription's charts (SPEC §13): attempts per bucket by outcome, and attempt latency p50/p95,
// over the last hour or day, from deliveryStats (the worker's per-minute rollups). Plain SVG drawn
// here: no chart library, nothing loaded from elsewhere.
import { useEffect, useState } from 'react';
import { request } from '../api.ts';
import { graphql } from '../gql/gql.ts';
import type { ConsoleDeliveryStatsQuery } from '../gql/graphql.ts';
import { ErrorText, useLoad } from '../ui.tsx';

const StatsQuery = graphql(`
  query ConsoleDeliveryStats($id: ID!, $since: DateTime!, $bucket: DeliveryStatsBucket!) {
    deliveryStats(subscriptionId: $id, since: $since, bucket: $bucket) { bucket points { start succeeded failed p50Ms p95Ms } }
  }
`);

type Point = ConsoleDeliveryStatsQuery['deliveryStats']['points'][number];
const RANGES = {
  hour: { label: 'Last hour', ms: 3_600_000, bucket: 'MINUTE', per: 'minute' },
  day: { label: 'Last day', ms: 86_400_000, bucket: 'FIFTEEN_MINUTES', per: '15 minutes' },
} as const;
type Range = keyof typeof RANGES;

const W = 720;
const H = 180;
const PAD = { left: 44, right: 8, top: 10, bottom: 22 };
const REFRESH_MS = 15_000;

export function DeliveryCharts({ subscriptionId }: { subscriptionId: string }) {
  const [range, setRange] = useState<Range>('hour');
  const r = RANGES[range];
  const { data, error, reload } = useLoad(
    () => request(StatsQuery, { id: subscriptionId, since: new Date(Date.now() - r.ms).toISOString(), bucket: r.bucket }), `${subscriptionId} ${range}`);
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const points = data?.deliveryStats.points ?? [];
  const total = points.reduce((n, p) => n + p.succeeded + p.failed, 0);
  return (
    <section aria-labelledby="charts-title" className="charts">
      <div className="title-row">
        <h2 id="charts-title">Deliveries</h2>
        <div className="segmented" role="group" aria-label="Chart range">
          {(Object.keys(RANGES) as Range[]).map((k) => (
            <button key={k} type="button" className={k === range ? '' : 'secondary'} aria-pressed={k === range} onClick={() => setRange(k)}>{RANGES[k].label}</button>
          ))}
        </div>
      </div>
      <ErrorText error={error?.message} />
      <p className="hint">{total} attempts, per {r.per}. Updated every {REFRESH_MS / 1000} s.</p>
      <figure>
        <figcaption>Attempts by outcome <Legend items={[['ok', 'succeeded'], ['bad', 'failed']]} /></figcaption>
        <OutcomeBars points={points} />
      </figure>
      <figure>
        <figcaption>Attempt latency (ms) <Legend items={[['p50', 'p50'], ['p95', 'p95']]} /></figcaption>
        <LatencyLines points={points} />
      </figure>
    </section>
  );
}

function Legend({ items }: { items: Array<[string, string]> }) {
  return <span className="legend">{items.map(([cls, name]) => <span key={name}><i className={`swatch ${cls}`} /> {name}</span>)}</span>;
}

/** A round top for the axis: 1, 2 or 5 times a power of ten. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= value)!;
}

function Axes({ max, points }: { max: number; points: Point[] }) {
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max);
  const labels = points.length > 0 ? [points[0]!, points[Math.floor(points.length / 2)]!, points.at(-1)!] : [];
  const x = (i: number) => PAD.left + ((W - PAD.left - PAD.right) * (i + 0.5)) / Math.max(points.length, 1);
  return (
    <g className="axes">
      {[0, max / 2, max].map((v) => (
        <g key={v}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
          <text x={PAD.left - 4} y={y(v) + 4} textAnchor="end">{Number.isInteger(v) ? v : v.toFixed(1)}</text>
        </g>
      ))}
      {labels.map((p, i) => (
        <text key={p.start} x={x(points.indexOf(p))} y={H - 6} textAnchor={(['start', 'middle', 'end'] as const)[i]}>
          {new Date(p.start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
        </text>
      ))}
    </g>
  );
}

function OutcomeBars({ points }: { points: Point[] }) {
  const max = niceMax(Math.max(0, ...points.map((p) => p.succeeded + p.failed)));
  const width = (W - PAD.left - PAD.right) / Math.max(points.length, 1);
  const h = (v: number) => ((H - PAD.top - PAD.bottom) * v) / max;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Attempts by outcome" className="chart">
      <Axes max={max} points={points} />
      {points.map((p, i) => {
        const x = PAD.left + i * width + width * 0.1;
        const base = H - PAD.bottom;
        return (
          <g key={p.start}>
            {p.succeeded > 0 ? <rect className="bar ok" x={x} width={width * 0.8} y={base - h(p.succeeded)} height={h(p.succeeded)}><title>{`${p.succeeded} succeeded`}</title></rect> : null}
            {p.failed > 0 ? <rect className="bar bad" x={x} width={width * 0.8} y={base - h(p.succeeded) - h(p.failed)} height={h(p.failed)}><title>{`${p.failed} failed`}</title></rect> : null}
          </g>
        );
      })}
    </svg>
  );
}

function LatencyLines({ points }: { points: Point[] }) {
  const max = niceMax(Math.max(0, ...points.map((p) => p.p95Ms ?? 0)));
  const x = (i: number) => PAD.left + ((W - PAD.left - PAD.right) * (i + 0.5)) / Math.max(points.length, 1);
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max);
  const line = (key: 'p50Ms' | 'p95Ms') => points.flatMap((p, i) => (p[key] === null || p[key] === undefined ? [] : [`${x(i)},${y(p[key])}`]));
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Attempt latency" className="chart">
      <Axes max={max} points={points} />
      {(['p95Ms', 'p50Ms'] as const).map((key) => {
        const at = line(key);
        return (
          <g key={key} className={`series ${key === 'p50Ms' ? 'p50' : 'p95'}`}>
            {at.length > 1 ? <polyline points={at.join(' ')} /> : null}
            {at.map((xy) => {
              const [cx, cy] = xy.split(',');
              return <circle key={xy} cx={cx} cy={cy} r={2.5} />;
            })}
          </g>
        );
      })}
    </svg>
  );
}
