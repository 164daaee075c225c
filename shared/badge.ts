// Badges by status, for READMEs and dashboards: a shields.io endpoint badge
// (https://shields.io/badges/endpoint-badge) and a self-contained SVG that needs no third party.
import type { OverallStatus } from './contract.ts';

const shieldsColours: Record<OverallStatus, string> = { healthy: 'brightgreen', degraded: 'yellow', failing: 'red' };
const svgColours: Record<OverallStatus, string> = { healthy: '#116329', degraded: '#7d4e00', failing: '#a40e26' };

export function governanceBadge(status: OverallStatus) {
  return { schemaVersion: 1, label: 'governance', message: status, color: shieldsColours[status] } as const;
}

// Widths from the text length at 11 px Verdana-like metrics (about 6.5 px per character): the badge
// has a fixed vocabulary, so an estimate with padding is exact enough and needs no font at build time.
const width = (text: string) => Math.round(text.length * 6.5 + 12);

/** A flat two-part badge, "governance | failing", as plain SVG with a title for screen readers. */
export function governanceBadgeSvg(status: OverallStatus): string {
  const label = 'governance';
  const left = width(label);
  const right = width(status);
  const total = left + right;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="20" role="img" aria-label="${label}: ${status}">`,
    `<title>${label}: ${status}</title>`,
    `<rect width="${left}" height="20" fill="#555"/>`,
    `<rect x="${left}" width="${right}" height="20" fill="${svgColours[status]}"/>`,
    `<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">`,
    `<text x="${left / 2}" y="14">${label}</text>`,
    `<text x="${left + right / 2}" y="14">${status}</text>`,
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}
