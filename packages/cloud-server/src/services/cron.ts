import { httpError } from '../errors.js';

// Cron: five fields (minute hour day-of-month month day-of-week), UTC; `*`, `a`, `a-b`, `*/n`,
// `a-b/n` and comma lists. As in Vixie cron, when both day fields are restricted a day matches
// either of them.

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  anyDay: boolean;
  anyWeekday: boolean;
}

const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

function parseCronField(text: string, field: (typeof CRON_FIELDS)[number]): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) throw new Error(`bad ${field.name} "${part}"`);
    const step = match[4] === undefined ? 1 : Number(match[4]);
    let from: number = field.min;
    let to: number = field.max;
    if (match[1] !== '*') {
      from = Number(match[2]);
      to = match[3] === undefined ? (match[4] === undefined ? from : field.max) : Number(match[3]);
    }
    if (step < 1 || from < field.min || to > field.max || from > to) throw new Error(`${field.name} "${part}" is out of range`);
    for (let value = from; value <= to; value += step) values.add(field.max === 7 && value === 7 ? 0 : value);
  }
  return values;
}

/** Parses a five-field cron expression; throws a 400 naming the problem. */
export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  try {
    if (parts.length !== 5) throw new Error(`expected 5 fields, got ${parts.length}`);
    const [minutes, hours, days, months, weekdays] = parts.map((part, index) => parseCronField(part, CRON_FIELDS[index]!));
    return {
      minutes: minutes!,
      hours: hours!,
      days: days!,
      months: months!,
      weekdays: weekdays!,
      anyDay: parts[2] === '*',
      anyWeekday: parts[4] === '*',
    };
  } catch (error) {
    throw httpError('workflows.cron_invalid', `Invalid cron expression "${expression}": ${(error as Error).message}.`);
  }
}

/** The first minute strictly after `from` that the schedule matches (UTC), within about 5 years. */
export function nextCronRun(schedule: CronSchedule, from: Date): Date | null {
  const at = new Date(from.getTime());
  at.setUTCSeconds(0, 0);
  at.setUTCMinutes(at.getUTCMinutes() + 1);
  const limit = from.getTime() + 5 * 366 * 24 * 60 * 60 * 1000;
  const dayMatches = () => {
    const inMonth = schedule.days.has(at.getUTCDate());
    const inWeek = schedule.weekdays.has(at.getUTCDay());
    if (schedule.anyDay || schedule.anyWeekday) return (schedule.anyDay || inMonth) && (schedule.anyWeekday || inWeek);
    return inMonth || inWeek;
  };
  while (at.getTime() <= limit) {
    if (!schedule.months.has(at.getUTCMonth() + 1)) {
      at.setUTCMonth(at.getUTCMonth() + 1, 1);
      at.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches()) {
      at.setUTCDate(at.getUTCDate() + 1);
      at.setUTCHours(0, 0, 0, 0);
    } else if (!schedule.hours.has(at.getUTCHours())) {
      at.setUTCHours(at.getUTCHours() + 1, 0, 0, 0);
    } else if (!schedule.minutes.has(at.getUTCMinutes())) {
      at.setUTCMinutes(at.getUTCMinutes() + 1, 0, 0);
    } else {
      return at;
    }
  }
  return null;
}
