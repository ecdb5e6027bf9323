# syntax=docker/dockerfile:1
# livepipe image: one image for every role — `run` (router + overlay), `serve-model` (a Knative Service),
# `worker` (BullMQ), `export`. Built in two stages so the runtime has production dependencies only.
#   docker build -t ghcr.io/livepipe/livepipe:0.1.0 .

FROM node:20-bookworm-slim AS build
WORKDIR /app
# .npmrc carries onnxruntime-node-install=skip: its postinstall would download CUDA files.
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: `prepare` would build before the sources are here; the build runs below.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: `prepare` runs tsc, which is a dev dependency; dist/ comes from the build stage.
# onnxruntime-node ships its CPU binaries in the package, so skipping its install script loses nothing.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY models ./models
COPY pipelines ./pipelines
# The node image's unprivileged user (uid 1000).
USER node
# 8080: overlay/metrics of `run` and the port of `serve-model`; 8090: the HTTP CloudEvents ingress.
EXPOSE 8080 8090
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.LIVEPIPE_HEALTH_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["run", "pipelines/live-interaction.yaml"]
