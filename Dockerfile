# The Khuyến học bot in a small image: the wheel (with its catalogs, data files and migrations)
# is built in the first stage and installed alone in the second. See README, "Deployment".
FROM python:3.12-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KHUYENHOC_DATABASE=/var/lib/khuyenhoc/khuyenhoc.sqlite3 \
    KHUYENHOC_BACKUP_DIR=/var/lib/khuyenhoc/backups \
    KHUYENHOC_WEBHOOK_LISTEN=0.0.0.0 \
    KHUYENHOC_WEBHOOK_PORT=8443
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels khuyenhoc-bot \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/khuyenhoc \
       --shell /usr/sbin/nologin khuyenhoc \
    && mkdir -p /var/lib/khuyenhoc/backups \
    && chown -R khuyenhoc:khuyenhoc /var/lib/khuyenhoc
USER khuyenhoc
WORKDIR /var/lib/khuyenhoc
# The database and its backups; a new named volume takes this folder's owner (khuyenhoc).
VOLUME ["/var/lib/khuyenhoc"]
EXPOSE 8443
# Webhook mode: /healthz (the database answers); polling mode: the configuration and the
# database are sound and the bot renews its outbox lease (it is alive), without Telegram.
HEALTHCHECK --interval=2m --timeout=30s --start-period=2m --retries=3 CMD \
    if [ -n "$KHUYENHOC_WEBHOOK_URL" ]; then \
      python -c "import os, urllib.request; \
        port = os.environ['KHUYENHOC_WEBHOOK_PORT']; \
        urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=20)"; \
    else \
      khuyenhoc check --offline --running; \
    fi
# SIGTERM (docker stop) stops it cleanly: updates being handled finish, the outbox is let go.
STOPSIGNAL SIGTERM
CMD ["khuyenhoc", "run"]
