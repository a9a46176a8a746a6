// The part of the Kalshi client that execution uses (KalshiClient satisfies it structurally).
import type { OrderRoute } from '../kalshi/client.js';
import type { CreateOrderResponse, Fill, Order, Position } from '../kalshi/schemas.js';
import type { Side } from '../rules/band.js';

export interface CreateOrderRequest {
  ticker: string;
  side: 'bid' | 'ask';
  countE2: number;
  /** Always the YES price. */
  priceE4: number;
  timeInForce: 'fill_or_kill' | 'good_till_canceled' | 'immediate_or_cancel';
  clientOrderId: string;
  expirationTimeS?: number;
  /** The market's exchange shard. */
  exchangeIndex?: number;
  /** A maker order: refused by the exchange (invalid_order, "post only cross") rather than taking liquidity. */
  postOnly?: boolean;
}

export interface OrderApi {
  createOrder(req: CreateOrderRequest): Promise<CreateOrderResponse>;
  getOrder(orderId: string): Promise<Order>;
  findOrderByClientOrderId(clientOrderId: string, ticker?: string): Promise<Order | null>;
  /** Routed to the order's shard: an order id alone reaches only shard 0. */
  cancelOrder(orderId: string, route: OrderRoute): Promise<{ kind: 'canceled' } | { kind: 'not-found' }>;
  getFills(params: { orderId?: string; ticker?: string; minTs?: number }): Promise<Fill[]>;
  getPositions?(params: { ticker?: string }): Promise<Position[]>;
}

/** The V2 order for buying a side: YES = bid at the YES price; NO = ask at 1 - NO price (price is always YES). */
export function wireOrderFor(side: Side, priceE4: number): { side: 'bid' | 'ask'; yesPriceE4: number } {
  return side === 'yes' ? { side: 'bid', yesPriceE4: priceE4 } : { side: 'ask', yesPriceE4: 10_000 - priceE4 };
}
