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
# collectstatic needs settings to load: throwaway values, only for this build step.
RUN SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    PII_ENCRYPTION_KEYS=ZGV2LW9ubHktcGlpLWtleS0zMi1ieXRlcy0wMDAwMDA= \
    PII_BLIND_INDEX_KEY=build-only-build-only-build-only-0000 \
    PIN_HASH_KEY=build-only-build-only-build-only-0000 \
    BANK_GATEWAY_CALLBACK_SECRET=build-only-build-only-build-only-0000 \
    QR_SIGNING_KEY=build-only-build-only-build-only-0000 \
    SMS_BACKEND=build.only.Adapter KYC_VERIFIER=build.only.Adapter BANK_GATEWAY=build.only.Adapter \
    STATIC_ROOT=/app/static python manage.py collectstatic --no-input -v 0
USER tongbao
EXPOSE 8000
CMD ["gunicorn", "wallet_site.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--access-logfile", "-"]
