# syntax=docker/dockerfile:1
# One image for every Herald app; the command picks the app:
#   node dist/apps/herald/src/main.js <gateway|audience|contact|delivery-whatsapp|delivery-sms|delivery-messenger>
#   node dist/apps/herald/src/main.js migrate      (apply the database migrations, then exit)
#   node dist/apps/provider-sandbox/src/main.js    (the provider sandbox, for laptops and dev clusters)
# The build runs the same commands as CI (.ci/run): `npm ci`, then `npm run build`; the runtime
# stage keeps only the production dependencies and the compiled output.
# NODE_VERSION matches the `node` devDependency in package.json (a test checks it).
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# Lockfile first, so the dependency layer is reused while only the sources change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# Production unless told otherwise: the config then refuses the development encryption key.
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the app user: the container runs with a read-only root
# filesystem anyway, and the app never writes next to its code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The official image's unprivileged `node` user, by number so that Kubernetes' runAsNonRoot
# can verify it.
USER 1000:1000
EXPOSE 3000 3001 3002 3003 3004 3005 3999
CMD ["node", "dist/apps/herald/src/main.js", "all"]
