# aflo-tail container image: build with dev dependencies, run with production dependencies only, as a non-root user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json binding.gyp ./
COPY native ./native
# npm ci also compiles the native fast mapper (binding.gyp, native/) with npm's node-gyp.
RUN npm ci
COPY tsconfig.json ./
COPY scripts/build-native.mjs ./scripts/
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# better-sqlite3 is compiled here, for this image's Node and libc.
RUN npm ci --omit=dev && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    AFLO_STATE_DIR=/var/lib/aflo-tail \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/build/Release/fast_map.node ./build/Release/
COPY package.json ./
RUN mkdir -p /var/lib/aflo-tail && chown node:node /var/lib/aflo-tail
USER node
VOLUME ["/var/lib/aflo-tail"]
# Health (and /metrics) on 127.0.0.1:8080 inside the container by default, so the check below has something to ask.
# Set AFLO_HTTP_ADDR=0.0.0.0:8080 (with AFLO_INGEST_TOKEN_FILE) to scrape from outside; empty to serve nothing,
# and the check then passes while the process runs. The check follows the setting.
ENV AFLO_HTTP_ADDR=127.0.0.1:8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "const a=process.env.AFLO_HTTP_ADDR||'';if(!a)process.exit(0);const i=a.lastIndexOf(':');let h=i<0?'':a.slice(0,i).replace(/^\[|\]$/g,'');if(h===''||h==='0.0.0.0'||h==='::')h='127.0.0.1';fetch('http://'+(h.includes(':')?'['+h+']':h)+':'+a.slice(i+1)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "/app/dist/cli.js"]
