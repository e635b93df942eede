# Production image: gunicorn web, Celery worker and beat share it (see docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --system --create-home --uid 10001 tongbao
# Statement PDFs embed a TrueType CJK font (payments/statements.py, STATEMENT_FONT_FILES).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY --chown=tongbao:tongbao . .
# collectstatic needs settings to load: random throwaway values, only for this build step (production
# refuses known or low-entropy secrets, core/env.py).
RUN r() { python -c 'import secrets; print(secrets.token_urlsafe(48))'; }; \
    SECRET_KEY=$(r) PII_BLIND_INDEX_KEY=$(r) PIN_HASH_KEY=$(r) BANK_GATEWAY_CALLBACK_SECRET=$(r) QR_SIGNING_KEY=$(r) \
    LEDGER_ANCHOR_KEY=$(r) OTP_HASH_KEY=$(r) \
    PII_ENCRYPTION_KEYS=$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    SMS_BACKEND=build.only.Adapter KYC_VERIFIER=build.only.Adapter BANK_GATEWAY=build.only.Adapter \
    STATIC_ROOT=/app/static python manage.py collectstatic --no-input -v 0
RUN install -d -o tongbao -g tongbao -m 750 /var/lib/tongbao/ledger-anchors
USER tongbao
EXPOSE 8000
# The same settings as docker-compose, make run and make bench (deploy/gunicorn.conf.py: 2 single-threaded
# workers per core, a bounded database pool per worker).
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wallet_site.wsgi"]
