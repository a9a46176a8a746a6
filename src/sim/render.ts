// Wire records (market, event, series) shaped like the recorded ones: same field set, same string forms.
import type { Top } from './book.js';
import { fmtE2, fmtE4, isoMicros, isoSeconds } from './format.js';
import { hash32 } from './prng.js';
import { RULES_SECONDARY_COMPETITOR, RULES_SECONDARY_THRESHOLD, fillNoun, strikeText } from './templates.js';
import type { SimEvent, SimMarket, SimSeries, WireStatus } from './universe.js';

const uuidish = (h: number): string => {
  const x = (n: number): string => (hash32(h, n) >>> 0).toString(16).padStart(8, '0');
  const a = x(1) + x(2) + x(3) + x(4);
  return `${a.slice(0, 8)}-${a.slice(8, 12)}-${a.slice(12, 16)}-${a.slice(16, 20)}-${a.slice(20, 32)}`;
};

interface Text {
  title: string;
  yesSub: string;
  rulesPrimary: string;
  rulesSecondary: string;
  early: string;
}

function marketText(m: SimMarket, ev: SimEvent, s: SimSeries): Text {
  if (m.combo) return { title: m.subject, yesSub: m.subject, rulesPrimary: '', rulesSecondary: '', early: '' };
  const tpl = s.template;
  const date = new Date(m.closeMs).toUTCString().slice(5, 16);
  if (m.title !== null || !tpl) {
    const title = m.title ?? m.ticker;
    return {
      title,
      yesSub: m.subject || title,
      rulesPrimary: `If ${title.replace(/\?$/, '')} resolves in the affirmative by ${date}, then the market resolves to Yes.`,
      rulesSecondary: RULES_SECONDARY_THRESHOLD,
      early: 'This market will close and expire after the event occurs.',
    };
  }
  if (tpl.kind === 'competitor') {
    return {
      title: `Will ${m.subject} win the ${ev.title}?`,
      yesSub: m.subject,
      rulesPrimary: `If ${m.subject} wins the ${ev.title} originally scheduled for ${date}, then the market resolves to Yes.`,
      rulesSecondary: RULES_SECONDARY_COMPETITOR.replace('{event}', ev.title),
      early: 'This market will close and expire after a winner is declared.',
    };
  }
  const noun = fillNoun(tpl.noun, ev.n);
  const strike = strikeText(tpl, m.strikeE2 ?? 0);
  return {
    title: `Will the ${noun} be above ${strike} on ${date}?`,
    yesSub: `${strike} or above`,
    rulesPrimary: `If the ${noun} is strictly greater than ${strike} as reported for ${date}, then the market resolves to Yes.`,
    rulesSecondary: RULES_SECONDARY_THRESHOLD,
    early: 'This market will close and expire after the event occurs.',
  };
}

export interface MarketState {
  top: Top;
  status: WireStatus;
  result: '' | 'yes' | 'no';
  /** the latest time the record changed (price move or trade) */
  updatedMs: number;
}

