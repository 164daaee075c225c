// Human wording for times. Every function takes `now` as an argument so the page and the tests
// share one clock; locale and time zone default to the reader's own.
const secondMs = 1000;
const minuteS = 60;
const hourS = 60 * minuteS;
const dayS = 24 * hourS;

/** The two largest units ("4 min 12 s", "2 h 5 min", "3 d 4 h"), so a ticking value stays short. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < minuteS) return `${s} s`;
  if (s < hourS) return `${Math.floor(s / minuteS)} min ${s % minuteS} s`;
  if (s < dayS) return `${Math.floor(s / hourS)} h ${Math.floor((s % hourS) / minuteS)} min`;
  return `${Math.floor(s / dayS)} d ${Math.floor((s % dayS) / hourS)} h`;
}

/** "3 h", "4 h 10 min", "1 d": how long something lasted, without a unit that reads zero. */
export function formatLasting(seconds: number): string {
  return formatDuration(seconds).replace(/ 0 (s|min|h)$/, '');
}

/** "in 4 min 12 s". Rounds up, so the countdown reaches zero exactly when the run is due. */
export function formatCountdown(targetMs: number, nowMs: number): string {
  const left = Math.ceil((targetMs - nowMs) / secondMs);
  return left <= 0 ? 'due now' : `in ${formatDuration(left)}`;
}

/** "3 h ago": one unit, rounded down, so a value never claims more time passed than did. */
export function formatAgo(pastMs: number, nowMs: number): string {
  const s = Math.floor((nowMs - pastMs) / secondMs);
  if (s < 1) return 'just now';
  if (s < minuteS) return `${s} s ago`;
  if (s < hourS) return `${Math.floor(s / minuteS)} min ago`;
  if (s < dayS) return `${Math.floor(s / hourS)} h ago`;
  return `${Math.floor(s / dayS)} d ago`;
}

export interface ZoneOptions {
  locale?: string;
  timeZone?: string;
}

/** Formatters by locale and zone: building one costs far more than using it, and a page formats hundreds of times. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** "Nov 21, 07:05 EST": the reader's zone, with its abbreviation so the zone is never a guess. */
export function formatLocalTime(ms: number, { locale, timeZone }: ZoneOptions = {}): string {
  const key = `${locale} ${timeZone}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short', timeZone });
    formatters.set(key, format);
  }
  return format.format(ms);
}
