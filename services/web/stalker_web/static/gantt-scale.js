// The Gantt chart's time axis: zoom levels, instants to pixels, and the ticks of a visible span, in the
// studio's time zone: an instant is placed by its wall-clock time there ("local" milliseconds, read with
// getUTC*), so days, weeks and months start at the studio's midnight.
export const DAY = 86_400_000;

// From days to years; each level's axis has a major row (top) and a minor row (bottom).
export const ZOOMS = [
  { name: "days", dayWidth: 40, major: "month", minor: "day" },
  { name: "weeks", dayWidth: 14, major: "month", minor: "week" },
  { name: "months", dayWidth: 4, major: "year", minor: "month" },
  { name: "years", dayWidth: 1.5, major: "year", minor: "quarter" },
];

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n) => String(n).padStart(2, "0");

export function parseTime(iso) {
  return iso ? Date.parse(iso) : NaN;
}

/** Instant -> wall-clock milliseconds in `timeZone` (an IANA name); the identity for UTC or an unknown zone. */
export function zoneClock(timeZone) {
  const identity = (ms) => ms;
  if (!timeZone || timeZone === "UTC") return identity;
  let format;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", second: "numeric",
    });
  } catch {
    return identity;
  }
  const HOUR = 3_600_000;
  const offsets = new Map(); // zone offsets change on the hour (or half hour) at most
  return (ms) => {
    if (!Number.isFinite(ms)) return ms;
    const hour = Math.floor(ms / HOUR) * HOUR;
    let offset = offsets.get(hour);
    if (offset === undefined) {
      const p = Object.fromEntries(format.formatToParts(hour).map((part) => [part.type, part.value]));
      offset = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - hour;
      offsets.set(hour, offset);
    }
    return ms + offset;
  };
}

/** An instant as `YYYY-MM-DD HH:MM` on the wall clock `local` gives (zoneClock). */
export function formatTime(ms, local = (t) => t) {
  if (!Number.isFinite(ms)) return "no date";
  const d = new Date(local(ms));
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

export class Scale {
  /** From one instant to another at a zoom level, on the wall clock `local` (zoneClock). */
  constructor(fromMs, toMs, zoom, local = (ms) => ms) {
    this.local = local;
    this.origin = Math.floor(local(fromMs) / DAY) * DAY;
    this.end = Math.ceil(local(toMs) / DAY) * DAY;
    this.zoom = zoom;
  }

  get width() {
    return Math.ceil(this.xOfLocal(this.end));
  }

  /** The x of an instant. */
  x(ms) {
    return this.xOfLocal(this.local(ms));
  }

  /** The x of a wall-clock time (what `time` and the ticks give). */
  xOfLocal(localMs) {
    return ((localMs - this.origin) / DAY) * this.zoom.dayWidth;
  }

  /** The wall-clock time at an x. */
  time(x) {
    return this.origin + (x / this.zoom.dayWidth) * DAY;
  }

  /** The ticks of one unit between two x positions: [{x, label}]. */
  ticks(unit, left, right) {
    const ticks = [];
    let t = floorTo(unit, this.time(Math.max(left, 0)));
    const last = Math.min(this.time(right), this.end);
    for (let guard = 0; t <= last && guard < 2000; guard += 1) {
      ticks.push({ x: this.xOfLocal(t), label: label(unit, t) });
      t = next(unit, t);
    }
    return ticks;
  }
}

function floorTo(unit, ms) {
  const d = new Date(Math.floor(ms / DAY) * DAY);
  if (unit === "week") return d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY;
  if (unit === "month") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  if (unit === "quarter") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - (d.getUTCMonth() % 3), 1);
  if (unit === "year") return Date.UTC(d.getUTCFullYear(), 0, 1);
  return d.getTime();
}

function next(unit, ms) {
  const d = new Date(ms);
  if (unit === "week") return ms + 7 * DAY;
  if (unit === "month") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  if (unit === "quarter") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 3, 1);
  if (unit === "year") return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  return ms + DAY;
}

function label(unit, ms) {
  const d = new Date(ms);
  if (unit === "day") return String(d.getUTCDate());
  if (unit === "week") return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  if (unit === "month") return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  if (unit === "quarter") return `Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
  return String(d.getUTCFullYear());
}
