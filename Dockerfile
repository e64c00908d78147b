# Multi-stage build: compile with dev dependencies, run with production ones only, as a non-root user.
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
COPY schemas ./schemas
COPY test/support ./test/support
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:22-slim
ENV NODE_ENV=production PORT=8080 AEO_DATA_DIR=/var/lib/aeo-gateway
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
COPY partners ./partners
COPY schemas ./schemas
COPY certs ./certs
COPY docs/openapi.json ./docs/openapi.json
RUN mkdir -p /var/lib/aeo-gateway && chown node:node /var/lib/aeo-gateway
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/cli.js", "serve"]
