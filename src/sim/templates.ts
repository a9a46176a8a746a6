// Text shapes for generated series/events/markets, modeled on the recorded records: a market's
// long strings are rendered on demand from these (not stored), so 120k markets stay small.

export type TemplateKind = 'threshold' | 'competitor';

export interface Template {
  category: string;
  prefix: string;
  kind: TemplateKind;
  /** relative frequency of this template among generated series */
  weight: number;
  noun: string;
  unit?: string;
  suffix?: string;
  /** threshold kinds: first strike and spacing, in hundredths */
  baseE2?: number;
  stepE2?: number;
  frequency: string;
  /** typical hours from creation to close: [min, max] */
  horizonHours: [number, number];
  participantKey?: string;
}

export const TEMPLATES: Template[] = [
  { category: 'Sports', prefix: 'KXNBAGAME', kind: 'competitor', weight: 6, noun: 'professional basketball game', frequency: 'custom', horizonHours: [3, 72] },
  { category: 'Sports', prefix: 'KXATPMATCH', kind: 'competitor', weight: 6, noun: 'professional tennis match', frequency: 'custom', horizonHours: [2, 48] },
  { category: 'Sports', prefix: 'KXMLBHIT', kind: 'threshold', weight: 5, noun: 'hits recorded by {name}', suffix: '+', baseE2: 150, stepE2: 100, frequency: 'custom', horizonHours: [3, 80], participantKey: 'baseball_player' },
  { category: 'Politics', prefix: 'KXSENATE', kind: 'competitor', weight: 2, noun: 'Senate race in {place}', frequency: 'one_off', horizonHours: [300, 3000] },
  { category: 'Politics', prefix: 'KXAPPROVE', kind: 'threshold', weight: 1, noun: "the President's approval rating", suffix: '%', baseE2: 3800, stepE2: 100, frequency: 'weekly', horizonHours: [48, 400] },
  { category: 'Economics', prefix: 'KXCPI', kind: 'threshold', weight: 2, noun: 'CPI year-over-year change', suffix: '%', baseE2: 230, stepE2: 10, frequency: 'monthly', horizonHours: [100, 900] },
  { category: 'Economics', prefix: 'KXJOBLESS', kind: 'threshold', weight: 1, noun: 'initial jobless claims', baseE2: 20000000, stepE2: 500000, frequency: 'weekly', horizonHours: [24, 200] },
  { category: 'Financials', prefix: 'KXINX', kind: 'threshold', weight: 3, noun: 'S&P 500 closing value', baseE2: 580000, stepE2: 2500, frequency: 'daily', horizonHours: [4, 30] },
  { category: 'Crypto', prefix: 'KXBTCD', kind: 'threshold', weight: 3, noun: 'Bitcoin price', unit: '$', baseE2: 9000000, stepE2: 50000, frequency: 'hourly', horizonHours: [1, 30] },
  { category: 'Climate and Weather', prefix: 'KXHIGH', kind: 'threshold', weight: 3, noun: 'highest temperature in {place}', suffix: '°', baseE2: 6500, stepE2: 200, frequency: 'daily', horizonHours: [8, 40] },
  { category: 'Entertainment', prefix: 'KXBOX', kind: 'threshold', weight: 1, noun: 'opening weekend box office of {title}', unit: '$', suffix: 'M', baseE2: 3000, stepE2: 1000, frequency: 'weekly', horizonHours: [72, 600] },
  { category: 'Science and Technology', prefix: 'KXLLMRANK', kind: 'competitor', weight: 1, noun: 'top AI model ranking', frequency: 'monthly', horizonHours: [200, 2000] },
  { category: 'Companies', prefix: 'KXEARN', kind: 'threshold', weight: 1, noun: 'quarterly revenue of {company}', unit: '$', suffix: 'B', baseE2: 1000, stepE2: 50, frequency: 'quarterly', horizonHours: [300, 2200] },
  { category: 'Health', prefix: 'KXFLU', kind: 'threshold', weight: 1, noun: 'weekly flu hospitalizations', baseE2: 500000, stepE2: 50000, frequency: 'weekly', horizonHours: [48, 400] },
];

export const NAMES = [
  'Lepchenko', 'Estevez', 'Cigarran', 'Marte', 'Buxton', 'Nimmo', 'Rocker', 'Matthews', 'Llewellyn', 'Ma',
  'Alvarez', 'Brooks', 'Chen', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ivanova', 'Jensen',
  'Kowalski', 'Lopez', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Silva', 'Tanaka',
  'Ueda', 'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zhang', 'Novak', 'Olsen', 'Park', 'Reyes',
];
export const PLACES = [
  'New York', 'Chicago', 'Miami', 'Austin', 'Denver', 'Seattle', 'Phoenix', 'Boston', 'Atlanta', 'Dallas',
  'Houston', 'Detroit', 'Philadelphia', 'Los Angeles', 'San Francisco', 'Nevada', 'Ohio', 'Georgia', 'Arizona', 'Maine',
];
export const COMPANIES = ['Apple', 'Nvidia', 'Tesla', 'Amazon', 'Microsoft', 'Netflix', 'Meta', 'Alphabet', 'Intel', 'Oracle'];
export const FILMS = ['Skyline', 'The Long Road', 'Iron Tide', 'Blue Hour', 'Echoes', 'Northbound', 'Paper Moon', 'Red Harbor'];

export const pick = <T>(arr: readonly T[], n: number): T => arr[Math.abs(n) % arr.length] as T;

/** Fill {name}/{place}/{company}/{title} from a per-event number. */
export function fillNoun(noun: string, n: number): string {
  return noun
    .replace('{name}', `${pick(NAMES, n)}`)
    .replace('{place}', pick(PLACES, n))
    .replace('{company}', pick(COMPANIES, n))
    .replace('{title}', pick(FILMS, n));
}

export function strikeText(t: Template, strikeE2: number): string {
  const whole = Math.floor(strikeE2 / 100);
  const frac = strikeE2 % 100;
  const num = frac === 0 ? whole.toLocaleString('en-US') : `${whole}.${String(frac).padStart(2, '0').replace(/0$/, '')}`;
  return `${t.unit ?? ''}${num}${t.suffix ?? ''}`;
}

export const RULES_SECONDARY_THRESHOLD =
  'The market will be settled using the value published by the Source Agency for the period named in the title. ' +
  'If the Source Agency revises the value after publication, the value first published is used. ' +
  'If the value is not published by the Expiration Date, the market will remain open until it is published, ' +
  'for up to the Latest Expiration Date, after which it resolves according to the fair market price rule. ' +
  'Values are compared exactly as published, without rounding beyond what the Source Agency reports.';

export const RULES_SECONDARY_COMPETITOR =
  'The following market refers to the {event} after play has begun. If the contest does not occur due to injury, ' +
  'walkover, forfeiture, or any other cancellation (all before it starts), the market will resolve to a fair price in ' +
  'accordance with the rules. If the contest is postponed or delayed, the market will remain open and close after the ' +
  'rescheduled contest has finished (within two weeks).';
