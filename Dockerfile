# finfaq: `finfaq up` (scheduled crawls, queue workers, feed server) in one container.
# Untested on the machine it was written on (Docker cannot run there): see README, "Docker".
#
#   docker build -t finfaq .
#   docker run --rm finfaq --help

FROM node:20-bookworm AS build
WORKDIR /app
# better-sqlite3 compiles its native addon when no prebuilt binary fits: python3, make and g++.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
# `prepare` writes the dictionary files into dist/ with scripts/build-dictionary-files.mjs, the
# bigram model decompressed from models/open-gram/ among them.
COPY scripts ./scripts
COPY models ./models
COPY web ./web
# `npm ci` runs `prepare`, which compiles src/ to dist/ (TypeScript is a dev dependency).
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/web ./web
# The bigram model in dist/ is open-gram's data (CC BY-SA 3.0): its attribution goes with it.
COPY --from=build /app/models/open-gram/NOTICE ./models/open-gram/NOTICE
# The default SQLite store (when DATABASE_URL is not set) lives under ./data.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
ENTRYPOINT ["node", "bin/finfaq.js"]
CMD ["up", "--config", "/config/sources.yaml"]
