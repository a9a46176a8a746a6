// Kalshi's ticker convention: an event ticker is SERIES-SUFFIX, so its series is the part before the first dash.
export const seriesPrefix = (eventTicker: string): string => eventTicker.split('-', 1)[0]!;
