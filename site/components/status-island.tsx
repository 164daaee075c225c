// The page's one island: everything that comes from governance-status.json and its history, in the
// order a member reads it: the headline and its reasons, the open incidents, the charters (each with
// its 90 days), the credits and what they bought, then the history of incidents. Until both files are in (or the history
// is late) it shows the headline alone above a reserved space, so nothing on screen moves when the
// data arrives. Only what changes re-renders: times tick on their own (use-clock.ts), the sections
// render when a file changes. The tab's title and favicon follow the headline.
import { useEffect, useMemo, type ReactNode } from 'react';
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import { LocaleContext, useLocale, type PageLocale } from '../i18n/context.ts';
import type { Messages } from '../i18n/en.ts';
import { fill } from '../i18n/fill.ts';
import { describeCharterHistories } from '../lib/describe-history.ts';
import { describeRecord } from '../lib/describe-record.ts';
import { recordUptimes } from '../lib/record-uptime.ts';
import { signHistory } from '../lib/signed-history.ts';
import { describeHeadline } from '../lib/describe-status.ts';
import { formatLocalTime } from '../lib/format-time.ts';
import type { NoteMeta } from '../lib/notes.ts';
import { staleAtOf } from '../../shared/snapshot-trust.ts';
import { formatStaleMessage } from '../lib/staleness.ts';
import { snapshotFreshUntil, type RecordState } from '../lib/verify-record.ts';
import type { FileState } from '../lib/snapshot-state.ts';
import { RecordUptimes } from './charter-days.tsx';
import { CharterList } from './charter-list.tsx';
import { Contained } from './contained.tsx';
import { CreditsPanel } from './credits-panel.tsx';
import { HeadlineBox } from './headline.tsx';
import { IncidentHistory } from './incident-history.tsx';
import { RecentRuns } from './recent-threads.tsx';
import { Neutral, ToneIcon } from './tone-icon.tsx';
import { UsagePanel } from './usage-panel.tsx';
import { useClock } from './use-clock.ts';
import { useRecord } from './use-record.ts';
import { useFeedLinks } from './use-page-links.ts';
import { useStatusFiles, type Schemas } from './use-snapshot.ts';
import { useTimeZone, ZoneChoice } from './zone-choice.tsx';
import { useUnfolding } from './use-unfolding.ts';

/** messages: the page's words (site/i18n/), data in the HTML like the rest of the props; pinnedKey: the public JWK the page was built with (PUBLIC_SIGNING_KEY_FILE), or null. */
export type IslandProps = { statusUrl: string; historyUrl: string; iconBase: string; notes: NoteMeta[]; schemas: Schemas; messages: Messages; pinnedKey: unknown };

/** What a part shows when it throws while it renders (contained.tsx): the rest of the page stays. */
function Failed() {
  return <p className="empty">{useLocale().m.sections.partFailed}</p>;
}

const Section = ({ id, title, children }: { id: string; title: string; children: ReactNode }) => (
  <section aria-labelledby={id}>
    <h2 id={id}>{title}</h2>
    <Contained fallback={<Failed />}>{children}</Contained>
  </section>
);

function Sections({ snapshot, history, historyFailure, notes }: { snapshot: PublishedStatus; history: GovernanceHistory | null; historyFailure: string | null; notes: NoteMeta[] }) {
  const { m } = useLocale();
  const words = m.sections;
  const histories = useMemo(() => (history ? describeCharterHistories(history, m) : null), [history, m]);
  const names = useMemo(() => new Map(snapshot.charters.map((charter) => [charter.id ?? charter.name, charter.name])), [snapshot]);
  const failure = historyFailure && <p className="empty">{fill(words.historyFailed, { reason: historyFailure })}</p>;
  // One part per task at first (use-unfolding.ts): the headline alone, each charter's card, then each later section.
  const later = [
    <Section key="credits" id="credits-heading" title={words.credits}>
      <CreditsPanel snapshot={snapshot} history={history} />
    </Section>,
    snapshot.usage && (
      <Section key="usage" id="usage-heading" title={m.usage.title}>
        <UsagePanel snapshot={snapshot} history={history} />
      </Section>
    ),
    <Section key="incidents" id="incidents-heading" title={fill(words.incidents, { days: history?.days.length ?? 90 })}>
      {history ? (
        <>
          <p className="muted">{words.incidentsIntro}</p>
          <IncidentHistory history={history} notes={notes} />
        </>
      ) : (
        (failure ?? <p className="empty">{words.historyLoading}</p>)
      )}
    </Section>,
    <Section key="recent" id="recent-heading" title={words.threads}>
      <RecentRuns runs={snapshot.recentRuns} names={names} />
    </Section>,
  ];
  const cards = snapshot.charters.length;
  const shown = useUnfolding(cards + later.length);
  return (
    <>
      {shown > 0 && (
        <Section id="charters-heading" title={words.charters}>
          <CharterList snapshot={snapshot} history={history} histories={histories} shown={Math.min(shown, cards)} />
        </Section>
      )}
      {later.slice(0, Math.max(0, shown - cards))}
      {/* what is still to come keeps its room, so the page's end stays below the first screen */}
      {shown < cards + later.length && <div className="unfolding" aria-hidden="true" />}
    </>
  );
}