/** The market record as an object in the wire's field order (alphabetical, like the fixtures). */
export function renderMarket(m: SimMarket, ev: SimEvent, s: SimSeries, st: MarketState): Record<string, unknown> {
  const t = marketText(m, ev, s);
  const { top } = st;
  const yesBid = top.bidSizeE2 > 0 ? top.bidE4 : 0;
  const yesAsk = top.askSizeE2 > 0 ? top.askE4 : m.emptyAskZero ? 0 : 10_000;
  const close = isoSeconds(m.closeMs);
  const rec: Record<string, unknown> = {
    can_close_early: true,
    close_time: close,
    created_time: isoMicros(m.createdMs, hash32(m.idx, 11) % 1000),
  };
  if (m.combo) {
    rec.custom_strike = {
      'Associated Events': m.combo.legs.map((l) => l.event_ticker).join(','),
      'Associated Market Sides': m.combo.legs.map((l) => l.side).join(','),
      'Associated Markets': m.combo.legs.map((l) => l.market_ticker).join(','),
      'Multivariate Event Ticker': m.eventTicker,
    };
  } else if (m.strikeE2 === null && !m.designed) {
    rec.custom_strike = { [s.template?.participantKey ?? 'competitor']: uuidish(m.idx) };
  }
  if (!m.combo) rec.early_close_condition = t.early;
  rec.event_ticker = m.eventTicker;
  rec.exchange_index = m.exchangeIndex;
  rec.expected_expiration_time = m.expectedExpirationMs === null ? null : isoSeconds(m.expectedExpirationMs);
  rec.expiration_time = isoSeconds(m.latestExpirationMs);
  rec.expiration_value = '';
  if (m.strikeE2 !== null) rec.floor_strike = m.strikeE2 / 100;
  if (m.combo) rec.is_provisional = true;
  rec.last_price_dollars = fmtE4(m.lastPriceE4);
  rec.latest_expiration_time = isoSeconds(m.latestExpirationMs);
  rec.liquidity_dollars = '0.0000';
  rec.market_type = 'binary';
  if (m.combo) {
    rec.mve_collection_ticker = m.combo.collection;
    rec.mve_selected_legs = m.combo.legs;
  }
  rec.no_ask_dollars = fmtE4(10_000 - yesBid);
  rec.no_bid_dollars = fmtE4(10_000 - yesAsk);
  rec.no_sub_title = t.yesSub;
  rec.notional_value_dollars = '1.0000';
  if (!m.combo) rec.occurrence_datetime = isoSeconds(m.expectedExpirationMs ?? m.closeMs);
  rec.open_interest_fp = fmtE2(m.openInterestE2);
  rec.open_time = isoSeconds(m.openMs);
  rec.previous_price_dollars = fmtE4(m.lastPriceE4);
  rec.previous_yes_ask_dollars = fmtE4(m.askSizeE2 > 0 ? m.askE4 : 0);
  rec.previous_yes_bid_dollars = fmtE4(m.bidSizeE2 > 0 ? m.bidE4 : 0);
  rec.price_level_structure = m.tickE4 === 100 ? 'linear_cent' : 'deci_cent';
  rec.price_ranges = [{ end: '1.0000', start: '0.0000', step: fmtE4(m.tickE4) }];
  if (s.template?.participantKey) rec.primary_participant_key = s.template.participantKey;
  rec.result = st.result;
  rec.rules_primary = t.rulesPrimary;
  rec.rules_secondary = t.rulesSecondary;
  rec.settlement_timer_seconds = m.settlementTimerSeconds;
  rec.status = st.status;
  rec.strike_type = m.combo ? 'custom' : m.strikeE2 !== null ? 'greater' : 'structured';
  rec.ticker = m.ticker;
  rec.title = t.title;
  rec.updated_time = isoMicros(st.updatedMs, hash32(m.idx, 12) % 1000);
  rec.volume_24h_fp = fmtE2(m.volume24hE2);
  rec.volume_fp = fmtE2(m.volumeE2);
  rec.yes_ask_dollars = fmtE4(yesAsk);
  rec.yes_ask_size_fp = fmtE2(top.askSizeE2);
  rec.yes_bid_dollars = fmtE4(yesBid);
  rec.yes_bid_size_fp = fmtE2(top.bidSizeE2);
  rec.yes_sub_title = t.yesSub;
  return rec;
}

/** Corrupt a record the way a schema must survive (fault kind 'malformed'). */
export function corrupt(rec: Record<string, unknown>, n: number): Record<string, unknown> {
  const out = { ...rec };
  switch (n % 4) {
    case 0:
      out.yes_ask_dollars = Number(rec.yes_ask_dollars); // a number where a string belongs
      break;
    case 1:
      delete out.ticker;
      break;
    case 2:
      out.yes_bid_dollars = 'n/a';
      break;
    default:
      out.close_time = 'not-a-time';
      break;
  }
  return out;
}

export function renderEvent(ev: SimEvent, s: SimSeries): Record<string, unknown> {
  const first = ev.markets[0];
  return {
    available_on_brokers: false,
    category: s.category,
    collateral_return_type: ev.mutuallyExclusive ? 'MECNET' : '',
    event_ticker: ev.eventTicker,
    exchange_index: ev.exchangeIndex,
    ...(ev.feeTypeOverride ? { fee_type_override: ev.feeTypeOverride } : {}),
    ...(ev.feeMultiplierOverrideE4 !== undefined && ev.feeMultiplierOverrideE4 !== null ? { fee_multiplier_override: ev.feeMultiplierOverrideE4 / 10_000 } : {}),
    mutually_exclusive: ev.mutuallyExclusive,
    product_metadata: {},
    series_ticker: ev.seriesTicker,
    strike_period: '',
    sub_title: ev.subTitle,
    title: ev.title,
    ...(first ? { strike_date: isoSeconds(first.closeMs) } : {}),
  };
}

export function renderSeries(s: SimSeries, due: { feeType: string; multE4: number } | null = null): Record<string, unknown> {
  return {
    additional_prohibitions: [],
    category: s.category,
    contract_terms_url: `https://kalshi.com/series/${s.ticker.toLowerCase()}/terms.pdf`,
    contract_url: `https://kalshi.com/series/${s.ticker.toLowerCase()}/contract.pdf`,
    exchange_index: s.exchangeIndex,
    fee_multiplier: (due?.multE4 ?? s.feeMultiplierE4) / 10_000,
    fee_type: due?.feeType ?? s.feeType,
    frequency: s.frequency,
    product_metadata: {},
    settlement_sources: [{ name: 'Source Agency', url: 'https://example.com' }],
    tags: s.tags,
    ticker: s.ticker,
    title: s.title,
  };
}
