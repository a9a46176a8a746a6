# syntax=docker/dockerfile:1
# The bot as a container: `docker compose up -d` (see compose.yaml), or
#   docker build -t kalshi-band-bot . && docker run --env-file .env -v kalshi-data:/data kalshi-band-bot
# Node 22 (LTS; Node 20 reached end of life on 2026-04-30) on Debian bookworm slim, in both stages so the
# native addon (better-sqlite3) built in the first runs in the second.
ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: compile better-sqlite3 and the TypeScript, then drop the dev dependencies ----
FROM ${NODE_IMAGE} AS build
# node-gyp's toolchain, used when better-sqlite3 has no prebuilt binary for this Node/arch (or cannot fetch one).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: plain node on the built dist/, production dependencies only, not root ----
FROM ${NODE_IMAGE}
# tini as PID 1: forwards SIGTERM to node (whose handler finishes the order in flight and closes the journal)
# and reaps children, which node as PID 1 would not do.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown node:node /data
WORKDIR /app
ENV NODE_ENV=production \
    DB_PATH=/data/bot.db \
    HEALTH_FILE=/tmp/kalshi-bot.health
# package.json says "type": "module": dist/*.js are ES modules.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
# The node image's unprivileged user (uid 1000): it owns the journal volume; a mounted key file must be readable by it.
USER node
VOLUME ["/data"]
# Healthy = a scan cycle completed without an error within HEALTH_MAX_AGE_SECONDS (default 3 cycles, at least
# 180 s): the bot writes HEALTH_FILE after each cycle, and this reads its age. The first cycle follows the start's
# reconciliation, hence the start period.
HEALTHCHECK --interval=30s --timeout=10s --start-period=2m --retries=3 CMD ["node", "dist/ops/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--enable-source-maps", "dist/main.js"]