/**
 * Whether the data shown is stale, and the instant its age is told at: staleAfter, bounded by the
 * snapshot's own window from when it first arrived (shared/snapshot-trust.ts) and by the retirement of
 * the key the record verified it was signed by (site/lib/verify-record.ts). Re-rendered when the data
 * turns stale, and then once a minute for its age; not every second.
 */
function useStaleness(data: PublishedStatus | null, firstSeenAt: number | null, recordState: RecordState) {
  const generatedAt = data ? Date.parse(data.generatedAt) : 0;
  // made by the time it first arrived at the latest (a snapshot from the future)
  const seenAt = firstSeenAt ?? generatedAt;
  const staleAt = data ? Math.min(staleAtOf(data, seenAt), Date.parse(snapshotFreshUntil(data, recordState))) : Infinity;
  const stale = useClock((now) => now > staleAt);
  const ageMinutes = useClock((now) => (stale ? Math.floor((now - Math.min(generatedAt, seenAt)) / 60_000) : 0));
  return { stale, ageNow: generatedAt + ageMinutes * 60_000 };
}

/** The notes above the headline: the data gone stale, side files the worker could not write, a refresh that failed. */
function Notices({ data, stale, ageNow, snapshot }: { data: PublishedStatus | null; stale: boolean; ageNow: number; snapshot: FileState<PublishedStatus> }) {
  const { m, timeZone } = useLocale();
  const { receivedAt, failure } = snapshot;
  const lastGood = receivedAt === null ? '' : formatLocalTime(receivedAt, { locale: m.locale, timeZone });
  // what the page draws from side files behind (history, feeds, badges) may be behind too
  const behind = data?.filesBehind ?? [];
  const behindSince = behind.length === 0 ? 0 : Math.min(...behind.map((file) => Date.parse(file.since)));
  return (
    <div className="notices" aria-live="polite">
      {stale && data && (
        <p className="banner banner-stale" data-testid="stale-banner">
          <ToneIcon tone="neutral" /> {formatStaleMessage(data.generatedAt, ageNow, m)}
        </p>
      )}
      {behind.length > 0 && (
        <p className="banner banner-note" data-testid="files-behind">
          <ToneIcon tone="warn" />{' '}
          {fill(m.status.filesBehind, { files: behind.map((file) => file.name).join(', '), time: formatLocalTime(behindSince, { locale: m.locale, timeZone }) })}
        </p>
      )}
      {failure && (
        <p className="banner banner-note" data-testid="refresh-note">
          <ToneIcon tone="warn" />{' '}
          {receivedAt === null ? fill(m.status.loadFailed, { reason: failure }) : fill(m.status.refreshFailed, { time: lastGood, reason: failure })}
        </p>
      )}
    </div>
  );
}

export default function StatusIsland({ statusUrl, historyUrl, iconBase, notes, schemas, messages: m, pinnedKey }: IslandProps) {
  const [timeZone, setTimeZone] = useTimeZone();
  const locale = useMemo<PageLocale>(() => ({ m, timeZone }), [m, timeZone]);
  const files = useStatusFiles(statusUrl, historyUrl, schemas, m.failures);
  const record = useRecord(statusUrl, pinnedKey, files.statusText, files.adoptSnapshot);
  const uptimes = useMemo(() => (record.days ? recordUptimes(record.days) : null), [record.days]);
  const data = files.historySettled ? files.snapshot.data : null;
  // the history's closed days as the verified record signed them: the file itself is not signed
  const verifiedDays = record.state.kind === 'verified' ? record.days : null;
  const signed = useMemo(() => (files.history.data && verifiedDays ? signHistory(files.history.data, verifiedDays) : null), [files.history.data, verifiedDays]);
  const history = data && (signed?.history ?? files.history.data);
  const recordLine = describeRecord(record.state, m, signed?.differing);
  const { stale, ageNow } = useStaleness(data, files.snapshot.firstSeenAt, record.state);
  const headline = describeHeadline(data, ageNow, stale, files.snapshot.failure !== null, locale);

  useEffect(() => {
    document.title = fill(m.page.titleOf, { word: headline.label });
    const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (icon) icon.href = `${iconBase}favicon-${headline.word.toLowerCase()}.svg`;
  }, [headline.word, headline.label, iconBase, m]);
  useFeedLinks(data?.feeds, m.page.feedTitle);

  return (
    <LocaleContext.Provider value={locale}>
      <Neutral.Provider value={stale}>
      <div className={stale ? 'island stale' : 'island'} aria-busy={data === null}>
        <Notices data={data} stale={stale} ageNow={ageNow} snapshot={files.snapshot} />
        <Contained fallback={<Failed />}>
          <HeadlineBox headline={headline} snapshot={data} history={history} record={recordLine}>
            <ZoneChoice m={m} zone={timeZone} onChange={setTimeZone} />
          </HeadlineBox>
        </Contained>
        {data ? (
          <RecordUptimes.Provider value={uptimes}>
            <Contained fallback={<Failed />}>
              <Sections snapshot={data} history={history} historyFailure={files.history.failure} notes={notes} />
            </Contained>
          </RecordUptimes.Provider>
        ) : (
          <div className="loading" aria-hidden="true">
            <div className="placeholder" />
            <div className="placeholder" />
          </div>
        )}
      </div>
      </Neutral.Provider>
    </LocaleContext.Provider>
  );
}
