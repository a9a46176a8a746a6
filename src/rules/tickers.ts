// Kalshi's ticker convention: an event ticker is SERIES-SUFFIX, so its series is the part before the first dash.
export const seriesPrefix = (eventTicker: string): string => {
  const dash = eventTicker.indexOf('-');
  return dash < 0 ? eventTicker : eventTicker.slice(0, dash);
};
